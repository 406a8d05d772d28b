/**
 * The SQL catalog: every secret's metadata on SQLite, PostgreSQL or MySQL/MariaDB.
 * Names are unique by a database index, and every compare-and-set of the write protocol
 * (see `Catalog` in core) is one conditional UPDATE whose matched-row count is the
 * answer: no read-then-write, no transaction held across an await.
 */
import {
	type BeginWrite,
	type Catalog,
	type CatalogQuery,
	type CatalogRow,
	type Logger,
	type MetadataChange,
	type NameLookup,
	type NewCatalogRow,
	SecretExistsError,
	type SecretScope,
	StoreClosedError,
	ValidationError,
} from "@strongbox/core";
import type { Knex } from "knex";
import { listingSql, ROW_COLUMNS, trigramPhrase, usesTrigrams } from "./catalog-query.js";
import { chunks, num, rowFrom } from "./catalog-rows.js";
import { settingsMethods } from "./catalog-settings.js";
import { type Dialect, dialectOf, openDatabase, parseDatabaseUrl } from "./database.js";
import { catalogMigrations } from "./migrations/catalog.js";
import { runMigrations } from "./migrations/run.js";
import { activeTap, clearTaps, type ValuesTap } from "./prefetch.js";
import { createSql, placeholders, type Sql, type SqlRow } from "./sql.js";
import { catalogTables, checkTablePrefix } from "./tables.js";

/** Options of {@link createSqlCatalog}. */
export interface SqlCatalogOptions {
	/**
	 * Database URL (`sqlite:./strongbox.db`, `postgres://…`, `mysql://…`). May hold a
	 * password: it is never printed. Ignored when `knex` is given.
	 */
	url?: string;
	/** A knex instance to use instead of opening one; the catalog never destroys it. */
	knex?: Knex;
	/** Prefix of every table. @default "strongbox_" */
	tablePrefix?: string;
	/** Receives knex's warnings when the catalog opens the database itself. @default silent */
	logger?: Logger;
}

/** The SQL {@link Catalog}, with its connection (shared with the SQL values store). */
export interface SqlCatalog extends Catalog {
	/** The knex instance (opened from `url`, or the injected one). */
	readonly knex: Knex;
	readonly dialect: Dialect;
	/** Prefix of the catalog's tables. */
	readonly tablePrefix: string;
}

/** Above this many trigram matches a listing scans instead (see `list`). */
const TRIGRAM_CUTOFF = 2000;

function nameTaken(name: string): SecretExistsError {
	return new SecretExistsError(`A secret named \`${name}\` already exists in this scope.`);
}

/**
 * Creates the SQL catalog. Give it a `url` (it opens and later closes the database) or
 * a `knex` instance (it uses it and leaves it open).
 *
 * @example
 * const catalog = createSqlCatalog({ url: "sqlite:./strongbox.db" });
 * await catalog.init();
 */
export function createSqlCatalog(options: SqlCatalogOptions): SqlCatalog {
	const prefix = checkTablePrefix(options.tablePrefix);
	const t = catalogTables(prefix);
	const owned = options.knex === undefined;
	let knex: Knex | undefined = options.knex;
	let dialect: Dialect;
	if (knex) {
		dialect = dialectOf(knex);
	} else {
		if (options.url === undefined) {
			throw new ValidationError("createSqlCatalog needs a `url` or a `knex` instance.", [
				{ path: "url", message: "is required when no `knex` is given" },
			]);
		}
		dialect = parseDatabaseUrl(options.url).dialect;
	}
	const url = options.url;
	function getKnex(): Knex {
		knex ??= openDatabase(url!, options.logger ? { logger: options.logger } : {});
		return knex;
	}
	let sql: Sql | undefined;
	let initialized = false;
	let initPromise: Promise<void> | undefined;
	let closed: Promise<void> | undefined;

	const q = (name: string) => (dialect === "mysql" ? `\`${name}\`` : `"${name}"`);
	const T = q(t.secrets);
	const S = q(t.settings);
	const COLUMNS = ROW_COLUMNS.join(", ");
	const undoJson = {
		sqlite: "json_object('name', name, 'scope', scope, 'owner', owner)",
		postgres: "json_build_object('name', name, 'scope', scope, 'owner', owner)::text",
		mysql: "JSON_OBJECT('name', name, 'scope', scope, 'owner', owner)",
	}[dialect];
	const undoField = (field: string) =>
		({
			sqlite: `json_extract(pending_undo, '$.${field}')`,
			postgres: `(pending_undo::json ->> '${field}')`,
			mysql: `JSON_UNQUOTE(JSON_EXTRACT(pending_undo, '$.${field}'))`,
		})[dialect];
	const settings = settingsMethods(db, dialect, S);
	// A row that may start a write: active, nothing in flight.
	const IDLE = "state = 'active' AND pending_version IS NULL";

	function init(): Promise<void> {
		if (closed) return Promise.reject(new StoreClosedError("[store-sql] The catalog is closed."));
		initPromise ??= (async () => {
			const k = getKnex();
			sql = createSql(k);
			await runMigrations(k, dialect, t.migrations, catalogMigrations(t));
			if (dialect === "sqlite") {
				// Secrets are written one transaction at a time, each leaving a small segment in
				// the trigram index; a lookup reads every segment. Merging them (a no-op when
				// there is one, tens of milliseconds for 100,000 names otherwise) keeps a name
				// search as fast with 100,000 secrets as with 1,000.
				await sql.run(
					`INSERT INTO "${t.names}" ("${t.names}", rank) VALUES ('merge', -2000)`,
					[],
					"init",
				);
			}
			initialized = true;
		})().catch((error: unknown) => {
			initPromise = undefined;
			throw error;
		});
		return initPromise;
	}

	async function db(): Promise<Sql> {
		if (closed) throw new StoreClosedError("[store-sql] The catalog is closed.");
		if (!initialized) await init();
		// Every call but a read-along read ends what a read-along left for the values store.
		if (dialect === "sqlite") clearTaps(knex!);
		return sql!;
	}

	/** Like `db()`, for the reads that fill the read-along. */
	async function readDb(): Promise<Sql> {
		if (closed) throw new StoreClosedError("[store-sql] The catalog is closed.");
		if (!initialized) await init();
		return sql!;
	}

	/** Optional name/scope/owner assignments of a rename or scope change. */
	function metadataSet(change: { name?: string; scope?: SecretScope; owner?: string | null }) {
		const sets: string[] = [];
		const params: unknown[] = [];
		if (change.name !== undefined) {
			sets.push("name = ?");
			params.push(change.name);
		}
		if (change.scope !== undefined) {
			sets.push("scope = ?");
			params.push(change.scope);
		}
		if (change.owner !== undefined) {
			sets.push("owner = ?");
			params.push(change.owner ?? "");
		}
		return { sets, params };
	}

	const readAlongSql = new WeakMap<ValuesTap, Map<string, string>>();
	/** One row; the values row of the store sharing this connection goes to its tap (see prefetch.ts). */
	async function readAlong(
		s: Sql,
		tap: ValuesTap,
		where: string,
		params: unknown[],
		operation: string,
	): Promise<CatalogRow | undefined> {
		let texts = readAlongSql.get(tap);
		if (!texts) {
			texts = new Map();
			readAlongSql.set(tap, texts);
		}
		let text = texts.get(where);
		if (text === undefined) {
			// Scalar subqueries, not a LEFT JOIN: SQLite runs this join shape ~10x slower.
			const V = q(tap.table);
			const match = "v.deployment = ? AND v.id = s.id";
			// One subquery packing "<version>:<envelope>": each subquery is another index descent.
			text = `SELECT ${ROW_COLUMNS.map((c) => `s.${c}`).join(", ")}, (SELECT v.version || ':' || v.envelope FROM ${V} v WHERE ${match}) AS v_packed FROM ${T} s WHERE ${where}`;
			texts.set(where, text);
		}
		const r = await s.first(text, [tap.deployment, ...params], operation);
		if (!r) return undefined;
		const packed = r.v_packed as string | null | undefined;
		const colon = typeof packed === "string" ? packed.indexOf(":") : -1;
		tap.put(
			r.id as string,
			colon < 0
				? null
				: { version: num(packed!.slice(0, colon)), envelope: packed!.slice(colon + 1) },
		);
		return rowFrom(r);
	}

	const catalog: SqlCatalog = {
		get knex() {
			return getKnex();
		},
		dialect,
		tablePrefix: prefix,
		init,
		close() {
			closed ??= (async () => {
				await initPromise?.catch(() => {});
				if (owned && knex) await knex.destroy();
			})();
			return closed;
		},

		async insertPending(row: NewCatalogRow) {
			const s = await db();
			const now = row.now.getTime();
			const n = await s.runUnique(
				`INSERT INTO ${T} (id, name, scope, workspace, owner, key_names, version, values_version, backend, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?, 'pending', ?, ?)`,
				[
					row.id,
					row.name,
					row.scope,
					row.workspace,
					row.owner ?? "",
					JSON.stringify(row.keys),
					row.backend,
					now,
					now,
				],
				"insertPending",
			);
			if (n === "unique") throw nameTaken(row.name);
		},

		async commitCreate(id, now) {
			const s = await db();
			return (
				(await s.run(
					`UPDATE ${T} SET state = 'active', updated_at = ? WHERE id = ? AND state = 'pending'`,
					[now.getTime(), id],
					"commitCreate",
				)) > 0
			);
		},

		async get(id) {
			// Hot path of every read: no extra await once initialised.
			const s = initialized && !closed ? sql! : await readDb();
			const tap = dialect === "sqlite" ? activeTap(knex!) : undefined;
			if (tap) return readAlong(s, tap, "s.id = ?", [id], "get");
			const r = await s.first(`SELECT ${COLUMNS} FROM ${T} WHERE id = ?`, [id], "get");
			return r ? rowFrom(r) : undefined;
		},

		async getMany(ids) {
			const s = await db();
			const found = new Map<string, SqlRow>();
			for (const chunk of chunks([...new Set(ids)])) {
				const rows = await s.all(
					`SELECT ${COLUMNS} FROM ${T} WHERE id IN (${placeholders(chunk.length)})`,
					chunk,
					"getMany",
				);
				for (const r of rows) found.set(r.id as string, r);
			}
			return ids.flatMap((id) => {
				const r = found.get(id);
				return r ? [rowFrom(r)] : [];
			});
		},

		async findByName(lookup: NameLookup) {
			const s = await readDb();
			const tap = dialect === "sqlite" ? activeTap(knex!) : undefined;
			const params = [lookup.workspace, lookup.scope, lookup.owner ?? "", lookup.name];
			if (tap) {
				return readAlong(
					s,
					tap,
					"s.workspace = ? AND s.scope = ? AND s.owner = ? AND s.name = ?",
					params,
					"findByName",
				);
			}
			const r = await s.first(
				`SELECT ${COLUMNS} FROM ${T} WHERE workspace = ? AND scope = ? AND owner = ? AND name = ?`,
				params,
				"findByName",
			);
			return r ? rowFrom(r) : undefined;
		},

		async list(query: CatalogQuery) {
			const s = await db();
			let trigrams = usesTrigrams(query, dialect);
			if (trigrams) {
				// A substring found in thousands of names is cheaper to scan for than to look up.
				const probe = await s.first(
					`SELECT COUNT(*) AS n FROM (SELECT 1 FROM "${t.names}" WHERE "${t.names}" MATCH ? LIMIT ${TRIGRAM_CUTOFF})`,
					[trigramPhrase(query.name!.value)],
					"list",
				);
				trigrams = num(probe?.n ?? 0) < TRIGRAM_CUTOFF;
			}
			const listing = listingSql(query, dialect, t, q, trigrams);
			const counted = await s.first(listing.count, listing.params, "list");
			const total = num(counted?.n ?? 0);
			if (listing.offset >= total) return { items: [], total };
			const rows = await s.all(
				listing.page,
				[...listing.params, listing.limit, listing.offset],
				"list",
			);
			return { items: rows.map(rowFrom), total };
		},

		async beginWrite(id, change: BeginWrite) {
			const s = await db();
			const meta = change.metadata ? metadataSet(change.metadata) : { sets: [], params: [] };
			// MySQL evaluates SET left to right: the undo must read the old name first.
			const n = await s.runUnique(
				`UPDATE ${T} SET pending_undo = ${change.metadata ? undoJson : "NULL"}, pending_version = version + 1, pending_key_names = ?, pending_since = ?${meta.sets.map((x) => `, ${x}`).join("")} WHERE id = ? AND ${IDLE} AND version = ?`,
				[JSON.stringify(change.keys), change.now.getTime(), ...meta.params, id, change.fromVersion],
				"beginWrite",
			);
			if (n === "unique") throw nameTaken(change.metadata?.name ?? "(unchanged)");
			return n > 0;
		},

		async commitWrite(id, pendingVersion, now) {
			const s = await db();
			return (
				(await s.run(
					`UPDATE ${T} SET version = pending_version, values_version = pending_version, key_names = pending_key_names, updated_at = ?, pending_version = NULL, pending_key_names = NULL, pending_since = NULL, pending_undo = NULL WHERE id = ? AND pending_version = ?`,
					[now.getTime(), id, pendingVersion],
					"commitWrite",
				)) > 0
			);
		},

		async abortWrite(id, pendingVersion) {
			const s = await db();
			const clear =
				"pending_version = NULL, pending_key_names = NULL, pending_since = NULL, pending_undo = NULL";
			const restored = await s.runUnique(
				`UPDATE ${T} SET name = COALESCE(${undoField("name")}, name), scope = COALESCE(${undoField("scope")}, scope), owner = COALESCE(${undoField("owner")}, owner), ${clear} WHERE id = ? AND pending_version = ?`,
				[id, pendingVersion],
				"abortWrite",
			);
			if (restored !== "unique") return restored > 0;
			// The old name was taken meanwhile: keep the new one rather than clash.
			return (
				(await s.run(
					`UPDATE ${T} SET ${clear} WHERE id = ? AND pending_version = ?`,
					[id, pendingVersion],
					"abortWrite",
				)) > 0
			);
		},

		async releaseWrite(id, pendingVersion) {
			const s = await db();
			return (
				(await s.run(
					`UPDATE ${T} SET pending_since = 0 WHERE id = ? AND pending_version = ?`,
					[id, pendingVersion],
					"releaseWrite",
				)) > 0
			);
		},

		async updateMetadata(id, change: MetadataChange) {
			const s = await db();
			const meta = metadataSet(change);
			const n = await s.runUnique(
				`UPDATE ${T} SET ${meta.sets.map((x) => `${x}, `).join("")}version = version + 1, updated_at = ? WHERE id = ? AND ${IDLE} AND version = ?`,
				[...meta.params, change.now.getTime(), id, change.fromVersion],
				"updateMetadata",
			);
			if (n === "unique") throw nameTaken(change.name ?? "(unchanged)");
			return n > 0;
		},

		async markDeleting(id, fromVersion) {
			const s = await db();
			const versioned = fromVersion !== undefined;
			return (
				(await s.run(
					`UPDATE ${T} SET state = 'deleting' WHERE id = ? AND ${IDLE}${versioned ? " AND version = ?" : ""}`,
					versioned ? [id, fromVersion] : [id],
					"markDeleting",
				)) > 0
			);
		},

		async unmarkDeleting(id) {
			const s = await db();
			return (
				(await s.run(
					`UPDATE ${T} SET state = 'active' WHERE id = ? AND state = 'deleting'`,
					[id],
					"unmarkDeleting",
				)) > 0
			);
		},

		async remove(id) {
			const s = await db();
			await s.run(`DELETE FROM ${T} WHERE id = ?`, [id], "remove");
		},

		async listUnsettled(olderThan, limit) {
			const s = await db();
			const ms = olderThan.getTime();
			const rows = await s.all(
				`SELECT ${COLUMNS} FROM ${T} WHERE state = 'deleting' OR (state = 'pending' AND created_at < ?) OR (pending_since IS NOT NULL AND pending_since < ?) ORDER BY id LIMIT ?`,
				[ms, ms, Math.max(0, Math.floor(limit))],
				"listUnsettled",
			);
			return rows.map(rowFrom);
		},

		async existing(ids) {
			const s = await db();
			const out = new Set<string>();
			for (const chunk of chunks([...new Set(ids)])) {
				const rows = await s.all(
					`SELECT id FROM ${T} WHERE id IN (${placeholders(chunk.length)})`,
					chunk,
					"existing",
				);
				for (const r of rows) out.add(r.id as string);
			}
			return out;
		},

		async listByBackend(backend, afterId, limit) {
			const s = await db();
			const rows = await s.all(
				`SELECT ${COLUMNS} FROM ${T} WHERE backend = ? AND state = 'active'${afterId === null ? "" : " AND id > ?"} ORDER BY id LIMIT ?`,
				afterId === null
					? [backend, Math.max(0, Math.floor(limit))]
					: [backend, afterId, Math.max(0, Math.floor(limit))],
				"listByBackend",
			);
			return rows.map(rowFrom);
		},

		async setBackend(id, valuesVersion, backend) {
			const s = await db();
			return (
				(await s.run(
					`UPDATE ${T} SET backend = ? WHERE id = ? AND ${IDLE} AND values_version = ?`,
					[backend, id, valuesVersion],
					"setBackend",
				)) > 0
			);
		},

		...settings,
	};
	return catalog;
}
