/**
 * Runs migrations shipped as modules (not files read from disk, so they work from
 * `dist/` and from a bundle) with knex's migrator, under a migrations table of our own.
 */
import type { Knex } from "knex";
import type { Dialect } from "../database.js";
import { databaseError } from "../db-errors.js";

/** One migration; `up` and `down` get the dialect so one module serves the three databases. */
export interface NamedMigration {
	name: string;
	up(knex: Knex, dialect: Dialect): Promise<void>;
	down(knex: Knex, dialect: Dialect): Promise<void>;
}

const ATTEMPTS = 20;

function isRace(error: unknown): boolean {
	const e = error as { name?: unknown; code?: unknown; message?: unknown } | null;
	if (e?.name === "MigrationLocked") return true;
	// Two processes creating the migrations table at the same time: one loses, retries.
	return (
		typeof e?.message === "string" &&
		/already exists|duplicate key|ER_TABLE_EXISTS/i.test(e.message)
	);
}

/** Applies the migrations not applied yet, waiting for another process that holds the lock. */
export async function runMigrations(
	knex: Knex,
	dialect: Dialect,
	tableName: string,
	migrations: readonly NamedMigration[],
): Promise<void> {
	const source: Knex.MigrationSource<NamedMigration> = {
		getMigrations: async () => [...migrations],
		getMigrationName: (migration) => migration.name,
		getMigration: async (migration) => ({
			up: (trx: Knex) => migration.up(trx, dialect),
			down: (trx: Knex) => migration.down(trx, dialect),
		}),
	};
	for (let attempt = 1; ; attempt++) {
		try {
			await knex.migrate.latest({
				migrationSource: source as Knex.MigrationSource<unknown>,
				tableName,
			});
			return;
		} catch (error) {
			if (attempt < ATTEMPTS && isRace(error)) {
				await new Promise((resolve) => setTimeout(resolve, 25 * attempt + Math.random() * 50));
				continue;
			}
			throw databaseError(error, "init");
		}
	}
}

/** Adds a string column holding identifiers: byte-wise ("C"/binary) comparison and order on every database. */
export function idColumn(
	table: Knex.CreateTableBuilder,
	dialect: Dialect,
	name: string,
	length: number,
): Knex.ColumnBuilder {
	// PostgreSQL's default collation (en_US...) ignores '-' and folds case when sorting;
	// "C" keeps names and UUIDs in byte order, like SQLite's BINARY and MySQL's utf8mb4_bin.
	return dialect === "postgres"
		? table.specificType(name, `varchar(${length}) COLLATE "C"`)
		: table.string(name, length);
}

/** MySQL table options: InnoDB, utf8mb4 with binary (case-sensitive) collation. */
export function mysqlTable(table: Knex.CreateTableBuilder, dialect: Dialect): void {
	if (dialect !== "mysql") return;
	table.engine("InnoDB");
	table.charset("utf8mb4");
	table.collate("utf8mb4_bin");
}
