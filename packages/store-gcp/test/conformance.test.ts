/**
 * The published conformance suites, through the real SDK against the emulator:
 * `describeSecretsStore` on the store alone, `describeSecrets` on `createSecrets` with a
 * catalog and this store.
 */
import { createSecrets, createStore } from "@strongbox/core";
import { createSqlCatalog } from "@strongbox/store-sql";
import { describeSecrets, describeSecretsStore } from "@strongbox/testkit";
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

describeSecrets("Secrets API on store-gcp", async () => {
	const store = await createStore(gcpStore, emulatorOptions(emulator), {
		deploymentId: "conformance",
	});
	const alice = createSecrets({
		catalog: createSqlCatalog({ url: "sqlite::memory:" }),
		store,
		caller: { user: "alice", workspace: "ws-a" },
	});
	return {
		alice,
		bob: alice.as({ user: "bob", workspace: "ws-a" }),
		carol: alice.as({ user: "carol", workspace: "ws-b" }),
		reconcile: () => alice.reconcile(),
		close: () => alice.close(),
		maxValueBytes: Math.min(65_536, store.capabilities.maxValueBytes),
	};
});
