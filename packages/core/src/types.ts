/**
 * The user-visible model of Strongbox (see DESIGN.md, "The user-visible model").
 *
 * @packageDocumentation
 */

/** Where a secret lives: shared by a workspace, or private to one user. */
export type SecretScope = "workspace" | "user";

/** The values of a secret: key → string value. */
export type SecretValues = Record<string, string>;

/** A values update: a key set to `null` is removed, a key given is overwritten, the rest is kept. */
export type SecretValuesPatch = Record<string, string | null>;

/** Everything about a secret except its values. Listings return this shape. */
export interface SecretMetadata {
	/** UUID, assigned at creation, never changes. The only name a back-end ever sees. */
	id: string;
	/** 1–255 letters, digits, `-` and `_`; unique per (workspace, scope, owner). */
	name: string;
	scope: SecretScope;
	/** The workspace the secret belongs to (user-scoped secrets too). */
	workspace: string;
	/** The owning user of a user-scoped secret; `null` for workspace scope. */
	owner: string | null;
	/** The names of the secret's keys, sorted. Key names are not secret. */
	keys: string[];
	/** Starts at 1 and grows by 1 on every write (values, rename or scope change). */
	version: number;
	createdAt: Date;
	updatedAt: Date;
	/** The name of the store that holds the values (for example `sql` or `aws`). */
	backend: string;
}

/**
 * A secret with its values.
 *
 * Objects returned by Strongbox mask `values` in `util.inspect`, `toString()` and
 * `JSON.stringify`; read `secret.values` explicitly to use them.
 */
export interface Secret extends SecretMetadata {
	values: SecretValues;
}

/** Who is asking. Every call through `Secrets` is made as one caller. */
export interface Caller {
	/** The user id; owner of the user-scoped secrets it creates. */
	user: string;
	/** The workspace used when a call names none. */
	workspace: string;
	/**
	 * Workspaces whose workspace-scoped secrets this caller may see and change;
	 * `"*"` for all. Defaults to `[workspace]`.
	 */
	workspaces?: readonly string[] | "*";
	/**
	 * Trusted internal callers (reconciliation, migration, the embedded CLI) see every
	 * secret, user-scoped ones included. Never set this from a request.
	 */
	system?: boolean;
}

/** Input of {@link Secrets.createSecret}. */
export interface CreateSecretInput {
	name: string;
	values: SecretValues;
	/** @default "workspace" */
	scope?: SecretScope;
	/** @default the caller's workspace */
	workspace?: string;
}

/** Input of {@link Secrets.updateSecret}. Every field is optional; at least one is required. */
export interface UpdateSecretInput {
	/** A new name (rename); the back-end is not touched. */
	name?: string;
	/** A new scope; moving to `user` makes the caller the owner. */
	scope?: SecretScope;
	/** Merged into the current values; `null` removes a key. */
	values?: SecretValuesPatch;
	/** Fail with `ConflictError` unless the secret is at this version. */
	expectedVersion?: number;
}

/** A name filter operator. Matching is case-sensitive and `%`/`_` are literal. */
export type NameOperator = "equals" | "contains" | "startswith" | "endswith";

/** Sortable fields of a listing. */
export type SortField = "name" | "createdAt" | "updatedAt";

/** Filter, sort and page of {@link Secrets.listSecrets}. */
export interface SecretFilter {
	/**
	 * A name, or `"<operator>:<value>"` (for example `"contains:db"`), or an object.
	 * A bare string means `equals`.
	 */
	name?: string | { op: NameOperator; value: string };
	scope?: SecretScope;
	workspace?: string;
	owner?: string;
	/** Inclusive lower bound, ISO 8601 with a time zone (`2026-01-01T00:00:00Z`). */
	createdAfter?: string | Date;
	/** Exclusive upper bound, ISO 8601 with a time zone. */
	createdBefore?: string | Date;
	/** Inclusive lower bound, ISO 8601 with a time zone. */
	updatedAfter?: string | Date;
	/** Exclusive upper bound, ISO 8601 with a time zone. */
	updatedBefore?: string | Date;
	/** @default "createdAt" */
	sortBy?: SortField;
	/** @default "asc" */
	sortOrder?: "asc" | "desc";
	/** 1-based. @default 1 */
	page?: number;
	/** @default 20, at most 1000 */
	size?: number;
}

/** One page of a listing. Items never carry values. */
export interface Page<T> {
	items: T[];
	page: number;
	size: number;
	total: number;
	totalPages: number;
}

/** What {@link Secrets.reconcile} did. */
export interface ReconcileReport {
	/** Pending writes whose values were found written and were completed. */
	completed: number;
	/** Pending writes whose values never reached the back-end and were undone. */
	rolledBack: number;
	/** Interrupted deletes that were finished. */
	deleted: number;
	/** Values found in a back-end with no catalog row, removed. */
	orphansRemoved: number;
	/** Rows that could not be settled now (back-end unreachable); retried next time. */
	deferred: number;
}

/** Options of the calls that accept a version precondition. */
export interface DeleteSecretOptions {
	expectedVersion?: number;
}

/** Options of `getSecretByName`. */
export interface LookupOptions {
	/** Look in this workspace instead of the caller's default one. */
	workspace?: string;
	/** Only this scope; by default user scope first, then workspace. */
	scope?: SecretScope;
}

/**
 * The Secrets API: the same interface in-process (`createSecrets`) and over HTTP
 * (`@strongbox/client`).
 */
export interface Secrets {
	createSecret(input: CreateSecretInput): Promise<Secret>;
	getSecret(id: string): Promise<Secret>;
	/** The caller's user-scoped secret of that name first, then the workspace's. */
	getSecretByName(name: string, options?: LookupOptions): Promise<Secret>;
	/** Metadata only (no value is read). */
	getSecretMetadata(id: string): Promise<SecretMetadata>;
	/** Metadata by name, same lookup order as `getSecretByName` (no value is read). */
	getSecretMetadataByName(name: string, options?: LookupOptions): Promise<SecretMetadata>;
	/** Values of many secrets, each fetched once, bulk where the store can. */
	getSecrets(ids: readonly string[]): Promise<Secret[]>;
	listSecrets(filter?: SecretFilter): Promise<Page<SecretMetadata>>;
	updateSecret(id: string, input: UpdateSecretInput): Promise<Secret>;
	deleteSecret(id: string, options?: DeleteSecretOptions): Promise<void>;
}
