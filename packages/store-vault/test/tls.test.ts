/**
 * TLS through node-vault against the emulator on HTTPS (a throwaway CA generated at
 * start): `caCert` trusts it, `rejectUnauthorized: false` skips the check, and an
 * untrusted certificate is a configuration error, not retried, even with
 * VAULT_SKIP_VERIFY in the environment.
 */
import { randomUUID } from "node:crypto";
import { createStore, StoreConfigError } from "@strongbox/core";
import { FAST_RETRY } from "@strongbox/testkit";
import { startVaultEmulator, type VaultEmulator } from "@strongbox/testkit/emulators";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import vaultStore, { type VaultStoreOptions } from "../src/index.js";

let emulator: VaultEmulator;

beforeAll(async () => {
	emulator = await startVaultEmulator({ tls: true });
});
afterAll(() => emulator.close());

async function open(options: Partial<VaultStoreOptions>) {
	const store = await createStore(
		vaultStore,
		{ address: emulator.endpoint, token: emulator.rootToken, retry: FAST_RETRY, ...options },
		{ deploymentId: "dep-tls" },
	);
	onTestFinished(() => store.close());
	return store;
}

describe("TLS", () => {
	it("trusts Vault's certificate through `caCert`", async () => {
		const store = await open({ caCert: emulator.ca! });
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		await store.verify();
	});

	it("refuses an untrusted certificate as a configuration error, without retrying", async () => {
		const saved = process.env.VAULT_SKIP_VERIFY;
		process.env.VAULT_SKIP_VERIFY = "1";
		onTestFinished(() => {
			if (saved === undefined) delete process.env.VAULT_SKIP_VERIFY;
			else process.env.VAULT_SKIP_VERIFY = saved;
		});
		const store = await open({});
		const error = await store.get(randomUUID()).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StoreConfigError);
		expect((error as Error & { cause?: { code?: string } }).cause?.code).toBe(
			"UNABLE_TO_VERIFY_LEAF_SIGNATURE",
		);
	});

	it("skips the check only when `rejectUnauthorized: false` is set", async () => {
		const store = await open({ rejectUnauthorized: false });
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
	});
});
