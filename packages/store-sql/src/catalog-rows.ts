/**
 * Catalog rows as the database holds them (owner '' for workspace scope, integer
 * milliseconds, JSON key lists) and as the `Catalog` contract returns them.
 */
import type { CatalogRow, PendingWrite, SecretScope } from "@strongbox/core";
import type { SqlRow } from "./sql.js";

/** Most ids in one IN list. */
export const CHUNK = 500;

/** A number column (PostgreSQL returns `bigint` as a string). */
export function num(value: unknown): number {
	return typeof value === "number" ? value : Number(value);
}

function parseUndo(text: unknown): PendingWrite["undo"] {
	if (typeof text !== "string" || text === "") return null;
	const undo = JSON.parse(text) as { name: string; scope: SecretScope; owner: string };
	return { name: undo.name, scope: undo.scope, owner: undo.owner === "" ? null : undo.owner };
}

/** A database row as a {@link CatalogRow}. */
export function rowFrom(r: SqlRow): CatalogRow {
	const pendingVersion = r.pending_version;
	return {
		id: r.id as string,
		name: r.name as string,
		scope: r.scope as SecretScope,
		workspace: r.workspace as string,
		owner: r.owner === "" ? null : (r.owner as string),
		keys: JSON.parse(r.key_names as string) as string[],
		version: num(r.version),
		valuesVersion: num(r.values_version),
		backend: r.backend as string,
		state: r.state as CatalogRow["state"],
		pending:
			pendingVersion === null || pendingVersion === undefined
				? null
				: {
						version: num(pendingVersion),
						keys: JSON.parse(r.pending_key_names as string) as string[],
						since: new Date(num(r.pending_since)),
						undo: parseUndo(r.pending_undo),
					},
		createdAt: new Date(num(r.created_at)),
		updatedAt: new Date(num(r.updated_at)),
	};
}

/** `items` in slices of {@link CHUNK} (one IN list each). */
export function chunks<T>(items: readonly T[]): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
	return out;
}
