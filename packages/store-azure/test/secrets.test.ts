/**
 * The Secrets API conformance suite over the SQLite catalog and the Azure store, through
 * the real SDK against the Key Vault emulator.
 */
import { describeSecrets } from "@strongbox/testkit";
import { afterAll, beforeAll } from "vitest";
import azureStore from "../src/index.js";
import { type AzureEmulator, openSecrets, startAzureEmulator } from "./emulator.js";

let emu: AzureEmulator;
beforeAll(async () => {
	emu = await startAzureEmulator();
});
afterAll(async () => {
	await emu.close();
});

describeSecrets("Secrets API on Azure Key Vault (SQLite catalog)", async () => {
	const alice = await openSecrets(emu);
	return {
		alice,
		bob: alice.as({ user: "bob", workspace: "ws-a" }),
		carol: alice.as({ user: "carol", workspace: "ws-b" }),
		reconcile: () => alice.reconcile(),
		close: () => alice.close(),
		maxValueBytes: azureStore.capabilities.maxValueBytes,
	};
});
