/**
 * Listing filters on each database, checked two ways: readable cases for each rule, and
 * a differential run of a few hundred generated queries against core's memoryCatalog
 * (the reference semantics) on the same rows.
 */
import { randomUUID } from "node:crypto";
import {
	type Catalog,
	type CatalogQuery,
	memoryCatalog,
	type NewCatalogRow,
	type Visibility,
} from "@strongbox/core";
import { mulberry32 } from "@strongbox/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqlCatalog, type SqlCatalog } from "../src/catalog.js";
import { type DatabaseFixture, openFixture, testDatabases } from "./databases.js";

const T0 = Date.parse("2026-03-01T00:00:00Z");
const NAMES = [
	"db",
	"DB",
	"Db-main",
	"db_prod",
	"dbxprod",
	"my-db",
	"app-db-main",
	"a_b",
	"axb",
	"a%b",
	"a\\b",
	"x!y",
	"zeta",
	"main-db",
	"MAIN",
	"api_key",
	"apixkey",
	"b-m",
];

interface Seed {
	row: NewCatalogRow;
	updatedAt: Date;
}

function seeds(): Seed[] {
	const out: Seed[] = [];
	const owners = [
		{ scope: "workspace", workspace: "ws-a", owner: null },
		{ scope: "workspace", workspace: "ws-b", owner: null },
		{ scope: "user", workspace: "ws-a", owner: "alice" },
		{ scope: "user", workspace: "ws-b", owner: "bob" },
		{ scope: "workspace", workspace: "ws-c", owner: null },
	] as const;
	let i = 0;
	for (const place of owners) {
		for (const name of NAMES) {
			i++;
			// Several rows share a timestamp, so the id tie-breaker is exercised.
			const created = T0 + Math.floor(i / 3) * 60_000;
			out.push({
				row: {
					id: randomUUID(),
					name,
					...place,
					keys: ["k"],
					backend: "sql",
					now: new Date(created),
				},
				updatedAt: new Date(created + ((i * 7919) % 5) * 3_600_000),
			});
		}
	}
	return out;
}

async function load(catalog: Catalog, rows: Seed[]): Promise<void> {
	for (const { row, updatedAt } of rows) {
		await catalog.insertPending(row);
		await catalog.commitCreate(row.id, updatedAt);
	}
}

const ALL: Visibility = { all: true, workspaces: "*" };

function query(partial: Partial<CatalogQuery> = {}): CatalogQuery {
	return {
		sortBy: "createdAt",
		sortOrder: "asc",
		page: 1,
		size: 1000,
		visibility: ALL,
		...partial,
	};
}

function pick<T>(random: () => number, items: readonly T[]): T {
	return items[Math.floor(random() * items.length)]!;
}

const VALUES = [
	"db",
	"DB",
	"Db",
	"d",
	"_",
	"a_b",
	"%",
	"a%b",
	"\\",
	"a\\b",
	"!",
	"x!y",
	"main",
	"MAIN",
	"-",
	"prod",
	"b-m",
	"app-db-main",
	"zzz",
	"b",
	"ai",
	"key",
	"_k",
	"%b",
	"db-",
];
const VISIBILITIES: Visibility[] = [
	ALL,
	{ user: "alice", workspaces: ["ws-a"] },
	{ user: "bob", workspaces: "*" },
	{ workspaces: [] },
	{ user: "carol", workspaces: ["ws-c", "ws-b"] },
	{ user: "alice", workspaces: [] },
];

function randomQuery(random: () => number): CatalogQuery {
	const q = query({
		sortBy: pick(random, ["name", "createdAt", "updatedAt"] as const),
		sortOrder: pick(random, ["asc", "desc"] as const),
		size: pick(random, [1, 3, 7, 20, 1000]),
		page: pick(random, [1, 1, 2, 3, 50]),
		visibility: pick(random, VISIBILITIES),
	});
	if (random() < 0.7) {
		q.name = {
			op: pick(random, ["equals", "contains", "startswith", "endswith"] as const),
			value: pick(random, VALUES),
		};
	}
	if (random() < 0.3) q.scope = pick(random, ["workspace", "user"] as const);
	if (random() < 0.3) q.workspace = pick(random, ["ws-a", "ws-b", "ws-c", "ws-z"]);
	if (random() < 0.2) q.owner = pick(random, ["alice", "bob", "carol"]);
	if (random() < 0.2) q.createdAfter = new Date(T0 + Math.floor(random() * 40) * 60_000);
	if (random() < 0.2) q.createdBefore = new Date(T0 + Math.floor(random() * 40) * 60_000);
	if (random() < 0.2) q.updatedAfter = new Date(T0 + Math.floor(random() * 6) * 3_600_000);
	if (random() < 0.2) q.updatedBefore = new Date(T0 + Math.floor(random() * 6) * 3_600_000);
	return q;
}

describe.each(testDatabases())("listing filters on $name", (db) => {
	let fixture: DatabaseFixture;
	let catalog: SqlCatalog;
	const reference = memoryCatalog();
	const rows = seeds();
	const byName = (name: string, where: (s: Seed) => boolean = () => true) =>
		rows.filter((s) => s.row.name === name && where(s)).map((s) => s.row.id);

	beforeAll(async () => {
		fixture = await openFixture(db);
		catalog = createSqlCatalog({ knex: fixture.knex, tablePrefix: fixture.prefix });
		await catalog.init();
		await load(catalog, rows);
		await load(reference, rows);
	});
	afterAll(async () => {
		await catalog?.close();
		await fixture?.cleanup();
	});

	async function names(q: Partial<CatalogQuery>): Promise<string[]> {
		const { items } = await catalog.list(query({ sortBy: "name", ...q }));
		return [...new Set(items.map((r) => r.name))];
	}

	it("matches names case-sensitively with each operator", async () => {
		expect(await names({ name: { op: "equals", value: "db" } })).toEqual(["db"]);
		expect(await names({ name: { op: "equals", value: "DB" } })).toEqual(["DB"]);
		expect(await names({ name: { op: "equals", value: "dB" } })).toEqual([]);
		expect(await names({ name: { op: "startswith", value: "db" } })).toEqual([
			"db",
			"db_prod",
			"dbxprod",
		]);
		expect(await names({ name: { op: "startswith", value: "Db" } })).toEqual(["Db-main"]);
		expect(await names({ name: { op: "contains", value: "main" } })).toEqual([
			"Db-main",
			"app-db-main",
			"main-db",
		]);
		expect(await names({ name: { op: "contains", value: "MAIN" } })).toEqual(["MAIN"]);
		expect(await names({ name: { op: "endswith", value: "db" } })).toEqual([
			"db",
			"main-db",
			"my-db",
		]);
		expect(await names({ name: { op: "endswith", value: "DB" } })).toEqual(["DB"]);
		expect(await names({ name: { op: "endswith", value: "-main" } })).toEqual([
			"Db-main",
			"app-db-main",
		]);
	});

	it("treats %, _, \\ and ! in a filter value literally", async () => {
		expect(await names({ name: { op: "contains", value: "_" } })).toEqual([
			"a_b",
			"api_key",
			"db_prod",
		]);
		expect(await names({ name: { op: "equals", value: "a_b" } })).toEqual(["a_b"]);
		expect(await names({ name: { op: "startswith", value: "db_" } })).toEqual(["db_prod"]);
		expect(await names({ name: { op: "endswith", value: "_key" } })).toEqual(["api_key"]);
		expect(await names({ name: { op: "contains", value: "%" } })).toEqual(["a%b"]);
		expect(await names({ name: { op: "startswith", value: "%" } })).toEqual([]);
		expect(await names({ name: { op: "equals", value: "a%b" } })).toEqual(["a%b"]);
		expect(await names({ name: { op: "contains", value: "\\" } })).toEqual(["a\\b"]);
		expect(await names({ name: { op: "contains", value: "!" } })).toEqual(["x!y"]);
		expect(await names({ name: { op: "contains", value: "x!y" } })).toEqual(["x!y"]);
		expect(await names({ name: { op: "equals", value: "db " } })).toEqual([]);
	});

	it("filters by scope, workspace and owner", async () => {
		const user = await catalog.list(query({ scope: "user" }));
		expect(user.total).toBe(NAMES.length * 2);
		expect(user.items.every((r) => r.scope === "user" && r.owner !== null)).toBe(true);
		const wsB = await catalog.list(query({ workspace: "ws-b", scope: "workspace" }));
		expect(wsB.total).toBe(NAMES.length);
		expect(wsB.items.every((r) => r.workspace === "ws-b" && r.owner === null)).toBe(true);
		const bob = await catalog.list(query({ owner: "bob" }));
		expect(bob.items.map((r) => r.id).sort()).toEqual(
			rows
				.filter((s) => s.row.owner === "bob")
				.map((s) => s.row.id)
				.sort(),
		);
		expect((await catalog.list(query({ owner: "carol" }))).total).toBe(0);
	});

	it("applies visibility: own user-scoped rows and member workspaces only", async () => {
		const alice = await catalog.list(
			query({ visibility: { user: "alice", workspaces: ["ws-a"] } }),
		);
		expect(
			alice.items.every((r) => (r.scope === "user" ? r.owner === "alice" : r.workspace === "ws-a")),
		).toBe(true);
		expect(alice.total).toBe(NAMES.length * 2);
		const none = await catalog.list(query({ visibility: { workspaces: [] } }));
		expect(none).toEqual({ items: [], total: 0 });
		const everyWorkspace = await catalog.list(query({ visibility: { workspaces: "*" } }));
		expect(everyWorkspace.total).toBe(NAMES.length * 3);
		expect(
			(
				await names({
					name: { op: "equals", value: "db" },
					visibility: { user: "bob", workspaces: ["ws-c"] },
				})
			).length,
		).toBe(1);
		expect(byName("db").length).toBe(5);
	});

	it("filters created and updated ranges (inclusive lower, exclusive upper bound)", async () => {
		const after = new Date(T0 + 10 * 60_000);
		const before = new Date(T0 + 20 * 60_000);
		const got = await catalog.list(query({ createdAfter: after, createdBefore: before }));
		const expected = rows
			.filter((s) => s.row.now >= after && s.row.now < before)
			.map((s) => s.row.id);
		expect(got.items.map((r) => r.id).sort()).toEqual(expected.sort());
		expect(got.items.some((r) => r.createdAt.getTime() === after.getTime())).toBe(true);
		expect(got.items.some((r) => r.createdAt.getTime() === before.getTime())).toBe(false);
		const updatedAfter = new Date(T0 + 2 * 3_600_000);
		const updated = await catalog.list(query({ updatedAfter }));
		expect(updated.total).toBe(rows.filter((s) => s.updatedAt >= updatedAfter).length);
		const updatedBefore = new Date(T0 + 3_600_000);
		expect((await catalog.list(query({ updatedBefore }))).total).toBe(
			rows.filter((s) => s.updatedAt < updatedBefore).length,
		);
	});

	it.each([
		["name", "asc"],
		["name", "desc"],
		["createdAt", "asc"],
		["createdAt", "desc"],
		["updatedAt", "asc"],
		["updatedAt", "desc"],
	] as const)("sorts by %s %s with the id as tie-breaker", async (sortBy, sortOrder) => {
		const got = await catalog.list(query({ sortBy, sortOrder }));
		const want = await reference.list(query({ sortBy, sortOrder }));
		expect(got.items.map((r) => r.id)).toEqual(want.items.map((r) => r.id));
		const field = { name: "name", createdAt: "createdAt", updatedAt: "updatedAt" } as const;
		const keys = got.items.map((r) => r[field[sortBy]]);
		const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
		expect(keys).toEqual(sortOrder === "asc" ? sorted : sorted.reverse());
	});

	it("pages with a total, and answers a page past the end with no items", async () => {
		const all = await catalog.list(query({ sortBy: "name" }));
		const pages: string[] = [];
		for (let page = 1; page <= 10; page++) {
			const got = await catalog.list(query({ sortBy: "name", size: 10, page }));
			expect(got.total).toBe(rows.length);
			pages.push(...got.items.map((r) => r.id));
		}
		expect(pages).toEqual(all.items.map((r) => r.id));
		expect(await catalog.list(query({ size: 10, page: 11 }))).toEqual({
			items: [],
			total: rows.length,
		});
		expect(await catalog.list(query({ size: 1000, page: 1_000_000 }))).toEqual({
			items: [],
			total: rows.length,
		});
	});

	it("returns what memoryCatalog returns for 400 generated queries", async () => {
		const random = mulberry32(20260301);
		for (let i = 0; i < 400; i++) {
			const q = randomQuery(random);
			const got = await catalog.list(q);
			const want = await reference.list(q);
			const label = JSON.stringify(q);
			expect(got.total, label).toBe(want.total);
			expect(
				got.items.map((r) => r.id),
				label,
			).toEqual(want.items.map((r) => r.id));
		}
	});
});
