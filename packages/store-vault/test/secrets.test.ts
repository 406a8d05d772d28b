/**
 * The store under `createSecrets` with the SQLite catalog, against the emulator: Vault
 * calls per Secrets API call, and a fault run (throttling and 5xx) followed by
 * reconciliation and a consistency check against what Vault really holds.
 */
import {
	createSecrets,
	createStore,
	type SecretsService,
	StoreUnavailableError,
} from "@strongbox/core";
import { createSqlCatalog } from "@strongbox/store-sql";
import { startVaultEmulator, type VaultEmulator } from "@strongbox/testkit/emulators";
import { afterEach, describe, expect, it } from "vitest";
import vaultStore from "../src/index.js";
import { emulatorOptions, rawPayload } from "./helpers.js";

/** A small seeded PRNG, so a failing fault run can be replayed. */
function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

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
		const random = mulberry32(20_260_101);
		const { emulator, secrets } = await setup(mulberry32(7));
		emulator.inject({ kind: "throttle", fraction: 0.3 });
		emulator.inject({ kind: "error", status: 503, fraction: 0.1 });

		/** Values acknowledged per id; `undefined` once an unacknowledged write touched it. */
		const expected = new Map<string, Record<string, string> | undefined>();
		const ids: string[] = [];
		const outcomes = { ok: 0, unavailable: 0 };
		const pick = () => ids[Math.floor(random() * ids.length)];
		for (let i = 0; i < 200; i++) {
			const roll = random();
			const target = pick();
			try {
				if (roll < 0.3 || target === undefined) {
					const values = { v: `c${i}` };
					const created = await secrets.createSecret({ name: `s${i}`, values });
					ids.push(created.id);
					expected.set(created.id, values);
				} else if (roll < 0.55) {
					const got = await secrets.getSecret(target).catch((e: unknown) => {
						if ((e as { code?: string }).code === "SECRET_NOT_FOUND") return undefined;
						throw e;
					});
					if (got && expected.get(target) !== undefined)
						expect(got.values).toEqual(expected.get(target));
				} else if (roll < 0.8) {
					const values = { v: `u${i}` };
					try {
						await secrets.updateSecret(target, { values });
						expected.set(target, values);
					} catch (e) {
						if ((e as { code?: string }).code === "SECRET_NOT_FOUND") continue;
						expected.set(target, undefined);
						throw e;
					}
				} else if (roll < 0.9) {
					try {
						await secrets.deleteSecret(target);
						expected.delete(target);
						ids.splice(ids.indexOf(target), 1);
					} catch (e) {
						if ((e as { code?: string }).code === "SECRET_NOT_FOUND") continue;
						expected.set(target, undefined);
						throw e;
					}
				} else {
					const before = emulator.count();
					await secrets.listSecrets({ name: "startswith:s", size: 50 });
					expect(emulator.count()).toBe(before);
				}
				outcomes.ok++;
			} catch (error) {
				// The only failure allowed: the back-end stayed unavailable past the retries.
				expect(error).toBeInstanceOf(StoreUnavailableError);
				outcomes.unavailable++;
			}
		}
		expect(outcomes.ok + outcomes.unavailable).toBe(200);
		expect(outcomes.ok).toBeGreaterThan(150);
		const faulted = emulator.calls.filter((c) => c.fault !== undefined);
		expect(faulted.filter((c) => c.status === 429).length).toBeGreaterThan(50);
		expect(faulted.filter((c) => c.status === 503).length).toBeGreaterThan(10);

		emulator.clearFaults();
		const report = await secrets.reconcile({ staleAfterMs: 0 });
		expect(report.deferred).toBe(0);

		// Every active row has its values, at the row's values version, in Vault.
		const rows = await secrets.catalog.getMany(ids);
		for (const row of rows) {
			expect(row.state, `row ${row.id}`).toBe("active");
			const payload = rawPayload(emulator, row.id);
			expect(payload?.$version, `values version of ${row.id}`).toBe(String(row.valuesVersion));
			expect(payload?.$owner).toBe("dep-secrets");
		}
		// Every Vault key of this deployment has a row: no orphan.
		const keys = emulator.rawKeys("secret").filter((k) => k.startsWith("strongbox/"));
		const rowIds = new Set(
			(await secrets.catalog.getMany(keys.map((k) => k.slice("strongbox/".length)))).map(
				(r) => r.id,
			),
		);
		for (const key of keys)
			expect(rowIds.has(key.slice("strongbox/".length)), `orphan ${key}`).toBe(true);
		// Every acknowledged write reads back.
		for (const [id, values] of expected) {
			if (values === undefined) continue;
			expect((await secrets.getSecret(id)).values, `secret ${id}`).toEqual(values);
		}
	});
});
