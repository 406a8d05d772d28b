/**
 * The runtime wrapper around every store: options validated (every problem at once),
 * initialised once (and again after a failed init), closed once, refused after close,
 * sizes checked before any write, and unknown errors turned into typed ones.
 */
import {
	StoreClosedError,
	StoreConfigError,
	StoreError,
	StrongboxError,
	ValidationError,
	type ValidationIssue,
} from "./errors.js";
import type {
	Logger,
	SecretsStore,
	StandardSchemaV1,
	StoreCapabilities,
	StoreContext,
	StoreDefinition,
	StoredValues,
	WriteMeta,
} from "./store.js";
import type { SecretValues } from "./types.js";
import { assertSize, isSecretId, validateValues } from "./validation.js";

/** A store as Strongbox uses it. Every method is safe to call concurrently. */
export interface ManagedStore {
	/** The back-end name recorded in the catalog for the secrets this store holds. */
	readonly name: string;
	/** The store type (`sql`, `aws`, ...). */
	readonly type: string;
	readonly capabilities: StoreCapabilities;
	/** Whether `close()` was called. */
	readonly closed: boolean;
	init(): Promise<void>;
	set(id: string, values: SecretValues, meta: WriteMeta): Promise<void>;
	get(id: string): Promise<StoredValues | undefined>;
	/** Bulk where the store declares it, otherwise parallel single reads. */
	getMany(ids: readonly string[]): Promise<Map<string, StoredValues>>;
	delete(id: string): Promise<boolean>;
	/** Throws `StoreError` when the store does not declare `listIds`. */
	listIds(): AsyncIterable<string>;
	verify(): Promise<void>;
	close(): Promise<void>;
}

/** One store call, reported to {@link CreateStoreOptions.observe} (for metrics). */
export interface StoreCallEvent {
	store: string;
	op: "init" | "set" | "get" | "getMany" | "delete" | "listIds" | "verify" | "close";
	durationMs: number;
	/** The error code when the call failed. */
	error?: string;
}

/** Options of {@link createStore}. */
export interface CreateStoreOptions {
	/** The back-end name recorded in the catalog. @default the store type */
	name?: string;
	/** @default a silent logger */
	logger?: Logger;
	/** @default "strongbox" */
	deploymentId?: string;
	dataDir?: string;
	/** See `StoreContext.catalogConnection`. */
	catalogConnection?: unknown;
	/** Called after each store call. */
	observe?: (event: StoreCallEvent) => void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
	debug() {},
	info() {},
	warn() {},
	error() {},
};

function issuePath(path: StandardSchemaV1.Issue["path"]): string {
	if (!path || path.length === 0) return "(options)";
	return path
		.map((segment) =>
			String(typeof segment === "object" && segment !== null ? segment.key : segment),
		)
		.join(".");
}

/**
 * Validates store options against the definition's schema. Every problem is listed at
 * once in one `StoreConfigError`; values of options are never quoted.
 */
export async function validateStoreOptions<Options>(
	definition: StoreDefinition<Options>,
	options: unknown,
): Promise<Options> {
	const result = await definition.configSchema["~standard"].validate(options ?? {});
	if (result.issues) {
		const issues: ValidationIssue[] = result.issues.map((issue) => ({
			path: issuePath(issue.path),
			message: issue.message,
		}));
		const lines = issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join("\n");
		throw new StoreConfigError(
			`[store-${definition.type}] Invalid options (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines}`,
			{ store: definition.type, details: { issues } },
		);
	}
	return result.value;
}

/** Validates options, creates the store and wraps it. */
export async function createStore<Options>(
	definition: StoreDefinition<Options>,
	options: unknown,
	createOptions: CreateStoreOptions = {},
): Promise<ManagedStore> {
	const validated = await validateStoreOptions(definition, options);
	const context: StoreContext = {
		deploymentId: createOptions.deploymentId ?? "strongbox",
		logger: createOptions.logger ?? silentLogger,
		...(createOptions.dataDir === undefined ? {} : { dataDir: createOptions.dataDir }),
		...(createOptions.catalogConnection === undefined
			? {}
			: { catalogConnection: createOptions.catalogConnection }),
	};
	let raw: SecretsStore;
	try {
		raw = await definition.create(validated, context);
	} catch (error) {
		if (error instanceof StrongboxError) throw error;
		throw new StoreConfigError(`[store-${definition.type}] Could not create the store.`, {
			store: definition.type,
			cause: error,
		});
	}
	return wrapStore(raw, {
		type: definition.type,
		name: createOptions.name ?? definition.type,
		capabilities: { ...definition.capabilities, ...raw.capabilities },
		...(createOptions.observe ? { observe: createOptions.observe } : {}),
	});
}

/** Options of {@link wrapStore}. */
export interface WrapStoreOptions {
	type: string;
	name?: string;
	capabilities: StoreCapabilities;
	observe?: (event: StoreCallEvent) => void;
}

const NON_BULK_CONCURRENCY = 8;

/** Wraps a raw store with the runtime guarantees (see the module comment). */
export function wrapStore(raw: SecretsStore, options: WrapStoreOptions): ManagedStore {
	const { type, capabilities } = options;
	const name = options.name ?? type;
	let initPromise: Promise<void> | undefined;
	let closePromise: Promise<void> | undefined;

	function typed(error: unknown, op: string): StrongboxError {
		if (error instanceof StrongboxError) return error;
		return new StoreError(`[store-${type}] Unexpected failure during \`${op}\`.`, {
			store: type,
			cause: error,
		});
	}

	const observe = options.observe;

	async function run<T>(op: StoreCallEvent["op"], fn: () => Promise<T>): Promise<T> {
		// Hot path (every read): no clock reads unless someone observes.
		if (!observe) {
			try {
				return await fn();
			} catch (error) {
				throw typed(error, op);
			}
		}
		const started = performance.now();
		try {
			const result = await fn();
			observe({ store: name, op, durationMs: performance.now() - started });
			return result;
		} catch (error) {
			const mapped = typed(error, op);
			observe({
				store: name,
				op,
				durationMs: performance.now() - started,
				error: mapped.code,
			});
			throw mapped;
		}
	}

	function closedError(): StoreClosedError {
		return new StoreClosedError(`[store-${type}] The store is closed.`, { store: type });
	}

	function ensureOpen(): void {
		if (closePromise) throw closedError();
	}

	let initialized = false;

	function init(): Promise<void> {
		// A rejected promise, not a synchronous throw: callers chain `.catch()` on it.
		if (closePromise) return Promise.reject(closedError());
		if (!initPromise) {
			initPromise = run("init", async () => {
				await raw.init?.();
				initialized = true;
			}).catch((error: unknown) => {
				// A failed init is retried by the next call instead of failing forever.
				initPromise = undefined;
				throw error;
			});
		}
		return initPromise;
	}

	function checkId(id: string): void {
		if (!isSecretId(id)) {
			throw new ValidationError("A store id must be a lower-case UUID.", [
				{ path: "id", message: "must be a UUID" },
			]);
		}
	}

	async function ready(): Promise<void> {
		ensureOpen();
		// Once initialised, skip the extra await on every call.
		if (!initialized) await init();
	}

	const store: ManagedStore = {
		name,
		type,
		capabilities,
		get closed() {
			return closePromise !== undefined;
		},
		init,
		async set(id, values, meta) {
			checkId(id);
			validateValues(values);
			if (!Number.isSafeInteger(meta?.version) || meta.version < 1) {
				throw new ValidationError("Write version must be a positive integer.", [
					{ path: "version", message: "must be a positive integer" },
				]);
			}
			// Checked before the back-end is touched: nothing is written when too large.
			assertSize(values, capabilities.maxValueBytes, type);
			await ready();
			await run("set", () => raw.set(id, values, meta));
		},
		get(id) {
			try {
				checkId(id);
			} catch (error) {
				return Promise.reject(error);
			}
			// Hot path of every read: initialised, open, unobserved → one promise, no extra awaits.
			if (initialized && !closePromise && !observe) {
				return raw.get(id).catch((error: unknown) => {
					throw typed(error, "get");
				});
			}
			return ready().then(() => run("get", () => raw.get(id)));
		},
		async getMany(ids) {
			for (const id of ids) checkId(id);
			await ready();
			const unique = [...new Set(ids)];
			const result = new Map<string, StoredValues>();
			if (unique.length === 0) return result;
			if (capabilities.bulkGet && raw.getMany) {
				const getMany = raw.getMany.bind(raw);
				for (let i = 0; i < unique.length; i += capabilities.maxBatchSize) {
					const chunk = unique.slice(i, i + capabilities.maxBatchSize);
					const found = await run("getMany", () => getMany(chunk));
					for (const [id, stored] of found) result.set(id, stored);
				}
				return result;
			}
			let next = 0;
			const worker = async () => {
				while (next < unique.length) {
					const id = unique[next++]!;
					const stored = await run("get", () => raw.get(id));
					if (stored) result.set(id, stored);
				}
			};
			await Promise.all(
				Array.from({ length: Math.min(NON_BULK_CONCURRENCY, unique.length) }, worker),
			);
			return result;
		},
		async delete(id) {
			checkId(id);
			await ready();
			return run("delete", () => raw.delete(id));
		},
		async *listIds() {
			if (!capabilities.listIds || !raw.listIds) {
				throw new StoreError(`[store-${type}] This store cannot list its ids.`, { store: type });
			}
			await ready();
			const started = performance.now();
			try {
				for await (const id of raw.listIds()) {
					ensureOpen();
					yield id;
				}
				options.observe?.({ store: name, op: "listIds", durationMs: performance.now() - started });
			} catch (error) {
				const mapped = typed(error, "listIds");
				options.observe?.({
					store: name,
					op: "listIds",
					durationMs: performance.now() - started,
					error: mapped.code,
				});
				throw mapped;
			}
		},
		async verify() {
			await ready();
			await run("verify", () => raw.verify());
		},
		close() {
			if (!closePromise) {
				const pendingInit = initPromise;
				closePromise = (async () => {
					// Let an init in flight settle so its connections are released too.
					await pendingInit?.catch(() => {});
					await run("close", () => raw.close());
				})();
			}
			return closePromise;
		},
	};
	return store;
}
