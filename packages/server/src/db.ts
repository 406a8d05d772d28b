/**
 * How the server runs its own queries (identity, audit) on the catalog's connection.
 *
 * Queries are built with knex. On SQLite they run on knex's single better-sqlite3
 * connection as statements prepared once and reused (as store-sql's catalog does),
 * instead of through knex's pool, which prepares a new statement for every query: the
 * audit insert and the token lookup are on the request path. PostgreSQL and MySQL run
 * through knex as usual.
 */
import { ConflictError } from "@strongbox/core";
import type { SqlCatalog } from "@strongbox/store-sql";

/** A knex instance (the catalog's). */
export type Knex = SqlCatalog["knex"];

/** A built knex query. */
export type Query = ReturnType<Knex>;

/** A row as the driver returns it. */
export type Row = Record<string, unknown>;

/** Runs built queries. */
export interface Db {
	readonly knex: Knex;
	/** The rows of a select. */
	rows(query: Query): Promise<Row[]>;
	/** The first row of a `.first()` or a select, or `undefined`. */
	first(query: Query): Promise<Row | undefined>;
	/** Runs an insert, update or delete; resolves to the number of rows changed. */
	run(query: Query): Promise<number>;
	/** Runs writes in one transaction. */
	atomically(queries: Query[]): Promise<void>;
	/**
	 * Inserts rows in one transaction with hand-built multi-row statements (no query
	 * builder on the hot path): one statement on PostgreSQL and MySQL, statements of at
	 * most {@link SQLITE_ROWS_PER_STATEMENT} rows on SQLite. `columns` are trusted
	 * identifiers, every value is bound.
	 */
	insertMany(
		table: string,
		columns: readonly string[],
		rows: readonly (readonly unknown[])[],
	): Promise<void>;
	/** Inserts one row and returns its auto-increment key (`idColumn`). */
	insertOne(
		table: string,
		columns: readonly string[],
		row: readonly unknown[],
		idColumn: string,
	): Promise<number>;
}

/** Rows per statement of a SQLite {@link Db.insertMany} (a few statements, one commit). */
export const SQLITE_ROWS_PER_STATEMENT = 100;

// SQLite statement texts by table, columns and row count: the same string object each
// time, so that the statement cache does not rebuild and rehash a long text per insert.
const insertTexts = new Map<string, string>();
const MAX_INSERT_TEXTS = 1000;

/** `insert into "t" ("a", "b") values (?, ?), (?, ?)` for `count` rows. */
function insertSql(
	quote: string,
	table: string,
	columns: readonly string[],
	count: number,
): string {
	const key = `${quote}${table}\u0000${columns.join(",")}\u0000${count}`;
	let text = insertTexts.get(key);
	if (text === undefined) {
		const q = (name: string) => `${quote}${name}${quote}`;
		const tuple = `(${columns.map(() => "?").join(", ")})`;
		text = `insert into ${q(table)} (${columns.map(q).join(", ")}) values ${Array.from({ length: count }, () => tuple).join(", ")}`;
		if (count <= SQLITE_ROWS_PER_STATEMENT && insertTexts.size < MAX_INSERT_TEXTS) {
			insertTexts.set(key, text);
		}
	}
	return text;
}

function bindingsOf(rows: readonly (readonly unknown[])[], from = 0, to = rows.length): unknown[] {
	const out: unknown[] = [];
	for (let r = from; r < to; r++) {
		for (const v of rows[r]!)
			out.push(v === undefined ? null : typeof v === "boolean" ? Number(v) : v);
	}
	return out;
}

interface Statement {
	readonly reader: boolean;
	all(params: readonly unknown[]): Row[];
	get(params: readonly unknown[]): Row | undefined;
	run(params: readonly unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

interface SqliteDatabase {
	readonly open: boolean;
	readonly inTransaction: boolean;
	prepare(sql: string): Statement;
	transaction(fn: () => void): () => void;
}

interface Pool {
	acquireConnection(): Promise<unknown>;
	releaseConnection(connection: unknown): Promise<void>;
}

interface Compiled {
	sql: string;
	bindings: readonly unknown[];
	method: string;
}

function compile(query: Query): Compiled {
	const native = query.toSQL().toNative();
	return {
		sql: native.sql,
		bindings: native.bindings.map((b: unknown) =>
			b instanceof Date
				? b.getTime()
				: typeof b === "boolean"
					? Number(b)
					: b === undefined
						? null
						: b,
		),
		method: (query as unknown as { _method?: string })._method ?? "select",
	};
}

/** A unique-index clash as a `ConflictError`; anything else unchanged. */
function clash(error: unknown): unknown {
	const code = String((error as { code?: unknown } | null)?.code ?? "");
	if (code.startsWith("SQLITE_CONSTRAINT") || code === "23505" || code === "ER_DUP_ENTRY") {
		return new ConflictError("It already exists.", { cause: error });
	}
	return error;
}

// Distinct SQL texts are few (one per query shape); the cap only guards against a bug.
const MAX_STATEMENTS = 2000;

function sqliteDb(knex: Knex): Db {
	const pool = knex.client as unknown as Pool;
	let db: SqliteDatabase | undefined;
	let statements = new Map<string, Statement>();

	function prepared(on: SqliteDatabase, sql: string): Statement {
		let statement = on === db ? statements.get(sql) : undefined;
		if (!statement) {
			statement = on.prepare(sql);
			if (on === db && statements.size < MAX_STATEMENTS) statements.set(sql, statement);
		}
		return statement;
	}

	async function use<T>(fn: (on: SqliteDatabase) => T): Promise<T> {
		try {
			// better-sqlite3 is synchronous: nothing interleaves, unless a knex transaction
			// holds the connection across awaits, in which case wait for the pool.
			if (db?.open && !db.inTransaction) return fn(db);
			const connection = (await pool.acquireConnection()) as SqliteDatabase;
			try {
				if (connection !== db) {
					db = connection;
					statements = new Map();
				}
				return fn(connection);
			} finally {
				await pool.releaseConnection(connection);
			}
		} catch (error) {
			throw clash(error);
		}
	}

	function exec(on: SqliteDatabase, c: Compiled): Row[] | number {
		const statement = prepared(on, c.sql);
		if (!statement.reader) return statement.run(c.bindings).changes;
		if (c.method === "first") {
			const row = statement.get(c.bindings);
			return row === undefined ? [] : [row];
		}
		return statement.all(c.bindings);
	}

	return {
		knex,
		rows: async (query) => {
			const c = compile(query);
			return use((on) => exec(on, c) as Row[]);
		},
		first: async (query) => {
			const c = compile(query);
			return use((on) => (exec(on, c) as Row[])[0]);
		},
		run: async (query) => {
			const c = compile(query);
			return use((on) => exec(on, c) as number);
		},
		atomically: async (queries) => {
			const compiled = queries.map(compile);
			await use((on) =>
				on.transaction(() => {
					for (const c of compiled) exec(on, c);
				})(),
			);
		},
		insertMany: async (table, columns, rows) => {
			if (rows.length === 0) return;
			await use((on) => {
				const insert = () => {
					for (let at = 0; at < rows.length; at += SQLITE_ROWS_PER_STATEMENT) {
						const end = Math.min(at + SQLITE_ROWS_PER_STATEMENT, rows.length);
						prepared(on, insertSql('"', table, columns, end - at)).run(bindingsOf(rows, at, end));
					}
				};
				// One commit for all of them: each commit writes the touched pages to the WAL.
				if (rows.length <= SQLITE_ROWS_PER_STATEMENT) insert();
				else on.transaction(insert)();
			});
		},
		insertOne: async (table, columns, row) => {
			const sql = insertSql('"', table, columns, 1);
			const bindings = bindingsOf([row]);
			return use((on) => Number(prepared(on, sql).run(bindings).lastInsertRowid));
		},
	};
}

function remoteDb(knex: Knex, dialect: "postgres" | "mysql"): Db {
	async function wrap<T>(promise: PromiseLike<T>): Promise<T> {
		try {
			return await promise;
		} catch (error) {
			throw clash(error);
		}
	}
	return {
		knex,
		rows: async (query) => (await wrap(query)) as Row[],
		first: async (query) => {
			const result = (await wrap(query)) as unknown;
			return Array.isArray(result) ? (result[0] as Row | undefined) : (result as Row | undefined);
		},
		run: async (query) => {
			const result = (await wrap(query)) as unknown;
			return typeof result === "number" ? result : 0;
		},
		atomically: async (queries) => {
			await wrap(
				knex.transaction(async (trx) => {
					for (const query of queries) await query.transacting(trx);
				}),
			);
		},
		insertMany: async (table, columns, rows) => {
			if (rows.length === 0) return;
			const sql = insertSql(dialect === "mysql" ? "`" : '"', table, columns, rows.length);
			await wrap(knex.raw(sql, bindingsOf(rows) as never));
		},
		insertOne: async (table, columns, row, idColumn) => {
			const quote = dialect === "mysql" ? "`" : '"';
			const sql = insertSql(quote, table, columns, 1);
			if (dialect === "postgres") {
				const result = (await wrap(
					knex.raw(`${sql} returning "${idColumn}"`, bindingsOf([row]) as never),
				)) as {
					rows: Row[];
				};
				return Number(result.rows[0]?.[idColumn]);
			}
			const result = (await wrap(knex.raw(sql, bindingsOf([row]) as never))) as [
				{ insertId: number },
			];
			return Number(result[0].insertId);
		},
	};
}

/** The query runner for the catalog's connection. */
export function createDb(knex: Knex, dialect: "sqlite" | "postgres" | "mysql"): Db {
	return dialect === "sqlite" ? sqliteDb(knex) : remoteDb(knex, dialect);
}

/** A bigint column as a number (PostgreSQL returns bigints as strings). */
export function toMillis(value: unknown): number | null {
	if (value === null || value === undefined) return null;
	const n = typeof value === "number" ? value : Number(value);
	return Number.isFinite(n) ? n : null;
}

/** A boolean column (SQLite and MySQL return 0/1). */
export function toBool(value: unknown): boolean {
	return value === true || value === 1 || value === "1" || value === "t" || value === "true";
}
