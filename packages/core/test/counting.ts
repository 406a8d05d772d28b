/**
 * A values store that counts the reads reaching its back-end (calls and ids), for the
 * tests of references, caches, migration and the backup store.
 */
import {
	type Catalog,
	createSecrets,
	DEFAULT_CAPABILITIES,
	type ManagedStore,
	memoryCatalog,
	type SecretsService,
	type SecretsStore,
	type StoredValues,
	StoreUnavailableError,
	wrapStore,
} from "../src/index.js";

/** Raw reads of a {@link countingStore}, and a fault switch. */
export interface ReadCounter {
	/** Only the read operations that happened: `get`, `getMany` (one per chunk) and `idsRead`. */
	calls: Record<string, number>;
	reset(): void;
	/** While true, every call fails with `StoreUnavailableError`. */
	unavailable: boolean;
	data: Map<string, StoredValues>;
}

/** A bulk-reading memory store named `name` whose back-end reads are counted. */
export function countingStore(options: { name?: string; maxBatchSize?: number } = {}): {
	store: ManagedStore;
	raw: ReadCounter;
} {
	const data = new Map<string, StoredValues>();
	const counter: ReadCounter = {
		calls: {},
		reset() {
			counter.calls = {};
		},
		unavailable: false,
		data,
	};
	const bump = (name: string, by = 1) => {
		counter.calls[name] = (counter.calls[name] ?? 0) + by;
	};
	const check = () => {
		if (counter.unavailable) {
			throw new StoreUnavailableError("[store-memory] The store is unavailable.", {
				store: "memory",
			});
		}
	};
	const raw: SecretsStore = {
		async set(id, values, meta) {
			check();
			data.set(id, { values: { ...values }, version: meta.version });
		},
		async get(id) {
			check();
			bump("get");
			bump("idsRead");
			const stored = data.get(id);
			return stored ? structuredClone(stored) : undefined;
		},
		async getMany(ids) {
			check();
			bump("getMany");
			bump("idsRead", ids.length);
			return new Map(
				ids.flatMap((id) => (data.has(id) ? [[id, structuredClone(data.get(id)!)] as const] : [])),
			);
		},
		async delete(id) {
			check();
			return data.delete(id);
		},
		async *listIds() {
			check();
			yield* [...data.keys()];
		},
		async verify() {
			check();
		},
		async close() {},
	};
	const store = wrapStore(raw, {
		type: "memory",
		name: options.name ?? "memory",
		capabilities: {
			...DEFAULT_CAPABILITIES,
			bulkGet: true,
			listIds: true,
			maxBatchSize: options.maxBatchSize ?? 100,
		},
	});
	return { store, raw: counter };
}

/** A runtime as alice (workspace `ws-a`) over a memory catalog and a {@link countingStore}. */
export function catalogOf(
	options: { maxBatchSize?: number; cache?: { ttlMs: number; max: number }; now?: () => Date } = {},
): { secrets: SecretsService; raw: ReadCounter; catalog: Catalog; store: ManagedStore } {
	const catalog = memoryCatalog();
	const { store, raw } = countingStore(
		options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize },
	);
	const secrets = createSecrets({
		catalog,
		store,
		caller: { user: "alice", workspace: "ws-a" },
		...(options.cache ? { cache: options.cache } : {}),
		...(options.now ? { now: options.now } : {}),
	});
	return { secrets, raw, catalog, store };
}
