/**
 * The server's own tables (users, workspaces, memberships, tokens, audit), created by
 * knex migrations in the catalog's database with the same table prefix. Times are
 * stored as milliseconds since the epoch in `bigint` columns: one representation on
 * SQLite, PostgreSQL and MySQL.
 */
import type { Knex } from "../db.js";

/** Table names of one deployment. */
export interface ServerTables {
	users: string;
	workspaces: string;
	memberships: string;
	tokens: string;
	audit: string;
	migrations: string;
}

/** The table names for a prefix. */
export function serverTables(prefix: string): ServerTables {
	return {
		users: `${prefix}users`,
		workspaces: `${prefix}workspaces`,
		memberships: `${prefix}memberships`,
		tokens: `${prefix}tokens`,
		audit: `${prefix}audit`,
		migrations: `${prefix}server_migrations`,
	};
}

/** The SQL dialect of the catalog's database. */
export type Dialect = "sqlite" | "postgres" | "mysql";

interface Migration {
	name: string;
	up(knex: Knex, t: ServerTables, dialect: Dialect): Promise<void>;
	down(knex: Knex, t: ServerTables): Promise<void>;
}

type TableBuilder = Parameters<Parameters<Knex["schema"]["createTable"]>[1]>[0];

/** MySQL: names compare byte-wise (`Alice` ≠ `alice`), as on SQLite and PostgreSQL. */
function binary(table: TableBuilder, dialect: Dialect): void {
	if (dialect !== "mysql") return;
	table.engine("InnoDB");
	table.charset("utf8mb4");
	table.collate("utf8mb4_bin");
}

const migrations: Migration[] = [
	{
		name: "001_identity_and_audit",
		async up(knex, t, dialect) {
			await knex.schema.createTable(t.workspaces, (table) => {
				binary(table, dialect);
				table.string("name", 64).primary();
				table.bigInteger("created_at").notNullable();
			});
			await knex.schema.createTable(t.users, (table) => {
				binary(table, dialect);
				table.string("name", 255).primary();
				table.boolean("admin").notNullable().defaultTo(false);
				table.boolean("disabled").notNullable().defaultTo(false);
				table.string("default_workspace", 64).notNullable();
				table.bigInteger("created_at").notNullable();
			});
			await knex.schema.createTable(t.memberships, (table) => {
				binary(table, dialect);
				table.string("workspace", 64).notNullable();
				table.string("user_name", 255).notNullable();
				table.string("role", 16).notNullable();
				table.bigInteger("created_at").notNullable();
				table.primary(["workspace", "user_name"]);
				table.index(["user_name"], `${t.memberships}_user_idx`);
				table.foreign("workspace").references("name").inTable(t.workspaces).onDelete("CASCADE");
				table.foreign("user_name").references("name").inTable(t.users).onDelete("CASCADE");
			});
			await knex.schema.createTable(t.tokens, (table) => {
				binary(table, dialect);
				table.string("id", 36).primary();
				table.string("user_name", 255).notNullable();
				table.string("name", 255).notNullable();
				// SHA-256 of the token, hex; the token itself is never stored.
				table.string("token_hash", 64).notNullable().unique(`${t.tokens}_hash_uq`);
				table.string("created_by", 255).notNullable();
				table.bigInteger("created_at").notNullable();
				table.bigInteger("expires_at").nullable();
				table.bigInteger("revoked_at").nullable();
				table.bigInteger("last_used_at").nullable();
				table.index(["user_name"], `${t.tokens}_user_idx`);
				table.foreign("user_name").references("name").inTable(t.users).onDelete("CASCADE");
			});
			await knex.schema.createTable(t.audit, (table) => {
				binary(table, dialect);
				table.bigIncrements("seq").primary();
				table.bigInteger("at").notNullable();
				table.string("actor", 255).notNullable();
				table.string("op", 64).notNullable();
				table.string("secret_id", 36).nullable();
				table.string("secret_name", 255).nullable();
				table.string("workspace", 64).nullable();
				table.string("target", 255).nullable();
				table.string("outcome", 64).notNullable();
				table.integer("status").notNullable();
				table.string("request_id", 64).notNullable();
				table.string("source_ip", 64).nullable();
				table.index(["at"], `${t.audit}_at_idx`);
				table.index(["actor", "at"], `${t.audit}_actor_idx`);
				table.index(["secret_id", "at"], `${t.audit}_secret_idx`);
			});
		},
		async down(knex, t) {
			for (const name of [t.audit, t.tokens, t.memberships, t.users, t.workspaces]) {
				await knex.schema.dropTableIfExists(name);
			}
		},
	},
];

function isRace(error: unknown): boolean {
	const e = error as { name?: unknown; message?: unknown } | null;
	if (e?.name === "MigrationLocked") return true;
	// Two replicas creating the migrations table at once: one loses and retries.
	return (
		typeof e?.message === "string" &&
		/already exists|duplicate key|ER_TABLE_EXISTS/i.test(e.message)
	);
}

/** Runs the server's migrations (idempotent; knex's lock table serialises replicas). */
export async function migrateServerTables(
	knex: Knex,
	tables: ServerTables,
	dialect: Dialect,
): Promise<void> {
	for (let attempt = 1; ; attempt++) {
		try {
			await knex.migrate.latest({
				tableName: tables.migrations,
				migrationSource: {
					getMigrations: async () => migrations,
					getMigrationName: (migration: Migration) => migration.name,
					getMigration: async (migration: Migration) => ({
						up: (k: Knex) => migration.up(k, tables, dialect),
						down: (k: Knex) => migration.down(k, tables),
					}),
				},
			});
			return;
		} catch (error) {
			if (attempt >= 20 || !isRace(error)) throw error;
			await new Promise((resolve) => setTimeout(resolve, 25 * attempt + Math.random() * 50));
		}
	}
}

/** Drops the server's tables (tests). */
export async function dropServerTables(knex: Knex, tables: ServerTables): Promise<void> {
	await migrations[0]!.down(knex, tables);
	await knex.schema.dropTableIfExists(tables.migrations);
	await knex.schema.dropTableIfExists(`${tables.migrations}_lock`);
}
