/**
 * Test fixtures: one Key Vault emulator per test file, store options that reach it
 * through the real SDK (its CA trusted per client, never process-wide), and helpers to
 * read what the emulated vault holds.
 */
import { randomUUID } from "node:crypto";
import {
	createSecrets,
	createStore,
	type Logger,
	type ManagedStore,
	type SecretsService,
} from "@strongbox/core";
import { createSqlCatalog } from "@strongbox/store-sql";
import { FAST_RETRY } from "@strongbox/testkit";
import { type AzureEmulator, startAzureEmulator } from "@strongbox/testkit/emulators";
import azureStore, { type AzureStoreOptions } from "../src/index.js";

/** Options of a store on `emu`. */
export function emulatorOptions(
	emu: AzureEmulator,
	extra: Partial<AzureStoreOptions> = {},
): AzureStoreOptions {
	return {
		vaultUrl: emu.vaultUrl,
		credential: emu.credential,
		tlsOptions: { ca: emu.ca },
		// Test-only: the emulator is 127.0.0.1, not a *.vault.azure.net host.
		disableChallengeResourceVerification: true,
		retry: FAST_RETRY,
		pollIntervalMs: 10,
		pollTimeoutMs: 5_000,
		...extra,
	};
}

/** The Key Vault name of a Strongbox id with the default prefix. */
export function nameOf(id: string, prefix = "strongbox-"): string {
	return `${prefix}${id}`;
}

/** A wrapped store (core's runtime) on the emulator. */
export function openStore(
	emu: AzureEmulator,
	deploymentId = `test-${randomUUID()}`,
	extra: Partial<AzureStoreOptions> = {},
	logger?: Logger,
): Promise<ManagedStore> {
	return createStore(azureStore, emulatorOptions(emu, extra), {
		deploymentId,
		...(logger === undefined ? {} : { logger }),
	});
}

/** `createSecrets` over an in-memory SQLite catalog and the Azure store. */
export async function openSecrets(
	emu: AzureEmulator,
	extra: { maxValueBytes?: number; store?: Partial<AzureStoreOptions>; deploymentId?: string } = {},
): Promise<SecretsService> {
	const store = await openStore(emu, extra.deploymentId, extra.store);
	const catalog = createSqlCatalog({ url: "sqlite::memory:" });
	return createSecrets({
		catalog,
		store,
		caller: { user: "alice", workspace: "ws-a" },
		...(extra.maxValueBytes === undefined ? {} : { maxValueBytes: extra.maxValueBytes }),
	});
}

export type { AzureEmulator };
export { startAzureEmulator };
