/**
 * The published conformance suites on each database: `describeSecretsStore` on the SQL
 * values store, and `describeSecrets` on the SQL catalog with the SQL store.
 *
 * `failBackend` takes the database away for real: on PostgreSQL and MySQL a TCP proxy in
 * front of the server drops every connection and refuses new ones; on SQLite a second
 * connection holds an EXCLUSIVE lock (the store's database runs in rollback-journal
 * mode for this, where such a lock blocks readers too) so every statement fails with
 * SQLITE_BUSY.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStore } from "@strongbox/core";
import { describeSecrets, describeSecretsStore, inProcessSecretsFixture } from "@strongbox/testkit";
import knexFactory, { type Knex } from "knex";
import { afterAll, beforeAll, describe } from "vitest";
import { createSqlCatalog } from "../src/catalog.js";
import { openDatabase } from "../src/database.js";
import { sqlStore } from "../src/definition.js";
import { generateKey } from "../src/keyring.js";
import type { SqlStoreOptions } from "../src/options.js";
import { type DatabaseFixture, openFixture, randomPrefix, testDatabases } from "./databases.js";
import { startProxy, type TcpProxy } from "./proxy.js";

const KEYS = `k1:${generateKey()}`;

interface StoreBackend {
	knex: Knex;
	raw: Knex;
	fail(): Promise<() => Promise<void>>;
	close(): Promise<void>;
}

async function sqliteBackend(): Promise<StoreBackend> {
	const dir = await mkdtemp(join(tmpdir(), "strongbox-conformance-"));
	const filename = join(dir, "store.db");
	const open = () =>
		knexFactory({
			client: "better-sqlite3",
			connection: { filename },
			useNullAsDefault: true,
			pool: {
				min: 1,
				max: 1,
				afterCreate(
					db: { pragma(sql: string): unknown },
					done: (e: Error | null, db: unknown) => void,
				) {
					db.pragma("busy_timeout = 10");
					done(null, db);
				},
			},
		});
	const knex = open();
	const raw = open();
	return {
		knex,
		raw,
		async fail() {
			const client = raw.client as {
				acquireConnection(): Promise<{ exec(sql: string): void }>;
				releaseConnection(c: unknown): Promise<void>;
			};
			const locker = await client.acquireConnection();
			locker.exec("BEGIN EXCLUSIVE");
			return async () => {
				locker.exec("COMMIT");
				await client.releaseConnection(locker);
			};
		},
		async close() {
			await Promise.all([knex.destroy(), raw.destroy()]);
			await rm(dir, { recursive: true, force: true });
		},
	};
}

async function serverBackend(fixture: DatabaseFixture): Promise<StoreBackend> {
	const target = new URL(fixture.url);
	const proxy: TcpProxy = await startProxy(target.hostname, Number(target.port));
	const knex = openDatabase(proxy.url(fixture.url));
	return {
		knex,
		raw: fixture.knex,
		fail: () => proxy.fail(),
		async close() {
			await knex.destroy();
			await proxy.close();
		},
	};
}

describe.each(testDatabases())("conformance on $name", (db) => {
	let fixture: DatabaseFixture;
	let backend: StoreBackend;
	const prefix = randomPrefix();
	beforeAll(async () => {
		fixture = await openFixture(db);
		backend = db.name === "sqlite" ? await sqliteBackend() : await serverBackend(fixture);
	});
	afterAll(async () => {
		await backend?.close();
		// Server databases: the store's tables carry the fixture's cleanup prefix too.
		await fixture?.cleanup();
	});

	describeSecretsStore<SqlStoreOptions>(sqlStore, {
		name: `store sql on ${db.name}`,
		options: () => ({ knex: backend.knex, keys: KEYS, tablePrefix: `${fixture.prefix}s_` }),
		raw: {
			async read(id) {
				const rows = await backend
					.raw(`${fixture.prefix}s_values`)
					.select("envelope")
					.where({ id });
				return rows.length === 0
					? undefined
					: rows.map((r: { envelope: string }) => r.envelope).join("\n");
			},
		},
		failBackend: () => backend.fail(),
	});

	describeSecrets(`Secrets over the SQL catalog and store on ${db.name}`, async () => {
		const catalog = createSqlCatalog({
			knex: fixture.knex,
			tablePrefix: `${fixture.prefix}${prefix}`,
		});
		const store = await createStore(
			sqlStore,
			{ keys: KEYS, tablePrefix: `${fixture.prefix}${prefix}` },
			{ catalogConnection: fixture.knex, deploymentId: `conformance-${db.name}` },
		);
		return inProcessSecretsFixture({ catalog, store, maxValueBytes: 64 * 1024 });
	});
});
