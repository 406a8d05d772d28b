import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
	catalogDivergenceLog,
	type DivergenceLog,
	isBackupStore,
	resync,
	withBackup,
} from "./backup.js";
import {
	PayloadTooLargeError,
	StoreConfigError,
	StoreError,
	StoreUnavailableError,
} from "./errors.js";
import { createMemoryStore, memoryCatalog } from "./memory.js";
import { createSecrets } from "./secrets.js";

const CANARY = "canary-backup-3c2f";
const AT = new Date("2026-02-01T10:00:00Z");

function setup(options: { backupMax?: number; log?: (real: DivergenceLog) => DivergenceLog } = {}) {
	const catalog = memoryCatalog();
	const primary = createMemoryStore({ name: "primary" });
	const backup = createMemoryStore({
		name: "backup",
		...(options.backupMax ? { maxValueBytes: options.backupMax } : {}),
	});
	const realLog = catalogDivergenceLog(catalog);
	const log = options.log ? options.log(realLog) : realLog;
	const pair = withBackup(primary, backup, { log, now: () => AT });
	const runtime = createSecrets({ catalog, store: pair });
	return { catalog, primary, backup, log: realLog, pair, runtime };
}

async function allSettings(catalog: ReturnType<typeof memoryCatalog>): Promise<string> {
	return JSON.stringify(await catalog.listSettings(""));
}

describe("withBackup", () => {
	it("writes both sides and keeps the primary's name", async () => {
		const { primary, backup, pair, runtime, catalog } = setup();
		expect(pair.name).toBe("primary");
		expect(isBackupStore(pair)).toBe(true);
		expect(isBackupStore(primary)).toBe(false);
		const s = await runtime.createSecret({ name: "db", values: { password: CANARY } });
		await runtime.updateSecret(s.id, { values: { user: "app" } });
		const t = await runtime.createSecret({ name: "gone", values: { a: "1" } });
		await runtime.deleteSecret(t.id);
		expect(s.backend).toBe("primary");
		expect((await catalog.get(s.id))!.backend).toBe("primary");
		expect(backup.control.data).toEqual(primary.control.data);
		expect(backup.control.data.get(s.id)!.version).toBe(2);
		expect(backup.control.data.has(t.id)).toBe(false);
		expect(await pair.listDivergences()).toEqual([]);
	});

	it("records a divergence when the backup misses a write, and the write succeeds", async () => {
		const { backup, primary, pair, runtime, catalog } = setup();
		const kept = await runtime.createSecret({ name: "kept", values: { a: "1" } });
		backup.control.unavailable = true;
		const s = await runtime.createSecret({ name: "db", values: { password: CANARY } });
		await runtime.deleteSecret(kept.id);
		expect((await runtime.getSecret(s.id)).values.password).toBe(CANARY);
		expect(primary.control.data.has(kept.id)).toBe(false);
		const divergences = await pair.listDivergences();
		expect(divergences).toHaveLength(2);
		expect(divergences).toEqual(
			expect.arrayContaining([
				{ store: "primary", id: s.id, op: "set", side: "backup", at: AT.toISOString(), version: 1 },
				{
					store: "primary",
					id: kept.id,
					op: "delete",
					side: "backup",
					at: AT.toISOString(),
					version: null,
				},
			]),
		);
		expect(await catalog.getSetting(`divergence:primary:${s.id}`)).toBe(
			JSON.stringify({ op: "set", side: "backup", at: AT.toISOString(), version: 1 }),
		);
		expect(await allSettings(catalog)).not.toContain(CANARY);
	});

	it("fails the write when the divergence cannot be recorded: never silent", async () => {
		const { backup, runtime } = setup({
			log: (real) => ({
				...real,
				async record() {
					throw new Error(`catalog down ${CANARY}`);
				},
			}),
		});
		backup.control.unavailable = true;
		const error = await runtime.createSecret({ name: "db", values: { a: CANARY } }).catch((e) => e);
		expect(error).toBeInstanceOf(StoreError);
		expect(error.message).toMatch(/divergence could not be recorded/);
		expect(error.message).not.toContain(CANARY);
	});

	it("reads from the backup while the primary is unavailable, and refuses writes", async () => {
		const { primary, backup, runtime, pair } = setup();
		const s = await runtime.createSecret({ name: "db", values: { password: CANARY } });
		await runtime.updateSecret(s.id, { values: { user: "app" } });
		primary.control.unavailable = true;
		const read = await runtime.getSecret(s.id);
		expect(read.values).toEqual({ password: CANARY, user: "app" });
		expect(read.version).toBe(2);
		expect((await runtime.getSecrets([s.id]))[0]!.version).toBe(2);
		await expect(runtime.updateSecret(s.id, { values: { user: "x" } })).rejects.toBeInstanceOf(
			StoreUnavailableError,
		);
		await expect(runtime.createSecret({ name: "new", values: { a: "1" } })).rejects.toBeInstanceOf(
			StoreUnavailableError,
		);
		// The backup was not touched by the refused writes.
		expect(backup.control.data.get(s.id)).toEqual({
			values: { password: CANARY, user: "app" },
			version: 2,
		});
		expect(await pair.listDivergences()).toEqual([]);
		primary.control.unavailable = false;
		expect((await runtime.getSecret(s.id)).values.user).toBe("app");
	});

	it("never falls back on not-found", async () => {
		const { primary, backup, pair } = setup();
		const id = randomUUID();
		await backup.set(id, { a: "1" }, { version: 1 });
		expect(await pair.get(id)).toBeUndefined();
		expect((await pair.getMany([id])).size).toBe(0);
		primary.control.unavailable = true;
		expect(await pair.get(id)).toEqual({ values: { a: "1" }, version: 1 });
	});

	it("checks sizes against the smaller of the two limits, before writing anything", async () => {
		const { runtime, primary, backup } = setup({ backupMax: 50 });
		await expect(
			runtime.createSecret({ name: "big", values: { a: "x".repeat(60) } }),
		).rejects.toBeInstanceOf(PayloadTooLargeError);
		expect(primary.control.data.size).toBe(0);
		expect(backup.control.data.size).toBe(0);
	});

	it("refuses a pair of one store, or no log", () => {
		const store = createMemoryStore();
		const log = catalogDivergenceLog(memoryCatalog());
		expect(() => withBackup(store, store, { log })).toThrow(StoreConfigError);
		expect(() => withBackup(store, createMemoryStore(), {} as never)).toThrow(StoreConfigError);
	});
});

describe("resync", () => {
	it("repairs every recorded divergence from the primary and clears it", async () => {
		const { backup, primary, runtime, log, pair, catalog } = setup();
		const updated = await runtime.createSecret({ name: "updated", values: { a: "1" } });
		const deleted = await runtime.createSecret({ name: "deleted", values: { a: "1" } });
		backup.control.unavailable = true;
		const created = await runtime.createSecret({ name: "created", values: { a: CANARY } });
		await runtime.updateSecret(updated.id, { values: { a: "2" } });
		await runtime.deleteSecret(deleted.id);
		expect(await pair.listDivergences()).toHaveLength(3);
		expect(backup.control.data.get(updated.id)!.version).toBe(1);

		const stillDown = await resync(runtime, log);
		expect(stillDown.repaired).toBe(0);
		expect(stillDown.failed.map((f) => f.reason)).toEqual(Array(3).fill("STORE_UNAVAILABLE"));
		expect(await pair.listDivergences()).toHaveLength(3);

		backup.control.unavailable = false;
		const report = await resync(runtime, log);
		expect(report).toEqual({ repaired: 3, failed: [] });
		expect(backup.control.data).toEqual(primary.control.data);
		expect(backup.control.data.get(created.id)!.values.a).toBe(CANARY);
		expect(backup.control.data.has(deleted.id)).toBe(false);
		expect(await pair.listDivergences()).toEqual([]);
		expect(await resync(pair, log)).toEqual({ repaired: 0, failed: [] });
		expect(JSON.stringify([stillDown, report])).not.toContain(CANARY);
		expect(await allSettings(catalog)).not.toContain(CANARY);
	});

	it("works on one backup store, and reports divergences it cannot repair", async () => {
		const { backup, primary, runtime, log, pair } = setup();
		backup.control.unavailable = true;
		const s = await runtime.createSecret({ name: "db", values: { a: "1" } });
		backup.control.unavailable = false;
		await log.record({
			store: "ghost",
			id: randomUUID(),
			op: "set",
			side: "backup",
			at: AT.toISOString(),
			version: 1,
		});
		expect(await resync(pair, log)).toEqual({ repaired: 1, failed: [] });
		expect(backup.control.data.get(s.id)).toEqual(primary.control.data.get(s.id));
		const viaRuntime = await resync(runtime, log);
		expect(viaRuntime.failed.map((f) => [f.store, f.reason])).toEqual([
			["ghost", "store-not-configured"],
		]);
		expect(await log.list()).toHaveLength(1);
	});

	it("refuses to repair a store that has no backup", async () => {
		const catalog = memoryCatalog();
		const runtime = createSecrets({ catalog, store: createMemoryStore({ name: "plain" }) });
		const log = catalogDivergenceLog(catalog);
		await log.record({
			store: "plain",
			id: randomUUID(),
			op: "delete",
			side: "backup",
			at: AT.toISOString(),
			version: null,
		});
		expect((await resync(runtime, log)).failed.map((f) => f.reason)).toEqual([
			"not-a-backup-store",
		]);
	});
});

describe("catalog settings by prefix", () => {
	it("lists literally by prefix and deletes", async () => {
		const catalog = memoryCatalog();
		await catalog.setSetting("divergence:a:1", "x");
		await catalog.setSetting("divergence:a:2", "y");
		await catalog.setSetting("divergence:b:1", "z");
		await catalog.setSetting("other", "w");
		expect(await catalog.listSettings("divergence:a:")).toEqual({
			"divergence:a:1": "x",
			"divergence:a:2": "y",
		});
		expect(await catalog.listSettings("divergence:%")).toEqual({});
		await catalog.deleteSetting("divergence:a:1");
		await catalog.deleteSetting("absent");
		expect(Object.keys(await catalog.listSettings("divergence:"))).toEqual([
			"divergence:a:2",
			"divergence:b:1",
		]);
	});
});
