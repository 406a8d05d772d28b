/**
 * Opening a database from a URL, and telling which SQL dialect a knex instance speaks.
 * Connection strings may hold a password: every message built here goes through
 * {@link redactUrl} first.
 */
import { createRequire } from "node:module";
import { type Logger, StoreConfigError, silentLogger } from "@strongbox/core";
import knexFactory, { type Knex } from "knex";

/** The SQL dialects Strongbox supports. */
export type Dialect = "sqlite" | "postgres" | "mysql";

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
	/** Receives knex's own warnings (pool errors...). @default silent */
	logger?: Logger;
	/** Largest number of pooled connections (PostgreSQL, MySQL). @default 10 */
	poolMax?: number;
	/** Milliseconds SQLite waits for a lock held by another process. @default 5000 */
	busyTimeoutMs?: number;
}

/** A parsed database URL. */
export type DatabaseTarget =
	| { dialect: "sqlite"; filename: string }
	| { dialect: "postgres"; url: string }
	| { dialect: "mysql"; url: URL };

const MAX_URL_LENGTH = 4096;

/**
 * A URL with its password replaced by `***`, safe for messages and logs. Anything that
 * does not parse as a URL is reduced to its scheme.
 */
export function redactUrl(url: string): string {
	try {
		const parsed = new URL(url);
		if (parsed.password) parsed.password = "***";
		for (const key of [...parsed.searchParams.keys()]) {
			if (/pass|secret|token|key/i.test(key)) parsed.searchParams.set(key, "***");
		}
		return parsed.toString();
	} catch {
		const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
		return scheme ? `${scheme}:…` : "(unparsable URL)";
	}
}

/**
 * Parses a database URL: `sqlite:<path>`, `sqlite::memory:`, a plain file path,
 * `postgres://`/`postgresql://`, `mysql://`/`mariadb://`.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
	if (typeof url !== "string" || url.trim() === "" || url.length > MAX_URL_LENGTH) {
		throw new StoreConfigError(
			`[store-sql] The database URL must be a non-empty string of at most ${MAX_URL_LENGTH} characters.`,
			{ store: "sql" },
		);
	}
	const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
	// A one-letter "scheme" is a Windows drive (`C:\data\strongbox.db`): a path.
	if (scheme === undefined || scheme.length === 1) return { dialect: "sqlite", filename: url };
	if (scheme === "sqlite" || scheme === "sqlite3" || scheme === "file") {
		let rest = url.slice(scheme.length + 1);
		if (rest === ":memory:" || rest === "//:memory:")
			return { dialect: "sqlite", filename: ":memory:" };
		if (rest.startsWith("//")) rest = rest.slice(2);
		if (rest === "") {
			throw new StoreConfigError(
				"[store-sql] A `sqlite:` URL needs a file path (`sqlite:./strongbox.db`).",
				{
					store: "sql",
				},
			);
		}
		return { dialect: "sqlite", filename: rest };
	}
	if (scheme === "postgres" || scheme === "postgresql") return { dialect: "postgres", url };
	if (scheme === "mysql" || scheme === "mariadb") {
		let parsed: URL;
		try {
			parsed = new URL(url);
		} catch {
			throw new StoreConfigError(`[store-sql] Cannot parse the database URL ${redactUrl(url)}.`, {
				store: "sql",
			});
		}
		return { dialect: "mysql", url: parsed };
	}
	throw new StoreConfigError(
		`[store-sql] Unsupported database URL scheme \`${scheme}:\`. Use sqlite:<path>, postgres://… or mysql://… (MariaDB too).`,
		{ store: "sql" },
	);
}

const DRIVERS = {
	sqlite: { module: "better-sqlite3", client: "better-sqlite3", label: "SQLite" },
	postgres: { module: "pg", client: "pg", label: "PostgreSQL" },
	mysql: { module: "mysql2", client: "mysql2", label: "MySQL/MariaDB" },
} as const;

const localRequire = createRequire(import.meta.url);

/**
 * Fails with a `StoreConfigError` naming the package to install when the driver of a
 * dialect cannot be resolved. `resolve` is replaceable for tests.
 */
export function assertDriver(
	dialect: Dialect,
	resolve: (name: string) => unknown = (name) => localRequire.resolve(name),
): void {
	const driver = DRIVERS[dialect];
	try {
		resolve(driver.module);
	} catch {
		throw new StoreConfigError(
			`[store-sql] ${driver.label} needs the \`${driver.module}\` driver, which is not installed. Add it to your dependencies: \`npm install ${driver.module}\`.`,
			{ store: "sql" },
		);
	}
}

function knexLog(logger: Logger): Knex.Logger {
	// knex's own messages can quote SQL but never bindings; keep them at debug level.
	return {
		warn: (message) => logger.debug("knex warning", { message: String(message).slice(0, 500) }),
		error: (message) => logger.debug("knex error", { message: String(message).slice(0, 500) }),
		deprecate: () => {},
		debug: () => {},
	};
}

function mysqlConnection(url: URL): Knex.MySql2ConnectionConfig {
	const connection: Record<string, unknown> = {
		host: url.hostname || "localhost",
		port: url.port ? Number(url.port) : 3306,
		database: decodeURIComponent(url.pathname.replace(/^\//, "")),
		charset: "utf8mb4",
	};
	if (url.username) connection.user = decodeURIComponent(url.username);
	if (url.password) connection.password = decodeURIComponent(url.password);
	for (const [key, value] of url.searchParams) {
		try {
			connection[key] = JSON.parse(value);
		} catch {
			connection[key] = value;
		}
	}
	return connection as Knex.MySql2ConnectionConfig;
}

/**
 * Opens a knex instance for a database URL. No connection is made until the first
 * query. SQLite runs in WAL mode with a busy timeout and foreign keys on; PostgreSQL
 * and MySQL need their driver (`pg`, `mysql2`) installed.
 *
 * @example
 * const knex = openDatabase("sqlite:./strongbox.db");
 * const knex = openDatabase(process.env.STRONGBOX_DATABASE_URL!);
 */
export function openDatabase(url: string, options: OpenDatabaseOptions = {}): Knex {
	const target = parseDatabaseUrl(url);
	assertDriver(target.dialect);
	const log = knexLog(options.logger ?? silentLogger);
	const busyTimeout = options.busyTimeoutMs ?? 5000;
	try {
		switch (target.dialect) {
			case "sqlite":
				return knexFactory({
					client: DRIVERS.sqlite.client,
					connection: { filename: target.filename },
					useNullAsDefault: true,
					log,
					pool: {
						// One connection: SQLite serialises writers anyway, and `:memory:` lives in it.
						min: 1,
						max: 1,
						afterCreate(
							db: { pragma(sql: string): unknown },
							done: (error: Error | null, db: unknown) => void,
						) {
							try {
								db.pragma("journal_mode = WAL");
								db.pragma(`busy_timeout = ${busyTimeout}`);
								db.pragma("foreign_keys = ON");
								done(null, db);
							} catch (error) {
								done(error as Error, db);
							}
						},
					},
				});
			case "postgres":
				return knexFactory({
					client: DRIVERS.postgres.client,
					connection: target.url,
					log,
					pool: { min: 0, max: options.poolMax ?? 10 },
				});
			case "mysql":
				return knexFactory({
					client: DRIVERS.mysql.client,
					connection: mysqlConnection(target.url),
					log,
					pool: { min: 0, max: options.poolMax ?? 10 },
				});
		}
	} catch (error) {
		if (error instanceof StoreConfigError) throw error;
		throw new StoreConfigError(
			`[store-sql] Could not open ${DRIVERS[target.dialect].label} database ${target.dialect === "sqlite" ? target.filename : redactUrl(url)}. Check that \`${DRIVERS[target.dialect].module}\` is in your application's dependencies.`,
			{ store: "sql", cause: error },
		);
	}
}

/** The dialect a knex instance speaks; SQLite is supported through `better-sqlite3` only. */
export function dialectOf(knex: Knex): Dialect {
	const client = (knex as { client?: { dialect?: unknown; driverName?: unknown } } | undefined)
		?.client;
	switch (client?.dialect) {
		case "postgresql":
			return "postgres";
		case "mysql":
		case "mysql2":
			return "mysql";
		case "sqlite3":
			if (client.driverName === "better-sqlite3") return "sqlite";
			throw new StoreConfigError(
				'[store-sql] SQLite is supported through the `better-sqlite3` driver only: create knex with `client: "better-sqlite3"`.',
				{ store: "sql" },
			);
		default:
			throw new StoreConfigError(
				`[store-sql] Unsupported knex client \`${String(client?.dialect)}\`: use SQLite (better-sqlite3), PostgreSQL (pg) or MySQL/MariaDB (mysql2).`,
				{ store: "sql" },
			);
	}
}
