/**
 * Caches of secret values, held only in memory, bounded by entries (LRU) and by age (TTL).
 *
 * - {@link createValuesCache} sits inside `createSecrets` (option `cache`), below the
 *   access checks, and only serves an entry whose version is the catalog row's values
 *   version, which every read loads anyway: a write made by another replica over the
 *   same catalog is never served stale, whatever the TTL.
 * - {@link withCache} wraps any `Secrets` (for example `@strongbox/client`) for ONE
 *   caller: a read-through cache whose entries live until their TTL or until a write
 *   through it touches them. Never share one across callers.
 */
import { ValidationError, type ValidationIssue } from "./errors.js";
import { makeSecret } from "./secret.js";
import type { StoredValues } from "./store.js";
import type { LookupOptions, Secret, SecretMetadata, Secrets, SecretValues } from "./types.js";
import { LIMITS } from "./validation.js";

/** Bounds of a cache. */
export interface CacheOptions {
	/** How long an entry may be served, in milliseconds (1 ms to 24 h). */
	ttlMs: number;
	/** Most entries held; the least recently used goes first (1 to 1,000,000). */
	max: number;
	/** Clock in milliseconds, for tests. @default Date.now */
	now?: () => number;
}

/** Counters of a cache, for metrics. */
export interface CacheStats {
	hits: number;
	misses: number;
	/** Entries held now. */
	size: number;
	/** Entries dropped to stay within `max`. */
	evictions: number;
	max: number;
	ttlMs: number;
}

/** The controls of the cache inside a runtime (`secrets.cache`). */
export interface SecretsCache {
	/** Drops the values of one secret (for example on another replica's write notice). */
	invalidate(id: string): void;
	/** Drops everything. */
	clear(): void;
	stats(): CacheStats;
}

const MAX_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_ENTRIES = 1_000_000;

/** Validates cache options; a `ValidationError` lists every problem. */
export function checkCacheOptions(options: CacheOptions, path = "cache"): void {
	const issues: ValidationIssue[] = [];
	if (typeof options !== "object" || options === null) {
		issues.push({ path, message: "must be an object { ttlMs, max }" });
	} else {
		const { ttlMs, max, now } = options;
		if (!Number.isSafeInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_TTL_MS) {
			issues.push({ path: `${path}.ttlMs`, message: `must be an integer from 1 to ${MAX_TTL_MS}` });
		}
		if (!Number.isSafeInteger(max) || max < 1 || max > MAX_ENTRIES) {
			issues.push({ path: `${path}.max`, message: `must be an integer from 1 to ${MAX_ENTRIES}` });
		}
		if (now !== undefined && typeof now !== "function") {
			issues.push({ path: `${path}.now`, message: "must be a function" });
		}
	}
	if (issues.length > 0) {
		throw new ValidationError(
			`Invalid cache options (${issues.length} problem${issues.length === 1 ? "" : "s"}).`,
			issues,
		);
	}
}

interface Entry<V> {
	value: V;
	expiresAt: number;
}

/** A map bounded by entries (least recently used out first) and by age. */
class Lru<V> {
	readonly #entries = new Map<string, Entry<V>>();
	readonly #ttlMs: number;
	readonly #max: number;
	readonly #now: () => number;
	evictions = 0;

	constructor(options: CacheOptions) {
		this.#ttlMs = options.ttlMs;
		this.#max = options.max;
		this.#now = options.now ?? Date.now;
	}

	get size(): number {
		return this.#entries.size;
	}

	get(key: string): V | undefined {
		const entry = this.#entries.get(key);
		if (!entry) return undefined;
		this.#entries.delete(key);
		if (entry.expiresAt <= this.#now()) return undefined;
		// Re-inserting moves the entry to the young end of the Map's insertion order.
		this.#entries.set(key, entry);
		return entry.value;
	}

	set(key: string, value: V): void {
		this.#entries.delete(key);
		this.#entries.set(key, { value, expiresAt: this.#now() + this.#ttlMs });
		while (this.#entries.size > this.#max) {
			this.#entries.delete(this.#entries.keys().next().value!);
			this.evictions++;
		}
	}

	delete(key: string): void {
		this.#entries.delete(key);
	}

	deleteWhere(test: (key: string, value: V) => boolean): void {
		for (const [key, entry] of this.#entries) if (test(key, entry.value)) this.#entries.delete(key);
	}

	clear(): void {
		this.#entries.clear();
	}
}

/** The cache used inside `createSecrets`: stored values by secret id. */
export interface ValuesCache extends SecretsCache {
	/**
	 * The values of `id` if cached at exactly `valuesVersion` (the catalog row's), else
	 * `undefined`. Counts a hit or a miss.
	 */
	get(id: string, valuesVersion: number): StoredValues | undefined;
	/** Caches what a read returned; call it only when `stored.version` is the row's values version. */
	put(id: string, stored: StoredValues): void;
}

/** Creates the runtime's values cache. */
export function createValuesCache(options: CacheOptions): ValuesCache {
	checkCacheOptions(options);
	const lru = new Lru<StoredValues>(options);
	let hits = 0;
	let misses = 0;
	return {
		get(id, valuesVersion) {
			const stored = lru.get(id);
			if (stored && stored.version === valuesVersion) {
				hits++;
				return { values: { ...stored.values }, version: stored.version };
			}
			// An entry at another version is stale for good: versions only grow.
			if (stored) lru.delete(id);
			misses++;
			return undefined;
		},
		put(id, stored) {
			lru.set(id, { values: { ...stored.values }, version: stored.version });
		},
		invalidate(id) {
			lru.delete(id);
		},
		clear() {
			lru.clear();
		},
		stats() {
			return {
				hits,
				misses,
				size: lru.size,
				evictions: lru.evictions,
				max: options.max,
				ttlMs: options.ttlMs,
			};
		},
	};
}

/** The controls of a {@link withCache} wrapper. */
export interface ClientCache {
	/** Drops one secret (and the name lookups that led to it), or everything without an id. */
	invalidate(id?: string): void;
	clear(): void;
	/** `size` counts cached secrets; name lookups are counted apart in `names`. */
	stats(): CacheStats & { names: number };
}

/** A `Secrets` with a per-caller read-through cache. */
export type CachedSecrets = Secrets & { readonly cache: ClientCache };

interface CachedSecret {
	metadata: SecretMetadata;
	values?: SecretValues;
}

function copyMetadata(m: SecretMetadata): SecretMetadata {
	return {
		id: m.id,
		name: m.name,
		scope: m.scope,
		workspace: m.workspace,
		owner: m.owner,
		keys: [...m.keys],
		version: m.version,
		createdAt: new Date(m.createdAt),
		updatedAt: new Date(m.updatedAt),
		backend: m.backend,
	};
}

function nameKey(name: string, lookup: LookupOptions | undefined): string {
	return JSON.stringify([name, lookup?.workspace ?? null, lookup?.scope ?? null]);
}

function nameOf(key: string): string {
	return (JSON.parse(key) as [string])[0];
}

/**
 * Wraps `secrets` with a read-through cache for ONE caller (an application reading its
 * own secrets through `@strongbox/client`): `getSecret`, `getSecretByName`, `getSecrets`
 * and the metadata reads are served from memory for up to `ttlMs`; listings are not
 * cached. A write through the wrapper drops what it touches (the secret, and every
 * name lookup it may shadow or redirect). Writes made elsewhere are seen after at most
 * `ttlMs`, or at once after `cache.invalidate(id)`.
 *
 * Never share one wrapper across callers: entries are what this caller may see.
 */
export function withCache(secrets: Secrets, options: CacheOptions): CachedSecrets {
	checkCacheOptions(options);
	const byId = new Lru<CachedSecret>(options);
	const byName = new Lru<string>(options);
	let hits = 0;
	let misses = 0;

	function remember(secret: SecretMetadata, values?: SecretValues): void {
		byId.set(secret.id, {
			metadata: copyMetadata(secret),
			...(values === undefined ? {} : { values: { ...values } }),
		});
	}

	function cached(id: string, needValues: boolean): CachedSecret | undefined {
		const entry = byId.get(id);
		return entry && (!needValues || entry.values) ? entry : undefined;
	}

	function asSecret(entry: CachedSecret): Secret {
		return makeSecret(copyMetadata(entry.metadata), { ...entry.values! });
	}

	function forget(id: string, names: readonly (string | undefined)[] = []): void {
		byId.delete(id);
		byName.deleteWhere((key, target) => target === id || names.includes(nameOf(key)));
	}

	async function byNameLookup<T>(
		name: string,
		lookup: LookupOptions | undefined,
		needValues: boolean,
		fromEntry: (entry: CachedSecret) => T,
		fetch: () => Promise<T & SecretMetadata>,
		store: (result: T & SecretMetadata) => void,
	): Promise<T> {
		const key = nameKey(name, lookup);
		const id = byName.get(key);
		const entry = id === undefined ? undefined : cached(id, needValues);
		if (entry) {
			hits++;
			return fromEntry(entry);
		}
		misses++;
		const result = await fetch();
		store(result);
		byName.set(key, result.id);
		return result;
	}

	const wrapper: CachedSecrets = {
		cache: {
			invalidate(id?: string) {
				if (id === undefined) {
					byId.clear();
					byName.clear();
				} else forget(id);
			},
			clear() {
				byId.clear();
				byName.clear();
			},
			stats() {
				return {
					hits,
					misses,
					size: byId.size,
					names: byName.size,
					evictions: byId.evictions + byName.evictions,
					max: options.max,
					ttlMs: options.ttlMs,
				};
			},
		},

		async getSecret(id) {
			const entry = cached(id, true);
			if (entry) {
				hits++;
				return asSecret(entry);
			}
			misses++;
			const secret = await secrets.getSecret(id);
			remember(secret, secret.values);
			return secret;
		},

		async getSecretMetadata(id) {
			const entry = cached(id, false);
			if (entry) {
				hits++;
				return copyMetadata(entry.metadata);
			}
			misses++;
			const metadata = await secrets.getSecretMetadata(id);
			if (!byId.get(metadata.id)?.values) remember(metadata);
			return metadata;
		},

		getSecretByName(name, lookup) {
			return byNameLookup(
				name,
				lookup,
				true,
				asSecret,
				() => secrets.getSecretByName(name, lookup),
				(secret) => remember(secret, secret.values),
			);
		},

		getSecretMetadataByName(name, lookup) {
			return byNameLookup(
				name,
				lookup,
				false,
				(entry) => copyMetadata(entry.metadata),
				() => secrets.getSecretMetadataByName(name, lookup),
				(metadata) => {
					if (!byId.get(metadata.id)?.values) remember(metadata);
				},
			);
		},

		async getSecrets(ids) {
			if (!Array.isArray(ids) || ids.length > LIMITS.maxPageSize) return secrets.getSecrets(ids);
			const found = new Map<string, Secret>();
			const missing: string[] = [];
			for (const id of new Set(ids)) {
				const entry = cached(id, true);
				if (entry) {
					hits++;
					found.set(id, asSecret(entry));
				} else {
					misses++;
					missing.push(id);
				}
			}
			if (missing.length > 0) {
				for (const secret of await secrets.getSecrets(missing)) {
					remember(secret, secret.values);
					found.set(secret.id, secret);
				}
			}
			return ids.flatMap((id) => (found.has(id) ? [found.get(id)!] : []));
		},

		listSecrets(filter) {
			return secrets.listSecrets(filter);
		},

		async createSecret(input) {
			// A new secret may shadow a lookup of its name (a user-scoped one hides the workspace's).
			try {
				const secret = await secrets.createSecret(input);
				remember(secret, secret.values);
				return secret;
			} finally {
				byName.deleteWhere((key) => nameOf(key) === input?.name);
			}
		},

		async updateSecret(id, input) {
			const before = byId.get(id)?.metadata.name;
			let after: string | undefined;
			try {
				const secret = await secrets.updateSecret(id, input);
				after = secret.name;
				forget(id, [before, after, input?.name]);
				remember(secret, secret.values);
				return secret;
			} finally {
				// A failed write may still have changed something (or lost to another writer).
				if (after === undefined) forget(id, [before, input?.name]);
			}
		},

		async deleteSecret(id, deleteOptions) {
			try {
				await secrets.deleteSecret(id, deleteOptions);
			} finally {
				forget(id);
			}
		},
	};
	return wrapper;
}
