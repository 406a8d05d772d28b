/**
 * The SQL of the values store: one table of envelopes keyed by (deployment, id), and a
 * table of key check values. Every statement is scoped to one deployment.
 */
import type { Knex } from "knex";
import type { Sealed } from "./crypto.js";
import type { Dialect } from "./database.js";
import { runMigrations } from "./migrations/run.js";
import { valueMigrations } from "./migrations/values.js";
import { createSql, placeholders, type Sql } from "./sql.js";
import { type ValueTables, valueTables } from "./tables.js";

/** A stored envelope. */
export interface EnvelopeRow {
	id: string;
	version: number;
	envelope: string;
}

/** Row-level access to the values tables of one deployment. */
export interface ValuesTable {
	readonly dialect: Dialect;
	readonly tables: ValueTables;
	readonly deployment: string;
	migrate(): Promise<void>;
	upsert(id: string, version: number, sealed: Sealed): Promise<void>;
	read(id: string): Promise<EnvelopeRow | undefined>;
	readMany(ids: readonly string[]): Promise<EnvelopeRow[]>;
	remove(id: string): Promise<boolean>;
	/** Ids after `after`, in order, at most `limit`. */
	ids(after: string, limit: number): Promise<string[]>;
	/** A cheap query that fails when the table is unreachable or missing. */
	probe(): Promise<void>;
	/** Key ids that hold rows, other than `except`. */
	keyIdsInUse(except: string): Promise<string[]>;
	countUnder(keyId: string): Promise<number>;
	anyUnder(keyId: string): Promise<boolean>;
	rowsUnder(keyId: string, after: string, limit: number): Promise<EnvelopeRow[]>;
	/** Replaces an envelope only if the row still holds `previous` at `version`. */
	swapEnvelope(row: EnvelopeRow, sealed: Sealed): Promise<boolean>;
	/** Records a key's check value unless one is recorded; returns the recorded one. */
	registerKey(keyId: string, check: string): Promise<string | undefined>;
	knownKeyIds(): Promise<string[]>;
}

function envelopeRow(r: Record<string, unknown>): EnvelopeRow {
	return { id: String(r.id), version: Number(r.version), envelope: String(r.envelope) };
}

/** The values tables of `deployment` under `prefix` on `knex`. */
export function valuesTable(knex: Knex, prefix: string, deployment: string): ValuesTable {
	const sql: Sql = createSql(knex);
	const dialect = sql.dialect;
	const t = valueTables(prefix);
	const V = sql.id(t.values);
	const K = sql.id(t.keys);
	const mysql = dialect === "mysql";
	const upsert = mysql
		? `INSERT INTO ${V} (deployment, id, version, key_id, envelope, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE version = VALUES(version), key_id = VALUES(key_id), envelope = VALUES(envelope), updated_at = VALUES(updated_at)`
		: `INSERT INTO ${V} (deployment, id, version, key_id, envelope, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (deployment, id) DO UPDATE SET version = excluded.version, key_id = excluded.key_id, envelope = excluded.envelope, updated_at = excluded.updated_at`;
	const registerKey = mysql
		? `INSERT INTO ${K} (deployment, key_id, key_check, created_at) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE key_id = key_id`
		: `INSERT INTO ${K} (deployment, key_id, key_check, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (deployment, key_id) DO NOTHING`;
	const d = deployment;

	return {
		dialect,
		tables: t,
		deployment,
		migrate: () => runMigrations(knex, dialect, t.migrations, valueMigrations(t)),
		async upsert(id, version, sealed) {
			await sql.run(upsert, [d, id, version, sealed.keyId, sealed.envelope, Date.now()], "set");
		},
		async read(id) {
			const r = await sql.first(
				`SELECT id, version, envelope FROM ${V} WHERE deployment = ? AND id = ?`,
				[d, id],
				"get",
			);
			return r ? envelopeRow(r) : undefined;
		},
		async readMany(ids) {
			const rows = await sql.all(
				`SELECT id, version, envelope FROM ${V} WHERE deployment = ? AND id IN (${placeholders(ids.length)})`,
				[d, ...ids],
				"getMany",
			);
			return rows.map(envelopeRow);
		},
		async remove(id) {
			return (
				(await sql.run(`DELETE FROM ${V} WHERE deployment = ? AND id = ?`, [d, id], "delete")) > 0
			);
		},
		async ids(after, limit) {
			const rows = await sql.all(
				`SELECT id FROM ${V} WHERE deployment = ? AND id > ? ORDER BY id LIMIT ?`,
				[d, after, limit],
				"listIds",
			);
			return rows.map((r) => String(r.id));
		},
		async probe() {
			await sql.first(`SELECT id FROM ${V} WHERE deployment = ? AND id = ?`, [d, ""], "verify");
		},
		async keyIdsInUse(except) {
			const rows = await sql.all(
				`SELECT DISTINCT key_id FROM ${V} WHERE deployment = ? AND key_id <> ?`,
				[d, except],
				"reencrypt",
			);
			return rows.map((r) => String(r.key_id));
		},
		async countUnder(keyId) {
			const r = await sql.first(
				`SELECT COUNT(*) AS n FROM ${V} WHERE deployment = ? AND key_id = ?`,
				[d, keyId],
				"reencrypt",
			);
			return Number(r?.n ?? 0);
		},
		async anyUnder(keyId) {
			const r = await sql.first(
				`SELECT id FROM ${V} WHERE deployment = ? AND key_id = ? LIMIT 1`,
				[d, keyId],
				"init",
			);
			return r !== undefined;
		},
		async rowsUnder(keyId, after, limit) {
			const rows = await sql.all(
				`SELECT id, version, envelope FROM ${V} WHERE deployment = ? AND key_id = ? AND id > ? ORDER BY id LIMIT ?`,
				[d, keyId, after, limit],
				"reencrypt",
			);
			return rows.map(envelopeRow);
		},
		async swapEnvelope(row, sealed) {
			// Compare-and-set on the old envelope: a concurrent write wins and is kept.
			const n = await sql.run(
				`UPDATE ${V} SET key_id = ?, envelope = ?, updated_at = ? WHERE deployment = ? AND id = ? AND version = ? AND envelope = ?`,
				[sealed.keyId, sealed.envelope, Date.now(), d, row.id, row.version, row.envelope],
				"reencrypt",
			);
			return n > 0;
		},
		async registerKey(keyId, check) {
			await sql.run(registerKey, [d, keyId, check, Date.now()], "init");
			const r = await sql.first(
				`SELECT key_check FROM ${K} WHERE deployment = ? AND key_id = ?`,
				[d, keyId],
				"init",
			);
			return r ? String(r.key_check) : undefined;
		},
		async knownKeyIds() {
			const rows = await sql.all(`SELECT key_id FROM ${K} WHERE deployment = ?`, [d], "init");
			return rows.map((r) => String(r.key_id));
		},
	};
}
