/**
 * Shared pieces of the store-vault tests: options pointing at an emulator (or at a real
 * Vault) and raw reads of what the emulator holds.
 */
import { randomUUID } from "node:crypto";
import { FAST_RETRY } from "@strongbox/testkit";
import type { VaultEmulator } from "@strongbox/testkit/emulators";
import type { VaultStoreOptions } from "../src/index.js";

/** Options of a store on `emulator` with its root token. */
export function emulatorOptions(
	emulator: VaultEmulator,
	extra: Partial<VaultStoreOptions> = {},
): VaultStoreOptions {
	return {
		address: emulator.endpoint,
		token: emulator.rootToken,
		retry: FAST_RETRY,
		timeoutMs: 2000,
		...extra,
	};
}

/** What the emulator holds for a secret id (latest live version): its data map as JSON. */
export function rawText(
	emulator: VaultEmulator,
	id: string,
	prefix = "strongbox/",
	mount = "secret",
): string | undefined {
	const raw = emulator.rawSecret(mount, `${prefix}${id}`);
	return raw && !raw.deleted && raw.data ? JSON.stringify(raw.data) : undefined;
}

/** The decoded payload the emulator holds for a secret id. */
export function rawPayload(
	emulator: VaultEmulator,
	id: string,
	prefix = "strongbox/",
	mount = "secret",
) {
	const text = emulator.rawSecret(mount, `${prefix}${id}`)?.data?.payload;
	return typeof text === "string" ? (JSON.parse(text) as Record<string, string>) : undefined;
}

/**
 * Runs against a real Vault only when asked: CI has none, and the suites must never
 * touch a developer's Vault by accident (node-vault would otherwise read VAULT_ADDR).
 */
export const REAL_VAULT = process.env.STRONGBOX_TEST_REAL_VAULT === "1";

// One folder per test run: stores opened within a test must see each other's keys.
const REAL_PREFIX = `strongbox-test/${randomUUID()}/`;

/** Options of a store on the real Vault named by the environment, in this run's folder. */
export function realVaultOptions(): VaultStoreOptions {
	const env = process.env;
	return {
		address: env.VAULT_ADDR ?? "",
		token: env.VAULT_TOKEN ?? "",
		...(env.VAULT_NAMESPACE ? { namespace: env.VAULT_NAMESPACE } : {}),
		mount: env.STRONGBOX_TEST_VAULT_MOUNT ?? "secret",
		prefix: REAL_PREFIX,
	};
}
