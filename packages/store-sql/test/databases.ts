/**
 * The databases the SQL suites run on: SQLite always, PostgreSQL and MySQL/MariaDB when
 * STRONGBOX_TEST_POSTGRES_URL / STRONGBOX_TEST_MYSQL_URL are set. A configured database
 * that cannot be reached fails the suite (the connection check throws); it is never
 * skipped. Each fixture works in tables of its own random prefix and drops them after.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Knex } from "knex";
import { openDatabase } from "../src/database.js";

/** A database the suites run on. */
export interface TestDatabase {
	name: "sqlite" | "postgres" | "mysql";
	/** The configured URL (SQLite: a fresh file per fixture). */
	url?: string;
}

/** The databases configured for this run. */
export function testDatabases(): TestDatabase[] {
	const out: TestDatabase[] = [{ name: "sqlite" }];
	const postgres = process.env.STRONGBOX_TEST_POSTGRES_URL;
	const mysql = process.env.STRONGBOX_TEST_MYSQL_URL;
	if (postgres) out.push({ name: "postgres", url: postgres });
	if (mysql) out.push({ name: "mysql", url: mysql });
	return out;
}

/** A random table prefix, so that concurrent runs never share a table. */
export function randomPrefix(): string {
	return `t${randomBytes(5).toString("hex")}_`;
}

/** An open test database. */
export interface DatabaseFixture {
	name: TestDatabase["name"];
	url: string;
	knex: Knex;
	prefix: string;
	/** SQLite only: the database file. */
	file?: string;
	/** A second knex on the same database, for the tests' raw reads and tampering. */
	open(): Knex;
	/** Drops the prefix's tables (or the SQLite file) and closes every connection opened here. */
	cleanup(): Promise<void>;
}

async function tablesWithPrefix(knex: Knex, name: TestDatabase["name"], prefix: string) {
	let names: string[];
	if (name === "postgres") {
		const result = await knex.raw(
			"SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()",
		);
		names = result.rows.map((r: { name: string }) => r.name);
	} else if (name === "mysql") {
		const [rows] = await knex.raw(
			"SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()",
		);
		names = rows.map((r: { name: string }) => r.name);
	} else {
		const rows = await knex.raw("SELECT name FROM sqlite_master WHERE type = 'table'");
		names = rows.map((r: { name: string }) => r.name);
	}
	return names.filter((table) => table.startsWith(prefix));
}

/** Opens a fixture on `db`; throws when a configured database cannot be reached. */
export async function openFixture(db: TestDatabase): Promise<DatabaseFixture> {
	const prefix = randomPrefix();
	let dir: string | undefined;
	let url = db.url;
	if (db.name === "sqlite") {
		dir = await mkdtemp(join(tmpdir(), "strongbox-sql-"));
		url = `sqlite:${join(dir, "test.db")}`;
	}
	const extra: Knex[] = [];
	const knex = openDatabase(url!);
	// Fails the suite (not skips it) when the configured server is down.
	await knex.raw("SELECT 1");
	return {
		name: db.name,
		url: url!,
		knex,
		prefix,
		...(dir ? { file: join(dir, "test.db") } : {}),
		open() {
			const k = openDatabase(url!);
			extra.push(k);
			return k;
		},
		async cleanup() {
			try {
				if (db.name !== "sqlite") {
					const tables = await tablesWithPrefix(knex, db.name, prefix);
					for (const table of tables) {
						await knex.raw(
							db.name === "postgres"
								? `DROP TABLE IF EXISTS "${table}" CASCADE`
								: `DROP TABLE IF EXISTS \`${table}\``,
						);
					}
				}
			} finally {
				await Promise.all([knex, ...extra].map((k) => k.destroy()));
				if (dir) await rm(dir, { recursive: true, force: true });
			}
		},
	};
}
