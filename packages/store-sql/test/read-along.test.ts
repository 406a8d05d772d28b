/**
 * The SQLite read-along (see src/prefetch.ts): a secret read costs one statement, and a
 * prefetched values row never outlives the read it belongs to. SQLite only: the other
 * databases never prefetch.
 */
import { randomUUID } from "node:crypto";
import { createStore, type ManagedStore } from "@strongbox/core";
import type { Knex } from "knex";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqlCatalog, type SqlCatalog } from "../src/catalog.js";
import { sqlStore } from "../src/definition.js";
import { generateKey } from "../src/keyring.js";
import { type DatabaseFixture, openFixture } from "./databases.js";

const KEYS = `k1:${generateKey()}`;

describe("read-along on sqlite", () => {
	let fixture: DatabaseFixture;
	let catalog: SqlCatalog;
	let store: ManagedStore;
	let other: ManagedStore;
	let outside: Knex;

	beforeAll(async () => {
		fixture = await openFixture({ name: "sqlite" });
		catalog = createSqlCatalog({ knex: fixture.knex, tablePrefix: fixture.prefix });
		await catalog.init();
		const options = { keys: KEYS, tablePrefix: fixture.prefix };
		store = await createStore(sqlStore, options, {
			catalogConnection: fixture.knex,
			deploymentId: "ra",
		});
		other = await createStore(sqlStore, options, {
			catalogConnection: fixture.knex,
			deploymentId: "ra",
		});
		await store.init();
		await other.init();
		outside = fixture.open();
	});
	afterAll(async () => {
		await Promise.all([store?.close(), other?.close(), catalog?.close()]);
		await fixture?.cleanup();
	});

	async function secret(values: Record<string, string>) {
		const id = randomUUID();
		await catalog.insertPending({
			id,
			name: `ra-${id.slice(0, 8)}`,
			scope: "workspace",
			workspace: "w",
			owner: null,
			keys: Object.keys(values),
			backend: "sql",
			now: new Date(),
		});
		await store.set(id, values, { version: 1 });
		await catalog.commitCreate(id, new Date());
		return id;
	}

	/** Rewrites the values behind the stores' back, through another connection (another process, say). */
	async function rewriteOutside(id: string, values: Record<string, string>) {
		const writer = await createStore(
			sqlStore,
			{ knex: outside, keys: KEYS, tablePrefix: fixture.prefix },
			{ deploymentId: "ra" },
		);
		await writer.set(id, values, { version: 1 });
		await writer.close();
	}

	it("serves the values read that follows the catalog read from the same snapshot", async () => {
		const id = await secret({ a: "1" });
		expect((await catalog.get(id))?.id).toBe(id);
		await rewriteOutside(id, { a: "2" });
		// Same turn, no catalog call in between: the pair read together is returned.
		expect((await store.get(id))?.values).toEqual({ a: "1" });
		// Taken once: the next read goes to the database.
		expect((await store.get(id))?.values).toEqual({ a: "2" });
	});

	it("never serves a prefetched row after a write through any store on the table", async () => {
		const id = await secret({ a: "1" });
		await catalog.get(id);
		await other.set(id, { a: "written" }, { version: 2 });
		expect(await store.get(id)).toEqual({ values: { a: "written" }, version: 2 });
		await catalog.findByName({
			name: `ra-${id.slice(0, 8)}`,
			workspace: "w",
			scope: "workspace",
			owner: null,
		});
		await other.delete(id);
		expect(await store.get(id)).toBeUndefined();
	});

	it("drops prefetched rows on any other catalog call and at the end of the turn", async () => {
		const id = await secret({ a: "1" });
		await catalog.get(id);
		await rewriteOutside(id, { a: "2" });
		await catalog.listUnsettled(new Date(0), 1);
		expect((await store.get(id))?.values).toEqual({ a: "2" });
		await catalog.get(id);
		await rewriteOutside(id, { a: "3" });
		await new Promise((resolve) => setImmediate(resolve));
		expect((await store.get(id))?.values).toEqual({ a: "3" });
	});

	it("knows when the values row is missing", async () => {
		const id = await secret({ a: "1" });
		await store.delete(id);
		await catalog.get(id);
		expect(await store.get(id)).toBeUndefined();
	});
});
