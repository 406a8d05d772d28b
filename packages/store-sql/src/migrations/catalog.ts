/**
 * Catalog schema. Changing a shipped migration is forbidden: add a new one.
 *
 * `owner` holds '' for workspace-scoped rows (user ids are never empty), so the
 * composite UNIQUE index covers both scopes the same way on the three databases
 * (NULLs are distinct in unique indexes). Timestamps are integer milliseconds.
 */
import type { CatalogTables } from "../tables.js";
import { idColumn, mysqlTable, type NamedMigration } from "./run.js";

/** The catalog's migrations, in order. */
export function catalogMigrations(t: CatalogTables): NamedMigration[] {
	return [
		{
			name: "001_catalog",
			async up(knex, dialect) {
				await knex.schema.createTable(t.secrets, (table) => {
					mysqlTable(table, dialect);
					if (dialect === "sqlite") {
						// A stable rowid for the external-content FTS index (an implicit rowid may
						// change on VACUUM); `id` is unique beside it.
						table.increments("rid");
						table
							.string("id", 36)
							.notNullable()
							.unique({ indexName: `${t.secrets}_id_uq` });
					} else {
						idColumn(table, dialect, "id", 36).primary();
					}
					idColumn(table, dialect, "name", 255).notNullable();
					idColumn(table, dialect, "scope", 16).notNullable();
					idColumn(table, dialect, "workspace", 64).notNullable();
					idColumn(table, dialect, "owner", 255).notNullable();
					table.text("key_names", "mediumtext").notNullable();
					table.bigInteger("version").notNullable();
					table.bigInteger("values_version").notNullable();
					idColumn(table, dialect, "backend", 255).notNullable();
					idColumn(table, dialect, "state", 16).notNullable();
					table.bigInteger("pending_version").nullable();
					table.text("pending_key_names", "mediumtext").nullable();
					table.bigInteger("pending_since").nullable();
					table.text("pending_undo").nullable();
					table.bigInteger("created_at").notNullable();
					table.bigInteger("updated_at").notNullable();
					table.unique(["workspace", "scope", "owner", "name"], {
						indexName: `${t.secrets}_name_uq`,
					});
					// Listings: a user's own secrets, each sort order, migration, reconciliation.
					table.index(["scope", "owner", "name"], `${t.secrets}_owner_idx`);
					table.index(["created_at", "id"], `${t.secrets}_created_idx`);
					table.index(["updated_at", "id"], `${t.secrets}_updated_idx`);
					table.index(["name", "id"], `${t.secrets}_name_idx`);
					table.index(["backend", "id"], `${t.secrets}_backend_idx`);
					table.index(["state", "created_at"], `${t.secrets}_state_idx`);
					table.index(["pending_since"], `${t.secrets}_pending_idx`);
				});
				await knex.schema.createTable(t.settings, (table) => {
					mysqlTable(table, dialect);
					idColumn(table, dialect, "setting_key", 255).primary();
					table.text("setting_value").notNullable();
				});
				if (dialect === "sqlite") {
					// Case-sensitive trigram index of names, so that `contains`/`endswith` filters
					// of 3+ characters read a few index pages instead of every row.
					const s = `"${t.secrets}"`;
					const n = `"${t.names}"`;
					await knex.raw(
						`CREATE VIRTUAL TABLE ${n} USING fts5(name, content=${s}, content_rowid='rid', tokenize='trigram case_sensitive 1')`,
					);
					await knex.raw(
						`CREATE TRIGGER "${t.names}_ai" AFTER INSERT ON ${s} BEGIN INSERT INTO ${n}(rowid, name) VALUES (new.rid, new.name); END`,
					);
					await knex.raw(
						`CREATE TRIGGER "${t.names}_ad" AFTER DELETE ON ${s} BEGIN INSERT INTO ${n}(${n}, rowid, name) VALUES ('delete', old.rid, old.name); END`,
					);
					await knex.raw(
						`CREATE TRIGGER "${t.names}_au" AFTER UPDATE OF name ON ${s} BEGIN INSERT INTO ${n}(${n}, rowid, name) VALUES ('delete', old.rid, old.name); INSERT INTO ${n}(rowid, name) VALUES (new.rid, new.name); END`,
					);
				}
			},
			async down(knex, dialect) {
				if (dialect === "sqlite") await knex.schema.dropTableIfExists(t.names);
				await knex.schema.dropTableIfExists(t.settings);
				await knex.schema.dropTableIfExists(t.secrets);
			},
		},
	];
}
