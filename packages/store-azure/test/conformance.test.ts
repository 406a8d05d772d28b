/**
 * The published store conformance suite, through the real Azure SDK against the Key Vault
 * emulator (HTTPS, bearer challenge, soft delete on as in every new vault).
 */
import { describeSecretsStore } from "@strongbox/testkit";
import { afterAll, beforeAll } from "vitest";
import azureStore from "../src/index.js";
import { type AzureEmulator, emulatorOptions, nameOf, startAzureEmulator } from "./emulator.js";

let emu: AzureEmulator;
beforeAll(async () => {
	emu = await startAzureEmulator();
});
afterAll(async () => {
	await emu.close();
});

describeSecretsStore(azureStore, {
	options: () => emulatorOptions(emu),
	raw: { read: async (id) => emu.rawSecret(nameOf(id))?.value },
	async failBackend() {
		// Every call answers 503, past the store's retries.
		const remove = emu.inject({ kind: "error", fraction: 1 });
		return async () => remove();
	},
});

describeSecretsStore(azureStore, {
	name: "store azure (purgeOnDelete)",
	options: () => emulatorOptions(emu, { purgeOnDelete: true, prefix: "sbpurge-" }),
	raw: { read: async (id) => emu.rawSecret(nameOf(id, "sbpurge-"))?.value },
});
