/**
 * In-memory catalog and store, for unit tests and examples. They follow the contracts
 * exactly (compare-and-set, uniqueness, filters) but keep nothing across restarts.
 * Values are held in clear in memory: never use them in production.
 */
import type {
	BeginWrite,
	Catalog,
	CatalogQuery,
	CatalogRow,
	MetadataChange,
	NameLookup,
	NewCatalogRow,
} from "./catalog.js";
import { SecretExistsError, StoreUnavailableError } from "./errors.js";
import { type ManagedStore, wrapStore } from "./runtime.js";
import {
	defineStore,
	type SecretsStore,
	type StandardSchemaV1,
	type StoredValues,
} from "./store.js";

function clone(row: CatalogRow): CatalogRow {
	return structuredClone(row);
}

function nameKey(row: {
	workspace: string;
	scope: string;
	owner: string | null;
	name: string;
}): string {
	return JSON.stringify([row.workspace, row.scope, row.owner ?? "", row.name]);
}

/** An in-memory {@link Catalog}. */
export function memoryCatalog(): Catalog {
	const rows = new Map<string, CatalogRow>();
	const settings = new Map<string, string>();

	function claimName(
		row: CatalogRow,
		next: { name: string; scope: CatalogRow["scope"]; owner: string | null },
	): void {
		const key = nameKey({ ...row, ...next });
		for (const other of rows.values()) {
			if (other.id !== row.id && nameKey(other) === key) {
				throw new SecretExistsError(
					`A secret named \`${next.name}\` already exists in this scope.`,
				);
			}
		}
	}

	return {
		async init() {},
		async close() {},
		async insertPending(input: NewCatalogRow) {
			const row: CatalogRow = {
				id: input.id,
				name: input.name,
				scope: input.scope,
				workspace: input.workspace,
				owner: input.owner,
				keys: [...input.keys],
				version: 1,
				valuesVersion: 1,
				backend: input.backend,
				state: "pending",
				pending: null,
				createdAt: input.now,
				updatedAt: input.now,
			};
			claimName(row, row);
			rows.set(row.id, row);
		},
		async commitCreate(id, now) {
			const row = rows.get(id);
			if (row?.state !== "pending") return false;
			row.state = "active";
			row.updatedAt = now;
			return true;
		},
		async get(id) {
			const row = rows.get(id);
			return row ? clone(row) : undefined;
		},
		async getMany(ids) {
			return ids.flatMap((id) => (rows.has(id) ? [clone(rows.get(id)!)] : []));
		},
		async findByName(lookup: NameLookup) {
			const key = nameKey(lookup);
			for (const row of rows.values()) if (nameKey(row) === key) return clone(row);
			return undefined;
		},
		async list(query: CatalogQuery) {
			const v = query.visibility;
			const matches = [...rows.values()].filter((row) => {
				if (row.state !== "active") return false;
				if (!v.all) {
					const ok =
						row.scope === "user"
							? row.owner === v.user
							: v.workspaces === "*" || v.workspaces.includes(row.workspace);
					if (!ok) return false;
				}
				if (query.name) {
					const { op, value } = query.name;
					const n = row.name;
					if (op === "equals" && n !== value) return false;
					if (op === "contains" && !n.includes(value)) return false;
					if (op === "startswith" && !n.startsWith(value)) return false;
					if (op === "endswith" && !n.endsWith(value)) return false;
				}
				if (query.scope && row.scope !== query.scope) return false;
				if (query.workspace && row.workspace !== query.workspace) return false;
				if (query.owner && row.owner !== query.owner) return false;
				if (query.createdAfter && row.createdAt < query.createdAfter) return false;
				if (query.createdBefore && row.createdAt >= query.createdBefore) return false;
				if (query.updatedAfter && row.updatedAt < query.updatedAfter) return false;
				if (query.updatedBefore && row.updatedAt >= query.updatedBefore) return false;
				return true;
			});
			const dir = query.sortOrder === "desc" ? -1 : 1;
			matches.sort((a, b) => {
				const x = a[query.sortBy];
				const y = b[query.sortBy];
				const c = x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
				return c * dir;
			});
			const start = (query.page - 1) * query.size;
			return { items: matches.slice(start, start + query.size).map(clone), total: matches.length };
		},
		async beginWrite(id, change: BeginWrite) {
			const row = rows.get(id);
			if (row?.state !== "active" || row.pending || row.version !== change.fromVersion)
				return false;
			const undo = change.metadata ? { name: row.name, scope: row.scope, owner: row.owner } : null;
			if (change.metadata) {
				const next = {
					name: change.metadata.name ?? row.name,
					scope: change.metadata.scope ?? row.scope,
					owner: change.metadata.owner !== undefined ? change.metadata.owner : row.owner,
				};
				claimName(row, next);
				Object.assign(row, next);
			}
			row.pending = { version: row.version + 1, keys: [...change.keys], since: change.now, undo };
			return true;
		},
		async commitWrite(id, pendingVersion, now) {
			const row = rows.get(id);
			if (!row?.pending || row.pending.version !== pendingVersion) return false;
			row.version = pendingVersion;
			row.valuesVersion = pendingVersion;
			row.keys = row.pending.keys;
			row.pending = null;
			row.updatedAt = now;
			return true;
		},
		async releaseWrite(id, pendingVersion) {
			const row = rows.get(id);
			if (!row?.pending || row.pending.version !== pendingVersion) return false;
			row.pending.since = new Date(0);
			return true;
		},
		async abortWrite(id, pendingVersion) {
			const row = rows.get(id);
			if (!row?.pending || row.pending.version !== pendingVersion) return false;
			const undo = row.pending.undo;
			if (undo) {
				try {
					claimName(row, undo);
					Object.assign(row, undo);
				} catch {
					// The old name was taken meanwhile: keep the new one rather than clash.
				}
			}
			row.pending = null;
			return true;
		},
		async updateMetadata(id, change: MetadataChange) {
			const row = rows.get(id);
			if (row?.state !== "active" || row.pending || row.version !== change.fromVersion)
				return false;
			const next = {
				name: change.name ?? row.name,
				scope: change.scope ?? row.scope,
				owner: change.owner !== undefined ? change.owner : row.owner,
			};
			claimName(row, next);
			Object.assign(row, next);
			row.version += 1;
			row.updatedAt = change.now;
			return true;
		},
		async markDeleting(id, fromVersion) {
			const row = rows.get(id);
			if (row?.state !== "active" || row.pending) return false;
			if (fromVersion !== undefined && row.version !== fromVersion) return false;
			row.state = "deleting";
			return true;
		},
		async unmarkDeleting(id) {
			const row = rows.get(id);
			if (row?.state !== "deleting") return false;
			row.state = "active";
			return true;
		},
		async remove(id) {
			rows.delete(id);
		},
		async listUnsettled(olderThan, limit) {
			return [...rows.values()]
				.filter(
					(row) =>
						row.state === "deleting" ||
						(row.state === "pending" && row.createdAt < olderThan) ||
						(row.pending !== null && row.pending.since < olderThan),
				)
				.slice(0, limit)
				.map(clone);
		},
		async existing(ids) {
			return new Set(ids.filter((id) => rows.has(id)));
		},
		async listByBackend(backend, afterId, limit) {
			return [...rows.values()]
				.filter(
					(row) =>
						row.state === "active" &&
						row.backend === backend &&
						(afterId === null || row.id > afterId),
				)
				.sort((a, b) => (a.id < b.id ? -1 : 1))
				.slice(0, limit)
				.map(clone);
		},
		async setBackend(id, valuesVersion, backend) {
			const row = rows.get(id);
			if (row?.state !== "active" || row.pending || row.valuesVersion !== valuesVersion)
				return false;
			row.backend = backend;
			return true;
		},
		async getSetting(key) {
			return settings.get(key);
		},
		async initSetting(key, value) {
			if (!settings.has(key)) settings.set(key, value);
			return settings.get(key)!;
		},
		async setSetting(key, value) {
			settings.set(key, value);
		},
		async listSettings(prefix) {
			return Object.fromEntries([...settings].filter(([key]) => key.startsWith(prefix)));
		},
		async deleteSetting(key) {
			settings.delete(key);
		},
	};
}

/** Options of the memory store. */
export interface MemoryStoreOptions {
	/** Declared size limit in bytes. @default 65536 */
	maxValueBytes?: number;
	/**
	 * Name of an in-process back-end shared by every memory store that names it, the way a
	 * real back-end outlives a store object: a store created later reads what an earlier
	 * one wrote, and stores of other deployments do not see it. @default a private map per store
	 */
	backend?: string;
}

const BACKEND_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

const memoryOptionsSchema: StandardSchemaV1<unknown, MemoryStoreOptions> = {
	"~standard": {
		version: 1,
		vendor: "strongbox",
		validate(value) {
			if (value === undefined) return { value: {} };
			if (typeof value !== "object" || value === null)
				return { issues: [{ message: "must be an object" }] };
			const issues: StandardSchemaV1.Issue[] = [];
			for (const key of Object.keys(value)) {
				if (key !== "maxValueBytes" && key !== "backend")
					issues.push({ message: "unknown option", path: [key.slice(0, 64)] });
			}
			const { maxValueBytes: max, backend } = value as MemoryStoreOptions;
			if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
				issues.push({ message: "must be a positive integer", path: ["maxValueBytes"] });
			}
			if (backend !== undefined && (typeof backend !== "string" || !BACKEND_NAME.test(backend))) {
				issues.push({ message: "must be 1–64 letters, digits and '_.:-'", path: ["backend"] });
			}
			return issues.length > 0 ? { issues } : { value: value as MemoryStoreOptions };
		},
	},
};

/** Fault switch and raw data of a memory store, for tests of failure paths. */
export interface MemoryStoreControl {
	/** While true, every call fails with `StoreUnavailableError`. */
	unavailable: boolean;
	/** The raw map (id → stored values), for assertions. */
	readonly data: Map<string, StoredValues>;
}

/** A shared in-process back-end (see {@link MemoryStoreOptions.backend}). */
export interface MemoryBackend {
	/** While true, every call of every store on this back-end fails with `StoreUnavailableError`. */
	unavailable: boolean;
	/** id → stored values and the deployment that wrote them. */
	readonly data: Map<string, StoredValues & { deployment: string }>;
}

const sharedBackends = new Map<string, MemoryBackend>();

/** The shared back-end of that name, created empty on first use (for fault injection and raw reads in tests). */
export function memoryBackend(name: string): MemoryBackend {
	let backend = sharedBackends.get(name);
	if (!backend) {
		backend = { unavailable: false, data: new Map() };
		sharedBackends.set(name, backend);
	}
	return backend;
}

/** What a memory store reads and writes: a private `Map`, or one deployment's view of a shared back-end. */
interface ValueTable {
	get(id: string): StoredValues | undefined;
	set(id: string, stored: StoredValues): unknown;
	delete(id: string): boolean;
	keys(): Iterable<string>;
}

interface MemoryState {
	readonly unavailable: boolean;
	readonly data: ValueTable;
}

/** One deployment's entries of a shared back-end; other deployments' entries are invisible to it. */
function deploymentView(backend: MemoryBackend, deployment: string): MemoryState {
	const owned = (id: string) => {
		const entry = backend.data.get(id);
		return entry?.deployment === deployment ? entry : undefined;
	};
	return {
		get unavailable() {
			return backend.unavailable;
		},
		data: {
			get(id) {
				const entry = owned(id);
				return entry ? { values: entry.values, version: entry.version } : undefined;
			},
			set(id, stored) {
				backend.data.set(id, { ...stored, deployment });
			},
			delete: (id) => (owned(id) ? backend.data.delete(id) : false),
			keys: () =>
				[...backend.data.entries()]
					.filter(([, e]) => e.deployment === deployment)
					.map(([id]) => id),
		},
	};
}

function rawMemoryStore(options: MemoryStoreOptions, control: MemoryState): SecretsStore {
	const check = () => {
		if (control.unavailable)
			throw new StoreUnavailableError("[store-memory] The store is unavailable.", {
				store: "memory",
			});
	};
	return {
		...(options.maxValueBytes === undefined
			? {}
			: { capabilities: { maxValueBytes: options.maxValueBytes } }),
		async set(id, values, meta) {
			check();
			control.data.set(id, { values: { ...values }, version: meta.version });
		},
		async get(id) {
			check();
			const stored = control.data.get(id);
			return stored ? structuredClone(stored) : undefined;
		},
		async getMany(ids) {
			check();
			const out = new Map<string, StoredValues>();
			for (const id of ids) {
				const stored = control.data.get(id);
				if (stored) out.set(id, structuredClone(stored));
			}
			return out;
		},
		async delete(id) {
			check();
			return control.data.delete(id);
		},
		async *listIds() {
			check();
			yield* [...control.data.keys()];
		},
		async verify() {
			check();
		},
		async close() {},
	};
}

/** An in-memory values store (`type: "memory"`), loadable like any other store. */
export const memoryStore = defineStore<MemoryStoreOptions>({
	type: "memory",
	configSchema: memoryOptionsSchema,
	capabilities: { bulkGet: true, listIds: true, maxBatchSize: 100, encryptsAtRest: false },
	create: (options, context) =>
		rawMemoryStore(
			options,
			options.backend === undefined
				? { unavailable: false, data: new Map() }
				: deploymentView(memoryBackend(options.backend), context.deploymentId),
		),
});

/** A ready-to-use memory store plus its {@link MemoryStoreControl}. */
export function createMemoryStore(
	options: Omit<MemoryStoreOptions, "backend"> & { name?: string } = {},
): ManagedStore & { control: MemoryStoreControl } {
	const control: MemoryStoreControl = { unavailable: false, data: new Map() };
	const raw = rawMemoryStore(options, control);
	const store = wrapStore(raw, {
		type: "memory",
		name: options.name ?? "memory",
		capabilities: { ...memoryStore.capabilities, ...raw.capabilities },
	});
	return Object.assign(store, { control });
}
