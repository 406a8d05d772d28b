/**
 * `createSecrets`: the one implementation of every user-visible rule (validation,
 * scopes and lookup order, merge updates, versions and optimistic concurrency,
 * crash-safe two-phase writes and their reconciliation). The server, the client and
 * the CLI all expose this same API.
 */
import {
	type CacheOptions,
	createValuesCache,
	type SecretsCache,
	type ValuesCache,
} from "./cache.js";
import type { Catalog, CatalogRow, Visibility } from "./catalog.js";
import {
	ConflictError,
	ForbiddenError,
	SecretNotFoundError,
	StoreConfigError,
	StoreError,
	StoreUnavailableError,
	StrongboxError,
	ValidationError,
	type ValidationIssue,
} from "./errors.js";
import { type ManagedStore, silentLogger } from "./runtime.js";
import { makeSecret } from "./secret.js";
import type { Logger, StoredValues } from "./store.js";
import type {
	Caller,
	CreateSecretInput,
	DeleteSecretOptions,
	LookupOptions,
	Page,
	ReconcileReport,
	Secret,
	SecretFilter,
	SecretMetadata,
	SecretScope,
	Secrets,
	SecretValues,
	SecretValuesPatch,
	UpdateSecretInput,
} from "./types.js";
import {
	assertSize,
	isSecretId,
	LIMITS,
	nameIssues,
	normalizeFilter,
	scopeIssues,
	userIssues,
	validatePatch,
	validateValues,
	versionIssues,
	workspaceIssues,
} from "./validation.js";

/** Options of {@link createSecrets}. */
export interface CreateSecretsOptions {
	/** Where metadata lives (`sqlCatalog` from `@strongbox/store-sql`). */
	catalog: Catalog;
	/** Where the values of new secrets are written. */
	store: ManagedStore;
	/**
	 * Other stores that may hold the values of existing secrets (each secret's row names
	 * its back-end). Used during and after a migration.
	 */
	stores?: readonly ManagedStore[];
	/** The caller of the returned view. @default `{ user: "local", workspace: "default", workspaces: "*" }` */
	caller?: Caller;
	/** Size limit of a secret's values in bytes, lowered to the store's own if smaller. @default 65536 */
	maxValueBytes?: number;
	/** A write pending longer than this is taken as interrupted by a crash. @default 30000 */
	staleAfterMs?: number;
	/** How long a write waits for another write in flight on the same secret. @default 5000 */
	writeWaitMs?: number;
	/** Settle interrupted writes when the runtime starts. @default true */
	reconcileOnStart?: boolean;
	logger?: Logger;
	/** Clock, for tests. @default () => new Date() */
	now?: () => Date;
	/**
	 * Cache the values read from stores, in memory only, bounded by `max` entries (least
	 * recently used out first) and `ttlMs`. An entry is served only while its version is
	 * the catalog row's values version (the row is read on every call anyway), so a write
	 * through another runtime over the same catalog is never served stale. Writes and
	 * deletes through this runtime drop what they touch. @default no cache
	 */
	cache?: CacheOptions;
}

/** The in-process Secrets API with its runtime controls. */
export interface SecretsService extends Secrets {
	/** The caller this view acts as. */
	readonly caller: Caller;
	/** The same runtime acting as another caller (the server makes one per request). */
	as(caller: Caller): SecretsService;
	/** Initialise the catalog and the store (also done by the first call). */
	init(): Promise<void>;
	/**
	 * Finish or undo what a crash left: pending creates and writes older than
	 * `staleAfterMs`, interrupted deletes, and (with `orphans`, the default) values in a
	 * back-end that has no catalog row.
	 */
	reconcile(options?: { staleAfterMs?: number; orphans?: boolean }): Promise<ReconcileReport>;
	/** Checks the catalog and every store (for health endpoints). */
	verify(): Promise<void>;
	/** Closes the catalog and every store, once. */
	close(): Promise<void>;
	readonly catalog: Catalog;
	/** The store new secrets are written to. */
	readonly store: ManagedStore;
	/** The store named `backend` (`StoreConfigError` if none is configured). */
	storeFor(backend: string): ManagedStore;
	/** The values cache, when the `cache` option is set (shared by every `as()` view). */
	readonly cache?: SecretsCache;
}

const DEFAULT_CALLER: Caller = { user: "local", workspace: "default", workspaces: "*" };

interface Runtime {
	catalog: Catalog;
	store: ManagedStore;
	stores: Map<string, ManagedStore>;
	maxValueBytes: number;
	staleAfterMs: number;
	writeWaitMs: number;
	reconcileOnStart: boolean;
	logger: Logger;
	now: () => Date;
	cache?: ValuesCache;
	cacheControl?: SecretsCache;
	ready?: Promise<void>;
	/** Set once `ready` has completed: the hot path then skips awaiting it. */
	started?: boolean;
	closing?: Promise<void>;
}

function invalid(message: string, issues: ValidationIssue[]): never {
	throw new ValidationError(
		issues.length === 1
			? `${message}: ${issues[0]!.path}: ${issues[0]!.message}`
			: `${message} (${issues.length} problems).`,
		issues,
	);
}

function checkId(id: unknown): asserts id is string {
	if (!isSecretId(id)) invalid("Invalid secret id", [{ path: "id", message: "must be a UUID" }]);
}

function checkCaller(caller: Caller): Caller {
	const issues = [
		...userIssues(caller?.user, "caller.user"),
		...workspaceIssues(caller?.workspace, "caller.workspace"),
	];
	if (issues.length > 0) invalid("Invalid caller", issues);
	return caller;
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function metadataOf(row: CatalogRow, stored?: StoredValues): SecretMetadata {
	// A write in flight whose values already reached the back-end is what a read sees.
	const pendingVisible =
		row.pending !== null && stored !== undefined && stored.version === row.pending.version;
	return {
		id: row.id,
		name: row.name,
		scope: row.scope,
		workspace: row.workspace,
		owner: row.owner,
		keys: pendingVisible ? row.pending!.keys : row.keys,
		version: pendingVisible ? row.pending!.version : row.version,
		createdAt: row.createdAt,
		updatedAt: row.updatedAt,
		backend: row.backend,
	};
}

function applyPatch(current: SecretValues, patch: SecretValuesPatch): SecretValues {
	const next: SecretValues = { ...current };
	for (const [key, value] of Object.entries(patch)) {
		if (value === null) delete next[key];
		else next[key] = value;
	}
	return next;
}

function sortedKeys(values: SecretValues): string[] {
	return Object.keys(values).sort();
}

/**
 * Whether a failed store call may still have taken effect: an unavailable back-end (a
 * timeout, a dropped connection, a 5xx) or an unexpected failure. Typed refusals
 * (validation, size, permission, configuration, conflict) mean nothing was done.
 */
function isAmbiguous(error: unknown): boolean {
	if (!(error instanceof StrongboxError)) return true;
	return error instanceof StoreUnavailableError || error.constructor === StoreError;
}

/** What a store holds for `id` after a failed call: its values, nothing, or unknown (unreachable). */
async function probe(
	store: ManagedStore,
	id: string,
): Promise<StoredValues | "nothing" | "unknown"> {
	try {
		return (await store.get(id)) ?? "nothing";
	} catch {
		return "unknown";
	}
}

/**
 * Creates the Secrets API over a catalog and a store.
 *
 * @example
 * const secrets = createSecrets({ catalog, store });
 * const db = await secrets.createSecret({ name: "db", values: { user: "app", password: "..." } });
 */
export function createSecrets(options: CreateSecretsOptions): SecretsService {
	if (!options?.catalog || !options.store) {
		throw new StoreConfigError("createSecrets needs a `catalog` and a `store`.");
	}
	const stores = new Map<string, ManagedStore>();
	for (const store of [options.store, ...(options.stores ?? [])]) {
		if (stores.has(store.name) && stores.get(store.name) !== store) {
			throw new StoreConfigError(
				`Two stores are named \`${store.name}\`; give each a distinct \`name\`.`,
			);
		}
		stores.set(store.name, store);
	}
	const runtime: Runtime = {
		catalog: options.catalog,
		store: options.store,
		stores,
		maxValueBytes: options.maxValueBytes ?? LIMITS.maxValueBytes,
		staleAfterMs: options.staleAfterMs ?? 30_000,
		writeWaitMs: options.writeWaitMs ?? 5_000,
		reconcileOnStart: options.reconcileOnStart ?? true,
		logger: options.logger ?? silentLogger,
		now: options.now ?? (() => new Date()),
	};
	if (options.cache !== undefined) {
		const cache = createValuesCache({
			now: () => runtime.now().getTime(),
			...options.cache,
		});
		runtime.cache = cache;
		// Only the controls are exposed: entries are read below the access checks.
		runtime.cacheControl = {
			invalidate: (id) => cache.invalidate(id),
			clear: () => cache.clear(),
			stats: () => cache.stats(),
		};
	}
	return view(runtime, checkCaller(options.caller ?? DEFAULT_CALLER));
}

function view(rt: Runtime, caller: Caller): SecretsService {
	const visibility: Visibility = caller.system
		? { all: true, user: caller.user, workspaces: "*" }
		: { user: caller.user, workspaces: caller.workspaces ?? [caller.workspace] };

	function inWorkspace(workspace: string): boolean {
		return (
			visibility.all === true ||
			visibility.workspaces === "*" ||
			visibility.workspaces.includes(workspace)
		);
	}

	function visible(row: CatalogRow | undefined): row is CatalogRow {
		if (row?.state !== "active") return false;
		if (visibility.all) return true;
		return row.scope === "user" ? row.owner === caller.user : inWorkspace(row.workspace);
	}

	function notFound(what: string): SecretNotFoundError {
		return new SecretNotFoundError(`Secret ${what} not found.`);
	}

	function storeFor(backend: string): ManagedStore {
		const store = rt.stores.get(backend);
		if (!store) {
			throw new StoreConfigError(
				`Secret values live in back-end \`${backend}\`, which is not configured. Add that store (as a secondary store) to read them.`,
			);
		}
		return store;
	}

	function limitFor(store: ManagedStore): number {
		return Math.min(rt.maxValueBytes, store.capabilities.maxValueBytes);
	}

	async function ready(): Promise<void> {
		if (rt.closing) throw new StoreError("This Strongbox runtime is closed.");
		if (rt.started) return;
		rt.ready ??= (async () => {
			await rt.catalog.init();
			await rt.store.init();
			if (rt.reconcileOnStart) {
				try {
					await reconcileRows(rt.staleAfterMs);
				} catch (error) {
					rt.logger.warn("Reconciliation at start-up failed; it will be retried.", {
						error: error instanceof StrongboxError ? error.code : "UNKNOWN",
					});
				}
			}
			rt.started = true;
		})().catch((error: unknown) => {
			rt.ready = undefined;
			throw error;
		});
		return rt.ready;
	}

	async function loadRow(id: string): Promise<CatalogRow> {
		const row = await rt.catalog.get(id);
		if (!visible(row)) throw notFound(id);
		return row;
	}

	function materialize(row: CatalogRow, stored: StoredValues | undefined): Secret {
		if (!stored) {
			throw new StoreError(
				`The values of secret ${row.id} are missing from back-end \`${row.backend}\`. Run \`strongbox doctor\` to inspect.`,
				{ store: row.backend, details: { reason: "values-missing", id: row.id } },
			);
		}
		if (stored.version !== row.valuesVersion && stored.version !== row.pending?.version) {
			rt.logger.warn("Back-end holds another version than the catalog.", {
				id: row.id,
				catalogVersion: row.valuesVersion,
				storedVersion: stored.version,
			});
		}
		return makeSecret(metadataOf(row, stored), stored.values);
	}

	/**
	 * A migration may switch a row to another back-end and remove the source copy between
	 * the row read and the values read. When values are missing, the row is read again
	 * once and followed to its new back-end.
	 */
	async function followMove(
		row: CatalogRow,
	): Promise<{ row: CatalogRow; stored: StoredValues | undefined }> {
		const fresh = await rt.catalog.get(row.id);
		if (!visible(fresh) || fresh.backend === row.backend) return { row, stored: undefined };
		return { row: fresh, stored: await storeFor(fresh.backend).get(row.id) };
	}

	function remember(row: CatalogRow, stored: StoredValues | undefined): void {
		// Only committed values are cached: a pending version number can be reused after an
		// aborted write, a committed values version never is.
		if (stored && stored.version === row.valuesVersion) rt.cache?.put(row.id, stored);
	}

	/** The values of a row's secret: from the cache at the row's values version, else its store. */
	async function readStored(
		row: CatalogRow,
	): Promise<{ row: CatalogRow; stored: StoredValues | undefined }> {
		const cached = rt.cache?.get(row.id, row.valuesVersion);
		if (cached) return { row, stored: cached };
		let read: { row: CatalogRow; stored: StoredValues | undefined } = {
			row,
			stored: await storeFor(row.backend).get(row.id),
		};
		if (!read.stored) read = await followMove(row);
		remember(read.row, read.stored);
		return read;
	}

	async function readSecret(row: CatalogRow): Promise<Secret> {
		// The hot path of every read: as few awaits as possible (see bench/sql.mjs).
		const cached = rt.cache?.get(row.id, row.valuesVersion);
		if (cached) return materialize(row, cached);
		const stored = await storeFor(row.backend).get(row.id);
		if (stored) {
			remember(row, stored);
			return materialize(row, stored);
		}
		const read = await followMove(row);
		remember(read.row, read.stored);
		return materialize(read.row, read.stored);
	}

	/** Settles one unsettled row. Returns what was done. */
	async function settle(row: CatalogRow): Promise<"completed" | "rolledBack" | "deleted" | "none"> {
		rt.cache?.invalidate(row.id);
		const store = storeFor(row.backend);
		if (row.state === "deleting") {
			await store.delete(row.id);
			await rt.catalog.remove(row.id);
			return "deleted";
		}
		if (row.state === "pending") {
			const stored = await store.get(row.id);
			if (stored && stored.version === row.version) {
				return (await rt.catalog.commitCreate(row.id, rt.now())) ? "completed" : "none";
			}
			if (stored) await store.delete(row.id);
			await rt.catalog.remove(row.id);
			return "rolledBack";
		}
		if (row.pending) {
			const stored = await store.get(row.id);
			if (stored && stored.version === row.pending.version) {
				return (await rt.catalog.commitWrite(row.id, row.pending.version, rt.now()))
					? "completed"
					: "none";
			}
			return (await rt.catalog.abortWrite(row.id, row.pending.version)) ? "rolledBack" : "none";
		}
		return "none";
	}

	async function reconcileRows(
		staleAfterMs: number,
		report?: ReconcileReport,
	): Promise<ReconcileReport> {
		const out = report ?? {
			completed: 0,
			rolledBack: 0,
			deleted: 0,
			orphansRemoved: 0,
			deferred: 0,
		};
		const seen = new Set<string>();
		for (;;) {
			const rows = (
				await rt.catalog.listUnsettled(new Date(rt.now().getTime() - staleAfterMs), 200)
			).filter((row) => !seen.has(row.id));
			if (rows.length === 0) return out;
			for (const row of rows) {
				seen.add(row.id);
				try {
					const done = await settle(row);
					if (done !== "none") out[done]++;
				} catch (error) {
					out.deferred++;
					rt.logger.warn("Could not settle an interrupted write; will retry.", {
						id: row.id,
						error: error instanceof StrongboxError ? error.code : "UNKNOWN",
					});
				}
			}
		}
	}

	async function removeOrphans(report: ReconcileReport): Promise<void> {
		for (const store of rt.stores.values()) {
			if (!store.capabilities.listIds) continue;
			let batch: string[] = [];
			const flush = async () => {
				const existing = await rt.catalog.existing(batch);
				for (const id of batch) {
					if (existing.has(id)) continue;
					try {
						if (await store.delete(id)) report.orphansRemoved++;
					} catch {
						report.deferred++;
					}
				}
				batch = [];
			};
			try {
				for await (const id of store.listIds()) {
					batch.push(id);
					if (batch.length >= 500) await flush();
				}
				if (batch.length > 0) await flush();
			} catch (error) {
				report.deferred++;
				rt.logger.warn("Could not scan a store for orphaned values.", {
					store: store.name,
					error: error instanceof StrongboxError ? error.code : "UNKNOWN",
				});
			}
		}
	}

	/**
	 * Waits while another write is in flight on the row, settling it if it is stale.
	 * Returns a fresh row with no write in flight.
	 */
	async function settledRow(
		id: string,
		expectedVersion: number | undefined,
		deadline: number,
	): Promise<CatalogRow> {
		for (let attempt = 0; ; attempt++) {
			const row = await loadRow(id);
			// A write a crash left behind is settled first: reads already show its version when
			// its values landed, so the caller's expectedVersion is compared with the outcome.
			if (row.pending && rt.now().getTime() - row.pending.since.getTime() > rt.staleAfterMs) {
				await settle(row);
				continue;
			}
			if (expectedVersion !== undefined && row.version !== expectedVersion) {
				throw new ConflictError(
					`Secret ${id} is at version ${row.version}, not the expected ${expectedVersion}.`,
					{ details: { currentVersion: row.version, expectedVersion } },
				);
			}
			if (!row.pending) return row;
			if (expectedVersion !== undefined) {
				throw new ConflictError(
					`Secret ${id} is being written by another request; read it again and retry.`,
					{
						details: { currentVersion: row.version, expectedVersion },
					},
				);
			}
			if (Date.now() > deadline) {
				throw new ConflictError(`Secret ${id} is being written by another request; retry.`, {
					details: { currentVersion: row.version },
				});
			}
			await sleep(Math.random() * Math.min(200, 5 * 2 ** Math.min(attempt, 6)));
		}
	}

	function retryOrConflict(
		expectedVersion: number | undefined,
		id: string,
		deadline: number,
	): void {
		if (expectedVersion !== undefined) {
			throw new ConflictError(
				`Secret ${id} changed since version ${expectedVersion}; read it again and retry.`,
				{
					details: { expectedVersion },
				},
			);
		}
		if (Date.now() > deadline)
			throw new ConflictError(`Secret ${id} is under heavy concurrent writes; retry.`);
	}

	const service: SecretsService = {
		caller,
		catalog: rt.catalog,
		store: rt.store,
		storeFor,
		...(rt.cacheControl ? { cache: rt.cacheControl } : {}),
		as(next: Caller) {
			return view(rt, checkCaller(next));
		},
		init: ready,

		async createSecret(input: CreateSecretInput): Promise<Secret> {
			if (typeof input !== "object" || input === null)
				invalid("Invalid input", [{ path: "(input)", message: "must be an object" }]);
			const scope: SecretScope = input.scope ?? "workspace";
			const workspace = input.workspace ?? caller.workspace;
			const issues = [
				...nameIssues(input.name),
				...scopeIssues(scope),
				...workspaceIssues(workspace),
			];
			for (const key of Object.keys(input)) {
				if (!["name", "values", "scope", "workspace"].includes(key)) {
					issues.push({ path: key.slice(0, 64), message: "is not a known field" });
				}
			}
			if (issues.length > 0) invalid("Invalid secret", issues);
			validateValues(input.values);
			if (!inWorkspace(workspace)) {
				throw new ForbiddenError(`You are not a member of workspace \`${workspace}\`.`);
			}
			assertSize(input.values, limitFor(rt.store), rt.store.type);
			await ready();
			const now = rt.now();
			const row = {
				id: crypto.randomUUID(),
				name: input.name,
				scope,
				workspace,
				owner: scope === "user" ? caller.user : null,
				keys: sortedKeys(input.values),
				backend: rt.store.name,
				now,
			};
			await rt.catalog.insertPending(row);
			try {
				await rt.store.set(row.id, input.values, { version: 1 });
			} catch (error) {
				// Undo now so the name is free again; if the back-end cannot be reached the
				// row stays pending and reconciliation settles it.
				try {
					await rt.store.delete(row.id);
					await rt.catalog.remove(row.id);
				} catch {
					rt.logger.warn("A failed create could not be undone; reconciliation will.", {
						id: row.id,
					});
				}
				throw error;
			}
			// The commit stamps the same time the create returns, so a read matches it exactly.
			if (!(await rt.catalog.commitCreate(row.id, now))) {
				throw new StoreError(
					`Secret ${row.id} was rolled back while being created; create it again.`,
				);
			}
			return makeSecret(
				{ ...row, version: 1, createdAt: now, updatedAt: now },
				{ ...input.values },
			);
		},

		async getSecret(id: string): Promise<Secret> {
			checkId(id);
			if (!rt.started) await ready();
			const row = await rt.catalog.get(id);
			if (!visible(row)) throw notFound(id);
			return readSecret(row);
		},

		async getSecretMetadata(id: string): Promise<SecretMetadata> {
			checkId(id);
			await ready();
			return metadataOf(await loadRow(id));
		},

		async getSecretByName(name: string, lookup: LookupOptions = {}): Promise<Secret> {
			const row = await findByName(name, lookup);
			return readSecret(row);
		},

		async getSecretMetadataByName(
			name: string,
			lookup: LookupOptions = {},
		): Promise<SecretMetadata> {
			return metadataOf(await findByName(name, lookup));
		},

		async getSecrets(ids: readonly string[]): Promise<Secret[]> {
			if (!Array.isArray(ids))
				invalid("Invalid ids", [{ path: "ids", message: "must be an array" }]);
			if (ids.length > LIMITS.maxPageSize) {
				invalid("Invalid ids", [
					{ path: "ids", message: `at most ${LIMITS.maxPageSize} ids per call` },
				]);
			}
			for (const id of ids) checkId(id);
			await ready();
			const rows = (await rt.catalog.getMany([...new Set(ids)])).filter(visible);
			const byBackend = new Map<string, CatalogRow[]>();
			for (const row of rows)
				byBackend.set(row.backend, [...(byBackend.get(row.backend) ?? []), row]);
			const secrets = new Map<string, Secret>();
			for (const [backend, group] of byBackend) {
				const misses: CatalogRow[] = [];
				for (const row of group) {
					const cached = rt.cache?.get(row.id, row.valuesVersion);
					if (cached) secrets.set(row.id, materialize(row, cached));
					else misses.push(row);
				}
				if (misses.length === 0) continue;
				const found = await storeFor(backend).getMany(misses.map((row) => row.id));
				for (const row of misses) {
					const stored = found.get(row.id);
					const read = stored ? { row, stored } : await followMove(row);
					remember(read.row, read.stored);
					secrets.set(row.id, materialize(read.row, read.stored));
				}
			}
			return ids.flatMap((id) => (secrets.has(id) ? [secrets.get(id)!] : []));
		},

		async listSecrets(filter: SecretFilter = {}): Promise<Page<SecretMetadata>> {
			const normalized = normalizeFilter(filter);
			await ready();
			const { items, total } = await rt.catalog.list({ ...normalized, visibility });
			return {
				items: items.map((row) => metadataOf(row)),
				page: normalized.page,
				size: normalized.size,
				total,
				totalPages: Math.ceil(total / normalized.size),
			};
		},

		async updateSecret(id: string, input: UpdateSecretInput): Promise<Secret> {
			checkId(id);
			if (typeof input !== "object" || input === null)
				invalid("Invalid update", [{ path: "(input)", message: "must be an object" }]);
			const issues: ValidationIssue[] = [];
			for (const key of Object.keys(input)) {
				if (!["name", "scope", "values", "expectedVersion"].includes(key)) {
					issues.push({ path: key.slice(0, 64), message: "is not a known field" });
				}
			}
			if (input.name !== undefined) issues.push(...nameIssues(input.name));
			if (input.scope !== undefined) issues.push(...scopeIssues(input.scope));
			issues.push(...versionIssues(input.expectedVersion));
			if (input.name === undefined && input.scope === undefined && input.values === undefined) {
				issues.push({ path: "(input)", message: "give at least one of name, scope or values" });
			}
			if (issues.length > 0) invalid("Invalid update", issues);
			if (input.values !== undefined) validatePatch(input.values);
			await ready();
			const deadline = Date.now() + rt.writeWaitMs;
			for (;;) {
				const row = await settledRow(id, input.expectedVersion, deadline);
				const metadata: { name?: string; scope?: SecretScope; owner?: string | null } = {};
				if (input.name !== undefined && input.name !== row.name) metadata.name = input.name;
				if (input.scope !== undefined && input.scope !== row.scope) {
					if (input.scope === "workspace" && !inWorkspace(row.workspace)) {
						throw new ForbiddenError(`You are not a member of workspace \`${row.workspace}\`.`);
					}
					metadata.scope = input.scope;
					metadata.owner = input.scope === "user" ? caller.user : null;
				}
				const hasMetadata = Object.keys(metadata).length > 0;
				if (input.values === undefined) {
					if (!hasMetadata) return readSecret(row);
					const ok = await rt.catalog.updateMetadata(id, {
						fromVersion: row.version,
						...metadata,
						now: rt.now(),
					});
					rt.cache?.invalidate(id);
					if (!ok) {
						retryOrConflict(input.expectedVersion, id, deadline);
						continue;
					}
					return readSecret((await rt.catalog.get(id))!);
				}
				const read = await readStored(row);
				// The secret moved to another back-end meanwhile: start over from its new row.
				if (read.row !== row) continue;
				const current = read.stored;
				if (!current) await materialize(row, undefined);
				const store = storeFor(row.backend);
				const next = applyPatch(current!.values, input.values);
				if (Object.keys(next).length > LIMITS.maxKeys) {
					invalid("Invalid secret values", [
						{ path: "values", message: `the secret would have more than ${LIMITS.maxKeys} keys` },
					]);
				}
				assertSize(next, limitFor(store), store.type);
				const keys = sortedKeys(next);
				const began = await rt.catalog.beginWrite(id, {
					fromVersion: row.version,
					keys,
					...(hasMetadata ? { metadata } : {}),
					now: rt.now(),
				});
				if (!began) {
					retryOrConflict(input.expectedVersion, id, deadline);
					continue;
				}
				const version = row.version + 1;
				let backend = row.backend;
				try {
					// A migration may have switched the back-end between the row read and
					// beginWrite; from beginWrite on it cannot (setBackend refuses a row with a
					// write in flight), so the row read now names where the values go.
					backend = (await rt.catalog.get(id))?.backend ?? row.backend;
					await storeFor(backend).set(id, next, { version });
				} catch (error) {
					rt.cache?.invalidate(id);
					// A timeout or a lost answer may hide a write that landed: look before undoing.
					const held = isAmbiguous(error) ? await probe(storeFor(backend), id) : "nothing";
					if (held === "unknown") {
						// Cannot tell: the write stays pending, released so that the next writer or
						// reconciliation settles it from what the back-end holds (forward if the
						// values landed, back otherwise) without waiting for it to time out.
						await rt.catalog.releaseWrite(id, version).catch(() => {});
						throw error;
					}
					if (held === "nothing" || held.version !== version) {
						await rt.catalog.abortWrite(id, version).catch(() => {
							rt.logger.warn("A failed update could not be undone; reconciliation will.", { id });
						});
						throw error;
					}
					// The values landed after all: complete the write rather than report a failure.
				} finally {
					rt.cache?.invalidate(id);
				}
				const now = rt.now();
				if (!(await rt.catalog.commitWrite(id, version, now))) {
					throw new ConflictError(
						`The update of secret ${id} was settled by reconciliation; read it again.`,
					);
				}
				return makeSecret(
					{
						id,
						name: metadata.name ?? row.name,
						scope: metadata.scope ?? row.scope,
						workspace: row.workspace,
						owner: metadata.owner !== undefined ? metadata.owner : row.owner,
						keys,
						version,
						createdAt: row.createdAt,
						updatedAt: now,
						backend,
					},
					next,
				);
			}
		},

		async deleteSecret(id: string, deleteOptions: DeleteSecretOptions = {}): Promise<void> {
			checkId(id);
			const issues = versionIssues(deleteOptions.expectedVersion);
			if (issues.length > 0) invalid("Invalid delete", issues);
			await ready();
			const deadline = Date.now() + rt.writeWaitMs;
			for (;;) {
				const row = await settledRow(id, deleteOptions.expectedVersion, deadline);
				if (!(await rt.catalog.markDeleting(id, row.version))) {
					retryOrConflict(deleteOptions.expectedVersion, id, deadline);
					continue;
				}
				// As in updateSecret: once marked, the row's back-end can no longer change.
				let backend = row.backend;
				try {
					backend = (await rt.catalog.get(id))?.backend ?? row.backend;
					rt.cache?.invalidate(id);
					await storeFor(backend).delete(id);
				} catch (error) {
					const held = isAmbiguous(error) ? await probe(storeFor(backend), id) : "values";
					if (held === "unknown") {
						// Cannot tell whether the delete landed: the row stays `deleting` (invisible)
						// and reconciliation finishes the delete, which is what was asked.
						throw error;
					}
					if (held !== "nothing") {
						await rt.catalog.unmarkDeleting(id).catch(() => {
							rt.logger.warn(
								"A failed delete could not be undone; reconciliation will finish it.",
								{ id },
							);
						});
						throw error;
					}
					// The delete landed after all: finish it.
				}
				await rt.catalog.remove(id);
				return;
			}
		},

		async reconcile(reconcileOptions = {}): Promise<ReconcileReport> {
			await ready();
			const report = await reconcileRows(reconcileOptions.staleAfterMs ?? rt.staleAfterMs);
			if (reconcileOptions.orphans !== false) await removeOrphans(report);
			return report;
		},

		async verify(): Promise<void> {
			await ready();
			await rt.catalog.getSetting("strongbox.health");
			for (const store of rt.stores.values()) await store.verify();
		},

		close(): Promise<void> {
			rt.closing ??= (async () => {
				const pending = rt.ready;
				await pending?.catch(() => {});
				const results = await Promise.allSettled([
					...[...rt.stores.values()].map((store) => store.close()),
					rt.catalog.close(),
				]);
				const failed = results.find((r) => r.status === "rejected");
				if (failed) throw (failed as PromiseRejectedResult).reason;
			})();
			return rt.closing;
		},
	};

	async function findByName(name: string, lookup: LookupOptions): Promise<CatalogRow> {
		const workspace = lookup.workspace ?? caller.workspace;
		const issues = [...nameIssues(name), ...workspaceIssues(workspace)];
		if (lookup.scope !== undefined) issues.push(...scopeIssues(lookup.scope));
		if (issues.length > 0) invalid("Invalid lookup", issues);
		await ready();
		const scopes: SecretScope[] = lookup.scope ? [lookup.scope] : ["user", "workspace"];
		for (const scope of scopes) {
			const row = await rt.catalog.findByName({
				name,
				workspace,
				scope,
				owner: scope === "user" ? caller.user : null,
			});
			if (visible(row)) return row;
		}
		throw notFound(`\`${name}\``);
	}

	return service;
}
