/**
 * Values store schema. Changing a shipped migration is forbidden: add a new one.
 */
import type { ValueTables } from "../tables.js";
import { idColumn, mysqlTable, type NamedMigration } from "./run.js";

/** The values store's migrations, in order. */
export function valueMigrations(t: ValueTables): NamedMigration[] {
	return [
		{
			name: "001_values",
			async up(knex, dialect) {
				// Rows are keyed by deployment: two deployments sharing a database (and prefix)
				// never read, list or delete each other's values.
				await knex.schema.createTable(t.values, (table) => {
					mysqlTable(table, dialect);
					idColumn(table, dialect, "deployment", 128).notNullable();
					idColumn(table, dialect, "id", 36).notNullable();
					table.bigInteger("version").notNullable();
					// Also inside the envelope; a column so re-encryption finds old rows by index.
					idColumn(table, dialect, "key_id", 64).notNullable();
					table.text("envelope", "mediumtext").notNullable();
					table.bigInteger("updated_at").notNullable();
					table.primary(["deployment", "id"], `${t.values}_pk`);
					table.index(["deployment", "key_id", "id"], `${t.values}_key_idx`);
				});
				await knex.schema.createTable(t.keys, (table) => {
					mysqlTable(table, dialect);
					idColumn(table, dialect, "deployment", 128).notNullable();
					idColumn(table, dialect, "key_id", 64).notNullable();
					table.string("key_check", 128).notNullable();
					table.bigInteger("created_at").notNullable();
					table.primary(["deployment", "key_id"], `${t.keys}_pk`);
				});
			},
			async down(knex) {
				await knex.schema.dropTableIfExists(t.keys);
				await knex.schema.dropTableIfExists(t.values);
			},
		},
	];
}
