/**
 * The catalog contract: every secret's metadata (never a value), with name uniqueness
 * enforced by the database and every compare-and-set done in one statement.
 *
 * `@strongbox/store-sql` implements it on SQLite, PostgreSQL and MySQL/MariaDB.
 *
 * Write protocol (crash-safe, see `createSecrets`):
 * - create: `insertPending` (state `pending`, invisible) → store.set → `commitCreate`.
 * - values update: `beginWrite` (CAS on version, records the pending version and keys)
 *   → store.set → `commitWrite` (or `abortWrite`).
 * - delete: `markDeleting` (CAS, invisible from now on) → store.delete → `remove`.
 * - rename / scope change alone: `updateMetadata` (CAS), the back-end is not touched.
 * Reconciliation settles what a crash left between two steps.
 */

import type { SecretScope } from "./types.js";
import type { NormalizedFilter } from "./validation.js";

/** The lifecycle state of a catalog row. */
export type RowState = "pending" | "active" | "deleting";

/** A values write in flight on an active row. */
export interface PendingWrite {
	/** The version the secret gets when the write commits. */
	version: number;
	/** Key names after the write. */
	keys: string[];
	/** When the write began (rows pending for too long are reconciled). */
	since: Date;
	/** Name, scope and owner before the write, restored if it is undone. */
	undo: { name: string; scope: SecretScope; owner: string | null } | null;
}

/** One catalog row. */
export interface CatalogRow {
	id: string;
	name: string;
	scope: SecretScope;
	workspace: string;
	owner: string | null;
	keys: string[];
	version: number;
	/** The version the back-end's values were written at (≤ `version`; renames do not rewrite values). */
	valuesVersion: number;
	backend: string;
	state: RowState;
	pending: PendingWrite | null;
	createdAt: Date;
	updatedAt: Date;
}

/** A new row, inserted in state `pending` with version 1. */
export interface NewCatalogRow {
	id: string;
	name: string;
	scope: SecretScope;
	workspace: string;
	owner: string | null;
	keys: string[];
	backend: string;
	now: Date;
}

/** Who may see which rows, applied inside the query. */
export interface Visibility {
	/** Every row (trusted callers). */
	all?: boolean;
	/** User-scoped rows owned by this user. */
	user?: string;
	/** Workspace-scoped rows of these workspaces; `"*"` for all. */
	workspaces: readonly string[] | "*";
}

/** A listing query: the validated filter plus the caller's visibility. */
export interface CatalogQuery extends NormalizedFilter {
	visibility: Visibility;
}

/** Lookup of one name. */
export interface NameLookup {
	name: string;
	workspace: string;
	scope: SecretScope;
	owner: string | null;
}

/** Changes of `beginWrite`. */
export interface BeginWrite {
	/** The version the caller read; the write fails if the row moved on. */
	fromVersion: number;
	/** Keys after the write. */
	keys: string[];
	/** A rename or scope change made in the same update. */
	metadata?: { name?: string; scope?: SecretScope; owner?: string | null };
	now: Date;
}

/** Changes of `updateMetadata`. */
export interface MetadataChange {
	fromVersion: number;
	name?: string;
	scope?: SecretScope;
	owner?: string | null;
	now: Date;
}

/** The catalog contract. Implementations throw `SecretExistsError` on a name clash. */
export interface Catalog {
	/** Run migrations; called once before first use. */
	init(): Promise<void>;
	close(): Promise<void>;
	/** Insert a row in state `pending`, version 1. `SecretExistsError` when the name is taken. */
	insertPending(row: NewCatalogRow): Promise<void>;
	/** `pending` → `active`. `false` when the row is gone or not pending. */
	commitCreate(id: string, now: Date): Promise<boolean>;
	/** A row in any state, or `undefined`. */
	get(id: string): Promise<CatalogRow | undefined>;
	/** Rows in any state for these ids (missing ids left out). */
	getMany(ids: readonly string[]): Promise<CatalogRow[]>;
	/** The row holding that name (any state), or `undefined`. */
	findByName(lookup: NameLookup): Promise<CatalogRow | undefined>;
	/** Active rows matching the query, one page, plus the total count. */
	list(query: CatalogQuery): Promise<{ items: CatalogRow[]; total: number }>;
	/**
	 * Marks a values write in flight on an active row at `fromVersion` with no write in
	 * flight, applying a rename/scope change at once. `false` when the row moved on.
	 * `SecretExistsError` when the new name is taken.
	 */
	beginWrite(id: string, change: BeginWrite): Promise<boolean>;
	/** Completes the write: version, values version and keys take the pending ones. */
	commitWrite(id: string, pendingVersion: number, now: Date): Promise<boolean>;
	/** Undoes the write: pending cleared, name/scope/owner restored. */
	abortWrite(id: string, pendingVersion: number): Promise<boolean>;
	/**
	 * Marks a write in flight as abandoned: its writer gave up without knowing whether the
	 * values landed. The row stays pending but counts as stale at once (`pending.since`
	 * becomes the epoch), so the next writer or reconciliation settles it from what the
	 * back-end holds, instead of waiting for it to time out.
	 */
	releaseWrite(id: string, pendingVersion: number): Promise<boolean>;
	/** Rename / scope change without touching values (CAS on version, version + 1). */
	updateMetadata(id: string, change: MetadataChange): Promise<boolean>;
	/** Active row (at `fromVersion` if given, with no write in flight) → `deleting`. */
	markDeleting(id: string, fromVersion?: number): Promise<boolean>;
	/** `deleting` → `active` again (the back-end delete failed). */
	unmarkDeleting(id: string): Promise<boolean>;
	/** Removes the row. */
	remove(id: string): Promise<void>;
	/** Rows to reconcile: pending creates and writes begun before `olderThan`, and every deleting row. */
	listUnsettled(olderThan: Date, limit: number): Promise<CatalogRow[]>;
	/** Which of these ids have a row (any state). */
	existing(ids: readonly string[]): Promise<Set<string>>;
	/** Active rows held by `backend`, by id order after `afterId` (migration). */
	listByBackend(backend: string, afterId: string | null, limit: number): Promise<CatalogRow[]>;
	/**
	 * Moves an active row with no write in flight to another back-end if its values are
	 * still at `valuesVersion`. Writers rely on it: once `beginWrite` or `markDeleting`
	 * succeeded, the row's back-end no longer changes until the write settles.
	 */
	setBackend(id: string, valuesVersion: number, backend: string): Promise<boolean>;
	/** A small settings table (deployment id, key fingerprints...). */
	getSetting(key: string): Promise<string | undefined>;
	/** Sets a setting only if absent; returns the value now stored. */
	initSetting(key: string, value: string): Promise<string>;
	setSetting(key: string, value: string): Promise<void>;
	/**
	 * Every setting whose key starts with `prefix` (compared literally: `%` and `_` are not
	 * wildcards), key → value. Used for small sets such as the backup store's divergences.
	 */
	listSettings(prefix: string): Promise<Record<string, string>>;
	/** Removes a setting; nothing happens when it is absent. */
	deleteSetting(key: string): Promise<void>;
}
