/**
 * The shared test databases (PostgreSQL, MySQL/MariaDB): a random table prefix per test
 * file, a reachability check that fails (never skips) when a configured database is
 * down, and dropping every table of a prefix afterwards, so runs leave nothing behind.
 */
import { randomBytes } from "node:crypto";
import { openDatabase } from "@strongbox/store-sql";

/** A fresh table prefix (`s<hex>_`), never shared by two test files. */
export function randomPrefix(letter = "s"): string {
	return `${letter}${randomBytes(5).toString("hex")}_`;
}

/** Throws when the database at `url` cannot be reached (the test then fails). */
export async function assertReachable(url: string): Promise<void> {
	const knex = openDatabase(url);
	try {
		await knex.raw("SELECT 1");
	} finally {
		await knex.destroy();
	}
}

/** Drops every table whose name starts with `prefix` in the database at `url`. */
export async function dropTables(url: string, prefix: string): Promise<string[]> {
	// One connection: MySQL's foreign-key switch below is per session.
	const knex = openDatabase(url, { poolMax: 1 });
	const postgres = /^postgres(?:ql)?:/i.test(url);
	try {
		const names: string[] = postgres
			? (
					await knex.raw(
						"SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()",
					)
				).rows.map((r: { name: string }) => r.name)
			: (
					await knex.raw(
						"SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()",
					)
				)[0].map((r: { name: string }) => r.name);
		const mine = names.filter((name) => name.startsWith(prefix));
		if (!postgres) await knex.raw("SET FOREIGN_KEY_CHECKS = 0");
		for (const table of mine) {
			await knex.raw(
				postgres ? `DROP TABLE IF EXISTS "${table}" CASCADE` : `DROP TABLE IF EXISTS \`${table}\``,
			);
		}
		return mine;
	} finally {
		await knex.destroy();
	}
}
