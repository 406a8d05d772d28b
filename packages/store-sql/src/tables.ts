/**
 * Table names. Every table of a deployment shares one prefix so that several
 * deployments (or test runs) can share a database.
 */
import { StoreConfigError } from "@strongbox/core";

/** Default prefix of every table. */
export const DEFAULT_TABLE_PREFIX = "strongbox_";

/** Lower-case letters, digits and `_`, starting with a letter; at most 32 characters (identifier limits of PostgreSQL/MySQL). */
export const TABLE_PREFIX_PATTERN = /^(?:[a-z][a-z0-9_]{0,31})?$/;

/** Checks a table prefix; `StoreConfigError` when it is not usable as an identifier part. */
export function checkTablePrefix(prefix: unknown): string {
	if (prefix === undefined) return DEFAULT_TABLE_PREFIX;
	if (typeof prefix !== "string" || !TABLE_PREFIX_PATTERN.test(prefix)) {
		throw new StoreConfigError(
			"[store-sql] `tablePrefix` must be at most 32 lower-case letters, digits and '_', starting with a letter.",
			{ store: "sql" },
		);
	}
	return prefix;
}

/** Tables of the catalog. */
export interface CatalogTables {
	secrets: string;
	/** SQLite only: the FTS5 trigram index of names. */
	names: string;
	settings: string;
	migrations: string;
}

/** Tables of the values store. */
export interface ValueTables {
	values: string;
	keys: string;
	migrations: string;
}

/** The catalog's table names for a prefix. */
export function catalogTables(prefix: string): CatalogTables {
	return {
		secrets: `${prefix}secrets`,
		names: `${prefix}secret_names`,
		settings: `${prefix}settings`,
		migrations: `${prefix}catalog_migrations`,
	};
}

/** The values store's table names for a prefix. */
export function valueTables(prefix: string): ValueTables {
	return {
		values: `${prefix}values`,
		keys: `${prefix}value_keys`,
		migrations: `${prefix}values_migrations`,
	};
}
