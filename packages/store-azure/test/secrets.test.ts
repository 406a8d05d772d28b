/**
 * The Secrets API conformance suite over the SQLite catalog and the Azure store, through
 * the real SDK against the Key Vault emulator.
 */
import { createSqlCatalog } from "@strongbox/store-sql";
import { describeSecrets, inProcessSecretsFixture } from "@strongbox/testkit";
import { afterAll, beforeAll } from "vitest";
import { type AzureEmulator, openStore, startAzureEmulator } from "./emulator.js";

let emu: AzureEmulator;
beforeAll(async () => {
	emu = await startAzureEmulator();
});
afterAll(async () => {
	await emu.close();
});

describeSecrets("Secrets API on Azure Key Vault (SQLite catalog)", async () =>
	inProcessSecretsFixture({
		catalog: createSqlCatalog({ url: "sqlite::memory:" }),
		store: await openStore(emu),
	}),
);
