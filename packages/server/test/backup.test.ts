/**
 * The backup store from configuration: every write reaches both stores, a write the
 * backup missed is a divergence that `GET /api/v1/admin/doctor` shows and
 * `POST /api/v1/admin/resync` repairs, reads fall back to the backup while the primary is
 * down, and `doctor(runtime)` gives the same report in-process. Both stores are core's
 * memory store on shared in-process back-ends, loaded through the registry like a
 * third-party package, so faults can be switched on and off.
 */
import { randomUUID } from "node:crypto";
import { type ImportFn, memoryBackend, memoryStore } from "@strongbox/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { doctor, serverImport } from "../src/index.js";
import { startTestServer, type TestServer } from "./helpers.js";

const MEMORY = "strongbox-store-memory";
const importStores: ImportFn = async (specifier) =>
	specifier === MEMORY ? { default: memoryStore } : serverImport()(specifier);

const PRIMARY = `primary-${randomUUID()}`;
const BACKUP = `backup-${randomUUID()}`;
const primary = memoryBackend(PRIMARY);
const backup = memoryBackend(BACKUP);
let t: TestServer;
let alice: string;

async function create(name: string, values: Record<string, string>) {
	const r = await t.request("POST", "/api/v1/secrets", { token: alice, body: { name, values } });
	expect(r.status).toBe(201);
	return r.json.id as string;
}

beforeAll(async () => {
	t = await startTestServer(
		{
			rateLimit: { requestsPerMinute: 0 },
			// No name: a third-party store is named by the type it declares (`memory`).
			store: { type: MEMORY, options: { backend: PRIMARY } },
			backup: { type: MEMORY, options: { backend: BACKUP } },
		},
		{ import: importStores },
	);
	alice = await t.user("alice", "ws-a");
});

afterAll(async () => {
	await t?.close();
});

describe("backup store", () => {
	it("copies every write; a missed one is a divergence that doctor shows and resync repairs", async () => {
		const first = await create("first", { k: "1" });
		expect(primary.data.get(first)?.values).toEqual({ k: "1" });
		expect(backup.data.get(first)?.values).toEqual({ k: "1" });

		backup.unavailable = true;
		const second = await create("second", { k: "2" });
		const patched = await t.request("PATCH", `/api/v1/secrets/${first}`, {
			token: alice,
			body: { values: { k: "1b" } },
		});
		expect(patched.status).toBe(200);
		expect(backup.data.has(second)).toBe(false);
		// The pair's health is the primary's: a backup outage degrades, it does not stop service.
		const health = await t.request("GET", "/health");
		expect(health.status).toBe(200);
		expect(Object.keys(health.json.checks)).toEqual(["catalog", "store:memory"]);

		const sick = await t.request("GET", "/api/v1/admin/doctor", { token: t.adminToken });
		expect(sick.status).toBe(200);
		expect(sick.json).toMatchObject({
			ok: false,
			catalog: { ok: true },
			unsettled: 0,
			stores: [
				{ name: "memory", type: "memory", role: "primary", ok: true },
				{ name: "backup", type: "memory", role: "backup", ok: false, error: "STORE_UNAVAILABLE" },
			],
		});
		expect(
			sick.json.divergences
				.map((d: { id: string; op: string; side: string }) => `${d.id} ${d.op} ${d.side}`)
				.sort(),
		).toEqual([`${first} set backup`, `${second} set backup`].sort());
		expect(await doctor(t.server.runtime)).toEqual(sick.json);

		backup.unavailable = false;
		const resync = await t.request("POST", "/api/v1/admin/resync", { token: t.adminToken });
		expect(resync.status).toBe(200);
		expect(resync.json).toEqual({ repaired: 2, failed: [] });
		expect(backup.data.get(first)).toMatchObject({ values: { k: "1b" }, version: 2 });
		expect(backup.data.get(second)).toMatchObject({ values: { k: "2" }, version: 1 });
		const healthy = await t.request("GET", "/api/v1/admin/doctor", { token: t.adminToken });
		expect(healthy.json).toMatchObject({ ok: true, divergences: [], unsettled: 0 });
	});

	it("reads from the backup while the primary is unavailable", async () => {
		const id = await create("fallback", { k: "v" });
		primary.unavailable = true;
		try {
			const r = await t.request("GET", `/api/v1/secrets/${id}`, { token: alice });
			expect(r.status).toBe(200);
			expect(r.json.values).toEqual({ k: "v" });
			const report = await doctor(t.server.runtime);
			expect(report.stores[0]).toMatchObject({
				role: "primary",
				ok: false,
				error: "STORE_UNAVAILABLE",
			});
		} finally {
			primary.unavailable = false;
		}
	});

	it("doctor counts unsettled rows; doctor and resync are for admins and audited", async () => {
		const { catalog } = t.server.runtime;
		const id = randomUUID();
		await catalog.insertPending({
			id,
			name: "half-written",
			scope: "workspace",
			workspace: "ws-a",
			owner: null,
			keys: ["k"],
			backend: "memory",
			now: new Date(),
		});
		expect((await doctor(t.server.runtime)).unsettled).toBe(1);
		await catalog.remove(id);
		expect((await t.request("GET", "/api/v1/admin/doctor", { token: alice })).status).toBe(403);
		expect((await t.request("POST", "/api/v1/admin/resync", { token: alice })).status).toBe(403);
		expect((await t.request("GET", "/api/v1/admin/doctor")).status).toBe(401);
		let ops: string[] = [];
		for (let i = 0; i < 50 && !ops.includes("admin.resync:ok"); i++) {
			await new Promise((done) => setTimeout(done, 20));
			const audit = await t.request("GET", "/api/v1/audit?actor=admin&size=100", {
				token: t.adminToken,
			});
			ops = audit.json.items.map((e: { op: string; outcome: string }) => `${e.op}:${e.outcome}`);
		}
		expect(ops).toContain("admin.doctor:ok");
		expect(ops).toContain("admin.resync:ok");
	});
});

describe("doctor without a backup", () => {
	it("reports the embedded store and the catalog", async () => {
		const plain = await startTestServer();
		try {
			expect(await doctor(plain.server.runtime)).toEqual({
				ok: true,
				catalog: { ok: true },
				stores: [{ name: "sql", type: "sql", role: "primary", ok: true }],
				unsettled: 0,
				divergences: [],
			});
		} finally {
			await plain.close();
		}
	});
});
