/**
 * The published conformance suites through the real node-vault client against the Vault
 * emulator (and against a real Vault when asked): `describeSecretsStore` on the store
 * alone, `describeSecrets` on `createSecrets` with the SQLite catalog and this store.
 */
import { createStore } from "@strongbox/core";
import { createSqlCatalog } from "@strongbox/store-sql";
import { describeSecrets, describeSecretsStore, inProcessSecretsFixture } from "@strongbox/testkit";
import { startVaultEmulator, type VaultEmulator } from "@strongbox/testkit/emulators";
import { blockedConnections } from "@strongbox/testkit/network-guard";
import { afterAll, beforeAll, describe, expect } from "vitest";
import vaultStore, { type VaultStoreOptions } from "../src/index.js";
import { emulatorOptions, REAL_VAULT, rawText, realVaultOptions } from "./helpers.js";

let emulator: VaultEmulator;

beforeAll(async () => {
	emulator = await startVaultEmulator();
});

afterAll(async () => {
	await emulator.close();
	expect(blockedConnections).toEqual([]);
});

async function secretsFixture(options: VaultStoreOptions, deploymentId: string) {
	return inProcessSecretsFixture({
		catalog: createSqlCatalog({ url: "sqlite::memory:" }),
		store: await createStore(vaultStore, options, { deploymentId }),
	});
}

describe("emulator", () => {
	describeSecretsStore(vaultStore, {
		options: () => emulatorOptions(emulator),
		raw: { read: async (id) => rawText(emulator, id) },
		failBackend: async () => {
			const remove = emulator.inject({ kind: "error", status: 503 });
			return async () => remove();
		},
	});

	describeSecrets("Secrets API on store-vault", () =>
		secretsFixture(emulatorOptions(emulator), "conformance"),
	);
});

// Only with STRONGBOX_TEST_REAL_VAULT=1 (plus VAULT_ADDR and VAULT_TOKEN): no Vault is
// reachable from CI, and a developer's Vault must never be written to by accident.
describe.runIf(REAL_VAULT)("real Vault", () => {
	describeSecretsStore(vaultStore, { options: () => realVaultOptions(), timeoutMs: 60_000 });
	describeSecrets(
		"Secrets API on a real Vault",
		() => secretsFixture(realVaultOptions(), "conformance-real"),
		{
			timeoutMs: 60_000,
		},
	);
});
