/**
 * The same suites against a real Azure Key Vault. They run only when
 * `STRONGBOX_TEST_REAL_AZURE=1` and `AZURE_KEYVAULT_URL` are set (with
 * `STRONGBOX_TEST_ALLOW_NETWORK=1` for the network guard, and credentials that
 * `DefaultAzureCredential` finds, such as AZURE_TENANT_ID, AZURE_CLIENT_ID and
 * AZURE_CLIENT_SECRET): CI has no Azure subscription, so it runs the emulator variant
 * (conformance.test.ts, secrets.test.ts) instead.
 */
import { randomBytes } from "node:crypto";
import { createStore } from "@strongbox/core";
import { createSqlCatalog } from "@strongbox/store-sql";
import { describeSecrets, describeSecretsStore, inProcessSecretsFixture } from "@strongbox/testkit";
import { describe } from "vitest";
import azureStore, { type AzureStoreOptions } from "../src/index.js";

const vaultUrl = process.env.AZURE_KEYVAULT_URL;
const enabled = process.env.STRONGBOX_TEST_REAL_AZURE === "1" && vaultUrl !== undefined;
// One prefix per run: runs sharing a vault never see each other's secrets.
const prefix = `sbtest${randomBytes(4).toString("hex")}-`;
const options = (): AzureStoreOptions => ({
	vaultUrl: vaultUrl!,
	prefix,
	// Keeps the vault clean; needs the purge permission (a purge refused is only logged).
	purgeOnDelete: true,
});

describe.runIf(enabled)("real Azure Key Vault", () => {
	describeSecretsStore(azureStore, { name: "store azure (real)", options, timeoutMs: 180_000 });
	describeSecrets(
		"Secrets API on real Azure Key Vault",
		async () =>
			inProcessSecretsFixture({
				catalog: createSqlCatalog({ url: "sqlite::memory:" }),
				store: await createStore(azureStore, options(), { deploymentId: `sbtest-${prefix}` }),
			}),
		{ timeoutMs: 180_000 },
	);
});
