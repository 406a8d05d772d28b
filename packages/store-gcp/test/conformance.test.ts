/**
 * The published conformance suites, through the real SDK against the emulator:
 * `describeSecretsStore` on the store alone, `describeSecrets` on `createSecrets` with a
 * catalog and this store.
 */
import { createStore } from "@strongbox/core";
import { createSqlCatalog } from "@strongbox/store-sql";
import { describeSecrets, describeSecretsStore, inProcessSecretsFixture } from "@strongbox/testkit";
import type { GcpEmulator } from "@strongbox/testkit/emulators";
import { blockedConnections } from "@strongbox/testkit/network-guard";
import { afterAll, beforeAll, expect } from "vitest";
import gcpStore from "../src/index.js";
import { emulatorOptions, rawText, startGcpEmulator } from "./helpers.js";

let emulator: GcpEmulator;

beforeAll(async () => {
	emulator = await startGcpEmulator();
});

afterAll(async () => {
	await emulator.close();
	expect(blockedConnections).toEqual([]);
});

describeSecretsStore(gcpStore, {
	options: () => emulatorOptions(emulator),
	raw: { read: async (id) => rawText(emulator, id) },
	failBackend: async () => {
		const remove = emulator.inject({ kind: "error", status: 503 });
		return async () => remove();
	},
});

describeSecrets("Secrets API on store-gcp", async () =>
	inProcessSecretsFixture({
		catalog: createSqlCatalog({ url: "sqlite::memory:" }),
		store: await createStore(gcpStore, emulatorOptions(emulator), { deploymentId: "conformance" }),
	}),
);
