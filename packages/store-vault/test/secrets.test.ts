/**
 * The store under `createSecrets` with the SQLite catalog, against the emulator: Vault
 * calls per Secrets API call, and a fault run (throttling and 5xx) followed by
 * reconciliation and a consistency check against what Vault really holds (the testkit's
 * workload and check).
 */
import { createSecrets, createStore, decodePayload, type SecretsService } from "@strongbox/core";
import { createSqlCatalog } from "@strongbox/store-sql";
import { checkConsistency, mulberry32, runFaultWorkload } from "@strongbox/testkit";
import { startVaultEmulator, type VaultEmulator } from "@strongbox/testkit/emulators";
import { afterEach, describe, expect, it } from "vitest";
import vaultStore from "../src/index.js";
import { emulatorOptions } from "./helpers.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
	random?: () => number,
): Promise<{ emulator: VaultEmulator; secrets: SecretsService }> {
	const emulator = await startVaultEmulator(random ? { random } : {});
	cleanups.push(() => emulator.close());
	const store = await createStore(vaultStore, emulatorOptions(emulator), {
		deploymentId: "dep-secrets",
	});
	const secrets = createSecrets({
		catalog: createSqlCatalog({ url: "sqlite::memory:" }),
		store,
		caller: { user: "alice", workspace: "ws-a" },
	});
	cleanups.push(() => secrets.close());
	await secrets.init();
	return { emulator, secrets };
}

describe("Vault calls per Secrets API call", () => {
	it("create 2 (write + ownership tag), get 1, values update 2 (read + write), delete 1, listing 0", async () => {
		const { emulator, secrets } = await setup();
		const ops = async (fn: () => Promise<unknown>) => {
			emulator.clearCalls();
			await fn();
			return emulator.calls.map((c) => c.operation);
		};
		let id = "";
		expect(
			await ops(async () => {
				id = (await secrets.createSecret({ name: "db", values: { password: "p1" } })).id;
			}),
		).toEqual(["kv.write", "kv.metadata.write"]);
		expect(await ops(() => secrets.getSecret(id))).toEqual(["kv.read"]);
		expect(await ops(() => secrets.getSecretByName("db"))).toEqual(["kv.read"]);
		// An update reads the current values (to merge) and writes the next version.
		expect(
			await ops(() => secrets.updateSecret(id, { values: { password: "p2", user: "u" } })),
		).toEqual(["kv.read", "kv.write"]);
		// A rename leaves Vault alone; core returns the renamed secret with its values (one read).
		expect(await ops(() => secrets.updateSecret(id, { name: "db-renamed" }))).toEqual(["kv.read"]);
		expect(
			await ops(async () => {
				await secrets.listSecrets();
				await secrets.listSecrets({ name: "contains:db", sortBy: "name", size: 5 });
				await secrets.getSecretMetadata(id);
				await secrets.getSecretMetadataByName("db-renamed");
			}),
		).toEqual([]);
		expect(await ops(() => secrets.deleteSecret(id))).toEqual(["kv.metadata.delete"]);
		expect(emulator.rawKeys("secret")).toEqual([]);
	});
});

describe("fault run", () => {
	it("200 mixed operations under 30% throttling and 10% 5xx: typed failures only, consistent after reconcile", async () => {
		const { emulator, secrets } = await setup(mulberry32(7));
		emulator.inject({ kind: "throttle", fraction: 0.3 });
		emulator.inject({ kind: "error", status: 503, fraction: 0.1 });

		const run = await runFaultWorkload(secrets, {
			random: mulberry32(20_260_101),
			prefix: "s",
			// Listings are the catalog's alone: not one Vault call.
			backendCalls: () => emulator.count(),
		});
		expect(run.ok + run.unavailable).toBe(200);
		expect(run.ok).toBeGreaterThan(150);
		const faulted = emulator.calls.filter((c) => c.fault !== undefined);
		expect(faulted.filter((c) => c.status === 429).length).toBeGreaterThan(50);
		expect(faulted.filter((c) => c.status === 503).length).toBeGreaterThan(10);

		emulator.clearFaults();
		const report = await secrets.reconcile({ staleAfterMs: 0 });
		expect(report.deferred).toBe(0);
		await checkConsistency(
			secrets,
			{
				read(id) {
					const raw = emulator.rawSecret("secret", `strongbox/${id}`);
					const text = raw?.deleted ? undefined : raw?.data?.payload;
					return typeof text === "string" ? decodePayload(text) : undefined;
				},
				listIds: () =>
					emulator
						.rawKeys("secret")
						.filter((key) => key.startsWith("strongbox/"))
						.map((key) => key.slice("strongbox/".length)),
			},
			{ deploymentId: "dep-secrets", run },
		);
	});
});
