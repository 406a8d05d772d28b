/**
 * The catalog contract as tests, written against core's `memoryCatalog` semantics and
 * run on it too, so that the SQL catalog is checked against the reference itself.
 */
import { randomUUID } from "node:crypto";
import { type Catalog, type NewCatalogRow, SecretExistsError } from "@strongbox/core";
import { expect, it } from "vitest";

const T0 = new Date("2026-01-01T00:00:00.000Z");

function at(ms: number): Date {
	return new Date(T0.getTime() + ms);
}

/** A new row for `insertPending`. */
export function newRow(overrides: Partial<NewCatalogRow> = {}): NewCatalogRow {
	return {
		id: randomUUID(),
		name: `s-${randomUUID().slice(0, 8)}`,
		scope: "workspace",
		workspace: "ws-a",
		owner: null,
		keys: ["a", "b"],
		backend: "sql",
		now: T0,
		...overrides,
	};
}

/** Inserts and commits a row; returns it. */
export async function activeRow(catalog: Catalog, overrides: Partial<NewCatalogRow> = {}) {
	const row = newRow(overrides);
	await catalog.insertPending(row);
	expect(await catalog.commitCreate(row.id, row.now)).toBe(true);
	return row;
}

/** Registers the contract tests; `catalog()` returns the catalog under test (initialised). */
export function catalogContract(catalog: () => Catalog): void {
	it("inserts pending rows, invisible to listings until committed", async () => {
		const c = catalog();
		const row = newRow({ workspace: "ws-pending" });
		await c.insertPending(row);
		const got = await c.get(row.id);
		expect(got).toMatchObject({
			id: row.id,
			name: row.name,
			scope: "workspace",
			workspace: "ws-pending",
			owner: null,
			keys: ["a", "b"],
			version: 1,
			valuesVersion: 1,
			backend: "sql",
			state: "pending",
			pending: null,
		});
		expect(got!.createdAt).toEqual(T0);
		expect(got!.updatedAt).toEqual(T0);
		const query = {
			sortBy: "name",
			sortOrder: "asc",
			page: 1,
			size: 20,
			visibility: { all: true, workspaces: "*" },
		} as const;
		expect((await c.list({ ...query, workspace: "ws-pending" })).total).toBe(0);
		expect(await c.commitCreate(row.id, at(5))).toBe(true);
		expect(await c.commitCreate(row.id, at(6))).toBe(false);
		const active = await c.get(row.id);
		expect(active!.state).toBe("active");
		expect(active!.updatedAt).toEqual(at(5));
		expect(active!.createdAt).toEqual(T0);
		expect((await c.list({ ...query, workspace: "ws-pending" })).total).toBe(1);
		expect(await c.commitCreate(randomUUID(), at(1))).toBe(false);
	});

	it("keeps names unique per (workspace, scope, owner), in any state", async () => {
		const c = catalog();
		const first = newRow({ name: "unique-db" });
		await c.insertPending(first);
		await expect(c.insertPending(newRow({ name: "unique-db" }))).rejects.toBeInstanceOf(
			SecretExistsError,
		);
		await c.commitCreate(first.id, T0);
		await expect(c.insertPending(newRow({ name: "unique-db" }))).rejects.toBeInstanceOf(
			SecretExistsError,
		);
		// Same name elsewhere is fine: other workspace, user scope, other owner, other case.
		await c.insertPending(newRow({ name: "unique-db", workspace: "ws-b" }));
		await c.insertPending(newRow({ name: "unique-db", scope: "user", owner: "alice" }));
		await c.insertPending(newRow({ name: "unique-db", scope: "user", owner: "bob" }));
		await expect(
			c.insertPending(newRow({ name: "unique-db", scope: "user", owner: "alice" })),
		).rejects.toBeInstanceOf(SecretExistsError);
		await c.insertPending(newRow({ name: "Unique-DB" }));
		await c.insertPending(newRow({ name: "unique-db-2" }));
		expect(
			(
				await c.findByName({
					name: "unique-db",
					workspace: "ws-a",
					scope: "workspace",
					owner: null,
				})
			)?.id,
		).toBe(first.id);
		expect(
			(await c.findByName({ name: "unique-db", workspace: "ws-a", scope: "user", owner: "alice" }))
				?.owner,
		).toBe("alice");
		expect(
			await c.findByName({ name: "UNIQUE-DB", workspace: "ws-a", scope: "workspace", owner: null }),
		).toBeUndefined();
		// A deleted row frees the name.
		expect(await c.markDeleting(first.id)).toBe(true);
		await expect(c.insertPending(newRow({ name: "unique-db" }))).rejects.toBeInstanceOf(
			SecretExistsError,
		);
		await c.remove(first.id);
		await c.insertPending(newRow({ name: "unique-db" }));
	});

	it("begins, commits and aborts values writes with compare-and-set", async () => {
		const c = catalog();
		const row = await activeRow(c, { name: "cas-1" });
		expect(await c.beginWrite(row.id, { fromVersion: 2, keys: ["x"], now: at(1) })).toBe(false);
		expect(await c.beginWrite(row.id, { fromVersion: 1, keys: ["x"], now: at(1) })).toBe(true);
		// One write in flight at a time, and no metadata change or delete meanwhile.
		expect(await c.beginWrite(row.id, { fromVersion: 1, keys: ["y"], now: at(2) })).toBe(false);
		expect(await c.updateMetadata(row.id, { fromVersion: 1, name: "cas-other", now: at(2) })).toBe(
			false,
		);
		expect(await c.markDeleting(row.id)).toBe(false);
		expect(await c.setBackend(row.id, 1, "aws")).toBe(false);
		const pending = await c.get(row.id);
		expect(pending!.version).toBe(1);
		expect(pending!.pending).toEqual({ version: 2, keys: ["x"], since: at(1), undo: null });
		expect(await c.commitWrite(row.id, 3, at(3))).toBe(false);
		expect(await c.commitWrite(row.id, 2, at(3))).toBe(true);
		expect(await c.commitWrite(row.id, 2, at(3))).toBe(false);
		const done = await c.get(row.id);
		expect(done).toMatchObject({
			version: 2,
			valuesVersion: 2,
			keys: ["x"],
			pending: null,
			state: "active",
		});
		expect(done!.updatedAt).toEqual(at(3));
		// Abort: version and keys unchanged.
		expect(await c.beginWrite(row.id, { fromVersion: 2, keys: ["z"], now: at(4) })).toBe(true);
		expect(await c.abortWrite(row.id, 4)).toBe(false);
		expect(await c.abortWrite(row.id, 3)).toBe(true);
		expect(await c.abortWrite(row.id, 3)).toBe(false);
		expect(await c.get(row.id)).toMatchObject({
			version: 2,
			valuesVersion: 2,
			keys: ["x"],
			pending: null,
		});
		expect((await c.get(row.id))!.updatedAt).toEqual(at(3));
	});

	it("releases an abandoned write: still pending, stale at once", async () => {
		const c = catalog();
		const row = await activeRow(c, { name: "release-1" });
		expect(await c.beginWrite(row.id, { fromVersion: 1, keys: ["x"], now: at(5) })).toBe(true);
		expect(await c.releaseWrite(row.id, 3)).toBe(false);
		expect(await c.releaseWrite(row.id, 2)).toBe(true);
		expect((await c.get(row.id))!.pending).toEqual({
			version: 2,
			keys: ["x"],
			since: new Date(0),
			undo: null,
		});
		// Listed for reconciliation whatever the cut-off.
		expect((await c.listUnsettled(at(0), 100)).map((r) => r.id)).toContain(row.id);
		expect(await c.abortWrite(row.id, 2)).toBe(true);
		expect(await c.releaseWrite(row.id, 2)).toBe(false);
	});

	it("applies a rename in beginWrite at once and restores it on abort", async () => {
		const c = catalog();
		const row = await activeRow(c, { name: "ren-a" });
		const taken = await activeRow(c, { name: "ren-taken" });
		await expect(
			c.beginWrite(row.id, {
				fromVersion: 1,
				keys: ["k"],
				metadata: { name: "ren-taken" },
				now: at(1),
			}),
		).rejects.toBeInstanceOf(SecretExistsError);
		expect((await c.get(row.id))!.pending).toBeNull();
		expect(
			await c.beginWrite(row.id, {
				fromVersion: 1,
				keys: ["k"],
				metadata: { name: "ren-b", scope: "user", owner: "alice" },
				now: at(1),
			}),
		).toBe(true);
		const moved = await c.get(row.id);
		expect(moved).toMatchObject({ name: "ren-b", scope: "user", owner: "alice", version: 1 });
		expect(moved!.pending!.undo).toEqual({ name: "ren-a", scope: "workspace", owner: null });
		expect(
			await c.findByName({ name: "ren-b", workspace: "ws-a", scope: "user", owner: "alice" }),
		).toBeDefined();
		expect(await c.abortWrite(row.id, 2)).toBe(true);
		expect(await c.get(row.id)).toMatchObject({
			name: "ren-a",
			scope: "workspace",
			owner: null,
			pending: null,
		});
		// Committing keeps the new name.
		expect(
			await c.beginWrite(row.id, {
				fromVersion: 1,
				keys: ["k"],
				metadata: { name: "ren-c" },
				now: at(2),
			}),
		).toBe(true);
		expect(await c.commitWrite(row.id, 2, at(3))).toBe(true);
		expect(await c.get(row.id)).toMatchObject({
			name: "ren-c",
			version: 2,
			keys: ["k"],
			owner: null,
		});
		// Abort when the old name was taken meanwhile: the new name stays, pending is cleared.
		expect(
			await c.beginWrite(row.id, {
				fromVersion: 2,
				keys: ["k"],
				metadata: { name: "ren-d" },
				now: at(4),
			}),
		).toBe(true);
		await activeRow(c, { name: "ren-c" });
		expect(await c.abortWrite(row.id, 3)).toBe(true);
		expect(await c.get(row.id)).toMatchObject({ name: "ren-d", pending: null, version: 2 });
		expect(taken.name).toBe("ren-taken");
	});

	it("renames and changes scope with updateMetadata (CAS, version + 1)", async () => {
		const c = catalog();
		const row = await activeRow(c, { name: "meta-a" });
		await activeRow(c, { name: "meta-taken" });
		expect(await c.updateMetadata(row.id, { fromVersion: 2, name: "meta-b", now: at(1) })).toBe(
			false,
		);
		await expect(
			c.updateMetadata(row.id, { fromVersion: 1, name: "meta-taken", now: at(1) }),
		).rejects.toBeInstanceOf(SecretExistsError);
		expect(await c.updateMetadata(row.id, { fromVersion: 1, name: "meta-b", now: at(1) })).toBe(
			true,
		);
		expect(await c.get(row.id)).toMatchObject({ name: "meta-b", version: 2, valuesVersion: 1 });
		expect(
			await c.updateMetadata(row.id, { fromVersion: 2, scope: "user", owner: "bob", now: at(2) }),
		).toBe(true);
		const moved = await c.get(row.id);
		expect(moved).toMatchObject({ name: "meta-b", scope: "user", owner: "bob", version: 3 });
		expect(moved!.updatedAt).toEqual(at(2));
		expect(
			await c.updateMetadata(row.id, {
				fromVersion: 3,
				scope: "workspace",
				owner: null,
				now: at(3),
			}),
		).toBe(true);
		expect(await c.get(row.id)).toMatchObject({ scope: "workspace", owner: null, version: 4 });
		expect(await c.updateMetadata(randomUUID(), { fromVersion: 1, name: "x", now: at(1) })).toBe(
			false,
		);
	});

	it("marks, unmarks and removes deleting rows", async () => {
		const c = catalog();
		const row = await activeRow(c, { name: "del-a" });
		expect(await c.markDeleting(row.id, 2)).toBe(false);
		expect(await c.markDeleting(row.id, 1)).toBe(true);
		expect(await c.markDeleting(row.id)).toBe(false);
		expect((await c.get(row.id))!.state).toBe("deleting");
		expect(await c.unmarkDeleting(row.id)).toBe(true);
		expect(await c.unmarkDeleting(row.id)).toBe(false);
		expect(await c.markDeleting(row.id)).toBe(true);
		await c.remove(row.id);
		expect(await c.get(row.id)).toBeUndefined();
		await c.remove(row.id);
		const pending = newRow();
		await c.insertPending(pending);
		expect(await c.markDeleting(pending.id)).toBe(false);
	});

	it("lists unsettled rows: stale pending creates and writes, every deleting row", async () => {
		const c = catalog();
		const old = newRow({ now: at(-10_000), workspace: "ws-unsettled" });
		const fresh = newRow({ now: at(10_000), workspace: "ws-unsettled" });
		await c.insertPending(old);
		await c.insertPending(fresh);
		const writing = await activeRow(c, { workspace: "ws-unsettled" });
		await c.beginWrite(writing.id, { fromVersion: 1, keys: [], now: at(-5_000) });
		const freshWrite = await activeRow(c, { workspace: "ws-unsettled" });
		await c.beginWrite(freshWrite.id, { fromVersion: 1, keys: [], now: at(5_000) });
		const deleting = await activeRow(c, { workspace: "ws-unsettled", now: at(50_000) });
		await c.markDeleting(deleting.id);
		const settled = await activeRow(c, { workspace: "ws-unsettled", now: at(-50_000) });
		const ids = new Set((await c.listUnsettled(T0, 1000)).map((r) => r.id));
		expect(ids.has(old.id)).toBe(true);
		expect(ids.has(writing.id)).toBe(true);
		expect(ids.has(deleting.id)).toBe(true);
		expect(ids.has(fresh.id)).toBe(false);
		expect(ids.has(freshWrite.id)).toBe(false);
		expect(ids.has(settled.id)).toBe(false);
		const unsettled = (await c.listUnsettled(T0, 1000)).find((r) => r.id === writing.id);
		expect(unsettled!.pending).toEqual({ version: 2, keys: [], since: at(-5_000), undo: null });
		expect((await c.listUnsettled(at(100_000), 2)).length).toBe(2);
		for (const id of ids) await c.remove(id);
		for (const id of [fresh.id, freshWrite.id, settled.id]) await c.remove(id);
	});

	it("gets many rows in input order and tells which ids exist", async () => {
		const c = catalog();
		const a = await activeRow(c);
		const b = newRow();
		await c.insertPending(b);
		const missing = randomUUID();
		const rows = await c.getMany([b.id, missing, a.id]);
		expect(rows.map((r) => r.id)).toEqual([b.id, a.id]);
		expect(rows.map((r) => r.state)).toEqual(["pending", "active"]);
		expect(await c.getMany([])).toEqual([]);
		expect(await c.existing([a.id, missing, b.id])).toEqual(new Set([a.id, b.id]));
		expect(await c.existing([])).toEqual(new Set());
		const many = Array.from({ length: 1200 }, () => randomUUID());
		expect(await c.existing([...many, a.id])).toEqual(new Set([a.id]));
		expect((await c.getMany([...many, a.id])).map((r) => r.id)).toEqual([a.id]);
	});

	it("lists rows by back-end in id order and moves them with setBackend (CAS on values version)", async () => {
		const c = catalog();
		const backend = `b${randomUUID().slice(0, 8)}`;
		const rows = [];
		for (let i = 0; i < 5; i++) rows.push(await activeRow(c, { backend }));
		const pending = newRow({ backend });
		await c.insertPending(pending);
		const sorted = rows.map((r) => r.id).sort();
		const first = await c.listByBackend(backend, null, 3);
		expect(first.map((r) => r.id)).toEqual(sorted.slice(0, 3));
		const next = await c.listByBackend(backend, first[2]!.id, 3);
		expect(next.map((r) => r.id)).toEqual(sorted.slice(3));
		expect(await c.setBackend(sorted[0]!, 2, "aws")).toBe(false);
		expect(await c.setBackend(sorted[0]!, 1, "aws")).toBe(true);
		expect(await c.setBackend(sorted[0]!, 1, "aws")).toBe(true);
		expect((await c.get(sorted[0]!))!.backend).toBe("aws");
		expect((await c.listByBackend(backend, null, 10)).map((r) => r.id)).toEqual(sorted.slice(1));
		expect(await c.setBackend(pending.id, 1, "aws")).toBe(false);
		// A rename does not rewrite values: the values version still matches.
		await c.updateMetadata(sorted[1]!, {
			fromVersion: 1,
			name: `renamed-${randomUUID().slice(0, 6)}`,
			now: at(1),
		});
		expect(await c.setBackend(sorted[1]!, 1, "gcp")).toBe(true);
	});

	it("keeps settings", async () => {
		const c = catalog();
		const key = `k-${randomUUID()}`;
		expect(await c.getSetting(key)).toBeUndefined();
		expect(await c.initSetting(key, "one")).toBe("one");
		expect(await c.initSetting(key, "two")).toBe("one");
		expect(await c.getSetting(key)).toBe("one");
		await c.setSetting(key, "three");
		expect(await c.getSetting(key)).toBe("three");
		expect(await c.initSetting(key, "four")).toBe("three");
		await c.setSetting(`${key}-new`, "x".repeat(1000));
		expect(await c.getSetting(`${key}-new`)).toBe("x".repeat(1000));
		await c.deleteSetting(key);
		expect(await c.getSetting(key)).toBeUndefined();
		await c.deleteSetting(key);
	});

	it("lists settings by a literal prefix", async () => {
		const c = catalog();
		const base = `p-${randomUUID().slice(0, 8)}`;
		await c.setSetting(`${base}/a`, "1");
		await c.setSetting(`${base}/b`, "2");
		await c.setSetting(`${base}_x`, "3");
		await c.setSetting(`${base}%y`, "4");
		await c.setSetting(`${base.toUpperCase()}/c`, "5");
		expect(await c.listSettings(`${base}/`)).toEqual({ [`${base}/a`]: "1", [`${base}/b`]: "2" });
		expect(await c.listSettings(`${base}_`)).toEqual({ [`${base}_x`]: "3" });
		expect(await c.listSettings(`${base}%`)).toEqual({ [`${base}%y`]: "4" });
		expect(Object.keys(await c.listSettings(base)).sort()).toEqual(
			[`${base}%y`, `${base}/a`, `${base}/b`, `${base}_x`].sort(),
		);
		expect(await c.listSettings(`${base}/zzz`)).toEqual({});
		expect(Object.keys(await c.listSettings("")).length).toBeGreaterThanOrEqual(5);
	});
}
