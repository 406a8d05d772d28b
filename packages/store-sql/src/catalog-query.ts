/**
 * The listing query: every filter of `NormalizedFilter` plus the caller's visibility, in
 * SQL, with an index behind each condition.
 *
 * Name matching is case-sensitive and literal on every database:
 * - PostgreSQL and MySQL use `LIKE ? ESCAPE '!'` with `!`, `%` and `_` escaped, on
 *   columns with byte-wise collations (`COLLATE "C"`, `utf8mb4_bin`), so prefix patterns
 *   use the B-tree index. `contains`/`endswith` scan the rows the other conditions leave.
 * - SQLite's LIKE folds ASCII case and `PRAGMA case_sensitive_like` would change the
 *   connection for everyone, so SQLite compares with `instr`/`substr`, which are
 *   case-sensitive and have no wildcards at all. `startswith` adds a range on the name
 *   index; `contains`/`endswith` of 3+ characters first narrow the rows through the
 *   FTS5 trigram index (`case_sensitive 1`) kept in sync by triggers.
 */
import type { CatalogQuery } from "@strongbox/core";
import type { Dialect } from "./database.js";
import { placeholders } from "./sql.js";
import type { CatalogTables } from "./tables.js";

/** Columns of a catalog row, in the order `rowFrom` reads them. */
export const ROW_COLUMNS = [
	"id",
	"name",
	"scope",
	"workspace",
	"owner",
	"key_names",
	"version",
	"values_version",
	"backend",
	"state",
	"pending_version",
	"pending_key_names",
	"pending_since",
	"pending_undo",
	"created_at",
	"updated_at",
] as const;

const SORT_COLUMNS = { name: "name", createdAt: "created_at", updatedAt: "updated_at" } as const;

/** Escapes `!`, `%` and `_` for `LIKE … ESCAPE '!'`. */
export function escapeLike(value: string): string {
	return value.replace(/[!%_]/g, (c) => `!${c}`);
}

/**
 * The smallest string greater than every string starting with `prefix` in code point
 * (= UTF-8 byte) order, or `undefined` when there is none.
 */
export function prefixUpperBound(prefix: string): string | undefined {
	const points = [...prefix].map((c) => c.codePointAt(0)!);
	while (points.length > 0) {
		let last = points.pop()! + 1;
		if (last === 0xd800) last = 0xe000; // skip surrogates
		if (last <= 0x10ffff) return String.fromCodePoint(...points, last);
	}
	return undefined;
}

/** Whether a listing can be driven by the SQLite trigram index. */
export function usesTrigrams(query: CatalogQuery, dialect: Dialect): boolean {
	const name = query.name;
	return (
		dialect === "sqlite" &&
		name !== undefined &&
		(name.op === "contains" || name.op === "endswith") &&
		[...name.value].length >= 3
	);
}

/** The trigram MATCH expression of a substring: one quoted phrase. */
export function trigramPhrase(value: string): string {
	return `"${value.replaceAll('"', '""')}"`;
}

/** The WHERE clause of a listing (shared by the page and the count). */
export function listingWhere(
	query: CatalogQuery,
	dialect: Dialect,
	t: CatalogTables,
	trigrams = true,
): { where: string; params: unknown[] } {
	const name = query.name;
	// SQLite: a trigram lookup drives the query for `contains`/`endswith` of 3+ characters
	// (unless the caller found that the substring matches too many rows for that to pay).
	const fts = trigrams && usesTrigrams(query, dialect);
	// With the trigram index driving, `+` keeps SQLite from scanning another index instead.
	const c = (column: string) => (fts ? `+s.${column}` : `s.${column}`);
	// SQLite's unary `+`: nearly every row is active, so the state index must never drive a
	// listing (without statistics SQLite would pick it for the equality and scan every row).
	const conds: string[] = [dialect === "sqlite" ? "+s.state = 'active'" : "s.state = 'active'"];
	const params: unknown[] = [];
	const v = query.visibility;
	if (!v.all) {
		const parts: string[] = [];
		if (v.user !== undefined) {
			parts.push(`(${c("scope")} = 'user' AND ${c("owner")} = ?)`);
			params.push(v.user);
		}
		// owner = '' holds for every workspace-scoped row; saying so lets the unique index
		// (workspace, scope, owner, name) serve name conditions too.
		if (v.workspaces === "*") {
			parts.push(`(${c("scope")} = 'workspace' AND ${c("owner")} = '')`);
		} else if (v.workspaces.length > 0) {
			parts.push(
				`(${c("scope")} = 'workspace' AND ${c("owner")} = '' AND ${c("workspace")} IN (${placeholders(v.workspaces.length)}))`,
			);
			params.push(...v.workspaces);
		}
		conds.push(parts.length > 0 ? `(${parts.join(" OR ")})` : "1 = 0");
	}
	if (name) {
		const { op, value } = name;
		if (dialect === "sqlite") {
			if (fts) {
				// Trigram phrase: rows containing the substring (verified exactly below).
				conds.push(`s.rid IN (SELECT rowid FROM "${t.names}" WHERE "${t.names}" MATCH ?)`);
				params.push(trigramPhrase(value));
			}
			if (op === "equals") {
				conds.push("s.name = ?");
				params.push(value);
			} else if (op === "startswith") {
				const upper = prefixUpperBound(value);
				conds.push(
					`s.name >= ?${upper === undefined ? "" : " AND s.name < ?"} AND instr(s.name, ?) = 1`,
				);
				params.push(value, ...(upper === undefined ? [] : [upper]), value);
			} else if (op === "contains") {
				conds.push("instr(s.name, ?) > 0");
				params.push(value);
			} else {
				conds.push("substr(s.name, -length(?)) = ?");
				params.push(value, value);
			}
		} else {
			const escaped = escapeLike(value);
			if (op === "equals") {
				// The LIKE keeps MySQL's PAD SPACE collation from equating 'a' and 'a '.
				conds.push(dialect === "mysql" ? "s.name = ? AND s.name LIKE ? ESCAPE '!'" : "s.name = ?");
				params.push(value, ...(dialect === "mysql" ? [escaped] : []));
			} else {
				conds.push("s.name LIKE ? ESCAPE '!'");
				params.push(
					op === "startswith" ? `${escaped}%` : op === "endswith" ? `%${escaped}` : `%${escaped}%`,
				);
			}
		}
	}
	if (query.scope) {
		conds.push(`${c("scope")} = ?`);
		params.push(query.scope);
		if (query.scope === "workspace") conds.push(`${c("owner")} = ''`);
	}
	if (query.workspace) {
		conds.push(`${c("workspace")} = ?`);
		params.push(query.workspace);
	}
	if (query.owner) {
		conds.push(`${c("owner")} = ?`);
		params.push(query.owner);
	}
	for (const [field, column, op] of [
		["createdAfter", "created_at", ">="],
		["createdBefore", "created_at", "<"],
		["updatedAfter", "updated_at", ">="],
		["updatedBefore", "updated_at", "<"],
	] as const) {
		const date = query[field];
		if (date) {
			conds.push(`${c(column)} ${op} ?`);
			params.push(date.getTime());
		}
	}
	return { where: conds.join(" AND "), params };
}

/** The page query and the count query of a listing. */
export function listingSql(
	query: CatalogQuery,
	dialect: Dialect,
	t: CatalogTables,
	quote: (name: string) => string,
	trigrams = true,
): { page: string; count: string; params: unknown[]; limit: number; offset: number } {
	const { where, params } = listingWhere(query, dialect, t, trigrams);
	const dir = query.sortOrder === "desc" ? "DESC" : "ASC";
	const columns = ROW_COLUMNS.map((c) => `s.${c}`).join(", ");
	const from = `FROM ${quote(t.secrets)} s WHERE ${where}`;
	return {
		page: `SELECT ${columns} ${from} ORDER BY s.${SORT_COLUMNS[query.sortBy]} ${dir}, s.id ${dir} LIMIT ? OFFSET ?`,
		count: `SELECT COUNT(*) AS n ${from}`,
		params,
		limit: query.size,
		offset: (query.page - 1) * query.size,
	};
}
