/**
 * Database failures as typed Strongbox errors, for the three drivers. The driver error
 * stays in `cause` (sanitised by core: name, code and message only; PostgreSQL's
 * `detail` and mysql2's `sql`, which can quote bound parameters, are dropped).
 */
import { classifyStoreError, type StrongboxError } from "@strongbox/core";

interface DriverError {
	code?: unknown;
	errno?: unknown;
	name?: unknown;
}

const UNIQUE_CODES = new Set([
	"SQLITE_CONSTRAINT_UNIQUE",
	"SQLITE_CONSTRAINT_PRIMARYKEY",
	"23505",
	"ER_DUP_ENTRY",
]);

/** Whether a driver error is a unique-index violation (on any of the three databases). */
export function isUniqueViolation(error: unknown): boolean {
	const e = error as DriverError | null;
	return (typeof e?.code === "string" && UNIQUE_CODES.has(e.code)) || e?.errno === 1062;
}

const DENIED = new Set([
	"28P01", // invalid_password
	"28000", // invalid_authorization_specification
	"42501", // insufficient_privilege
	"ER_ACCESS_DENIED_ERROR",
	"ER_DBACCESS_DENIED_ERROR",
	"ER_TABLEACCESS_DENIED_ERROR",
	"ER_SPECIFIC_ACCESS_DENIED_ERROR",
	"SQLITE_READONLY",
	"SQLITE_AUTH",
	"SQLITE_PERM",
]);

const MISCONFIGURED = new Set([
	"3D000", // invalid_catalog_name: the database does not exist
	"ER_BAD_DB_ERROR",
	"SQLITE_CANTOPEN",
	"SQLITE_NOTADB",
]);

const TRANSIENT = new Set([
	"57P01", // admin_shutdown
	"57P02", // crash_shutdown
	"57P03", // cannot_connect_now
	"53300", // too_many_connections
	"40001", // serialization_failure
	"40P01", // deadlock_detected
	"ER_CON_COUNT_ERROR",
	"ER_LOCK_WAIT_TIMEOUT",
	"ER_LOCK_DEADLOCK",
	"ER_SERVER_SHUTDOWN",
	"PROTOCOL_CONNECTION_LOST",
	"PROTOCOL_SEQUENCE_TIMEOUT",
	"SQLITE_BUSY",
	"SQLITE_BUSY_SNAPSHOT",
	"SQLITE_BUSY_TIMEOUT",
	"SQLITE_LOCKED",
]);

// Messages of dropped connections that carry no code (pg, mysql2, knex's pool).
const DROPPED =
	/Connection terminated|Client has encountered a connection error|not queryable|closed state|Connection lost/i;

/** Turns a driver or knex failure during `operation` into a typed Strongbox error. */
export function databaseError(error: unknown, operation: string): StrongboxError {
	const e = error as (DriverError & { message?: unknown }) | null;
	const code = typeof e?.code === "string" ? e.code : "";
	const transient =
		TRANSIENT.has(code) ||
		code.startsWith("08") || // PostgreSQL connection_exception class
		e?.name === "KnexTimeoutError" ||
		(typeof e?.message === "string" && DROPPED.test(e.message));
	return classifyStoreError(error, {
		store: "sql",
		operation,
		...(DENIED.has(code) ? { denied: true } : {}),
		...(MISCONFIGURED.has(code) ? { misconfigured: true } : {}),
		...(transient ? { throttled: false, status: 503 } : {}),
	});
}
