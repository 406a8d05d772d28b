/**
 * The statement runner every query goes through: hand-written SQL with `?` placeholders,
 * run on the three dialects.
 *
 * On SQLite the statements run directly on knex's single better-sqlite3 connection and
 * are prepared once: a point read then costs a few microseconds instead of a trip
 * through knex's query builder and pool. better-sqlite3 is synchronous, so such a
 * statement can never interleave with another one; while someone else holds a knex
 * transaction on that connection, statements wait for the pool like any knex query.
 * PostgreSQL and MySQL go through `knex.raw`.
 */
import type { Knex } from "knex";
import { type Dialect, dialectOf } from "./database.js";
import { databaseError, isUniqueViolation } from "./db-errors.js";

/** A row as the driver returns it. */
export type SqlRow = Record<string, unknown>;

/** Runs SQL on one database. Every method maps driver failures to typed errors. */
export interface Sql {
	readonly dialect: Dialect;
	readonly knex: Knex;
	/** Rows of a query. */
	all(sql: string, params: readonly unknown[], operation: string): Promise<SqlRow[]>;
	/** First row of a query, or `undefined`. */
	first(sql: string, params: readonly unknown[], operation: string): Promise<SqlRow | undefined>;
	/** Runs a write; resolves to the number of rows it matched. */
	run(sql: string, params: readonly unknown[], operation: string): Promise<number>;
	/** Like {@link run}, but resolves to `"unique"` instead of failing on a unique-index clash. */
	runUnique(sql: string, params: readonly unknown[], operation: string): Promise<number | "unique">;
	/** Quotes an identifier (names are validated, never user input). */
	id(name: string): string;
}

interface Statement {
	readonly reader: boolean;
	all(params: readonly unknown[]): SqlRow[];
	get(params: readonly unknown[]): SqlRow | undefined;
	run(params: readonly unknown[]): { changes: number };
}

interface SqliteDatabase {
	readonly open: boolean;
	readonly inTransaction: boolean;
	prepare(sql: string): Statement;
}

interface KnexClient {
	acquireConnection(): Promise<unknown>;
	releaseConnection(connection: unknown): Promise<void>;
}

// Prepared statements per connection, shared by every runner on it. Bounded: texts with
// IN lists vary with the list length.
const MAX_STATEMENTS = 512;
const statementCache = new WeakMap<SqliteDatabase, Map<string, Statement>>();

function prepare(db: SqliteDatabase, sql: string): Statement {
	let cache = statementCache.get(db);
	if (!cache) {
		cache = new Map();
		statementCache.set(db, cache);
	}
	let statement = cache.get(sql);
	if (!statement) {
		statement = db.prepare(sql);
		if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
		cache.set(sql, statement);
	}
	return statement;
}

function sqliteSql(knex: Knex): Sql {
	const client = knex.client as unknown as KnexClient;
	let db: SqliteDatabase | undefined;

	async function viaPool<T>(fn: (on: SqliteDatabase) => T): Promise<T> {
		const connection = (await client.acquireConnection()) as SqliteDatabase;
		try {
			db = connection;
			return fn(connection);
		} finally {
			await client.releaseConnection(connection);
		}
	}

	function exec<T>(fn: (on: SqliteDatabase) => T, operation: string, unique: boolean): Promise<T> {
		const fail = (error: unknown) =>
			unique && isUniqueViolation(error) ? error : databaseError(error, operation);
		try {
			if (db?.open && !db.inTransaction) return Promise.resolve(fn(db));
		} catch (error) {
			return Promise.reject(fail(error));
		}
		return viaPool(fn).catch((error: unknown) => {
			throw fail(error);
		});
	}

	return {
		dialect: "sqlite",
		knex,
		all: (sql, params, operation) => exec((on) => prepare(on, sql).all(params), operation, false),
		first: (sql, params, operation) => exec((on) => prepare(on, sql).get(params), operation, false),
		run: (sql, params, operation) =>
			exec((on) => prepare(on, sql).run(params).changes, operation, false),
		runUnique: (sql, params, operation) =>
			exec((on) => prepare(on, sql).run(params).changes, operation, true).catch(
				(error: unknown) => {
					if (isUniqueViolation(error)) return "unique" as const;
					throw error;
				},
			),
		id: (name) => `"${name}"`,
	};
}

interface MysqlHeader {
	affectedRows?: number;
	info?: string;
}

function mysqlMatched(header: MysqlHeader): number {
	// Without the FOUND_ROWS flag `affectedRows` counts changed rows only; `info` always
	// says how many matched, which is what a compare-and-set needs.
	const matched = /Rows matched:\s*(\d+)/.exec(header.info ?? "");
	return matched ? Number(matched[1]) : (header.affectedRows ?? 0);
}

function remoteSql(knex: Knex, dialect: "postgres" | "mysql"): Sql {
	async function raw(sql: string, params: readonly unknown[], operation: string, unique = false) {
		try {
			return await knex.raw(sql, params as Knex.RawBinding[]);
		} catch (error) {
			throw unique && isUniqueViolation(error) ? error : databaseError(error, operation);
		}
	}

	async function rows(sql: string, params: readonly unknown[], operation: string) {
		const result = await raw(sql, params, operation);
		return (dialect === "postgres" ? result.rows : result[0]) as SqlRow[];
	}

	async function run(sql: string, params: readonly unknown[], operation: string, unique = false) {
		const result = await raw(sql, params, operation, unique);
		return dialect === "postgres"
			? Number(result.rowCount ?? 0)
			: mysqlMatched(result[0] as MysqlHeader);
	}

	return {
		dialect,
		knex,
		all: rows,
		first: async (sql, params, operation) => (await rows(sql, params, operation))[0],
		run: (sql, params, operation) => run(sql, params, operation),
		runUnique: (sql, params, operation) =>
			run(sql, params, operation, true).catch((error: unknown) => {
				if (isUniqueViolation(error)) return "unique" as const;
				throw error;
			}),
		id: (name) => (dialect === "mysql" ? `\`${name}\`` : `"${name}"`),
	};
}

/** A statement runner for a knex instance (SQLite through better-sqlite3, PostgreSQL, MySQL). */
export function createSql(knex: Knex): Sql {
	const dialect = dialectOf(knex);
	return dialect === "sqlite" ? sqliteSql(knex) : remoteSql(knex, dialect);
}

/** `?, ?, ?` for `n` parameters. */
export function placeholders(n: number): string {
	return Array.from({ length: n }, () => "?").join(", ");
}
