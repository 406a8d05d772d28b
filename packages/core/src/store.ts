/**
 * The contract every back-end implements: the values of a secret id, nothing else.
 *
 * A store never sees a secret's name, scope or owner; the catalog keeps those. It stores
 * the values of a UUID together with the catalog version they were written at, so that
 * an interrupted write can be finished or undone after a crash.
 */
import type { SecretValues } from "./types.js";

/** What a store declares about itself. Optional behaviour is declared, never probed. */
export interface StoreCapabilities {
	/**
	 * The largest values map the store accepts, measured as the UTF-8 byte length of
	 * `JSON.stringify(values)` (see `valuesSize`). Writes above it fail with
	 * `PayloadTooLargeError` before the back-end is called.
	 */
	maxValueBytes: number;
	/** `getMany` is implemented with a bulk call of the back-end. */
	bulkGet: boolean;
	/** At most this many ids are passed to one `getMany` call. */
	maxBatchSize: number;
	/** `listIds` is implemented (used by reconciliation to find orphaned values). */
	listIds: boolean;
	/**
	 * Values are encrypted by Strongbox before they reach the back-end, so the raw
	 * back-end never holds a value in clear (the conformance suite checks it).
	 */
	encryptsAtRest: boolean;
}

/** Values as a store holds them: the map and the catalog version it was written at. */
export interface StoredValues {
	values: SecretValues;
	version: number;
}

/** Per-write metadata passed to {@link SecretsStore.set}. */
export interface WriteMeta {
	/** The catalog version of the secret this write belongs to (≥ 1). */
	version: number;
}

/**
 * A values store. Implementations are made by the `create` function of a
 * {@link StoreDefinition}; Strongbox wraps them (see `createStore`) so that they are
 * initialised once, closed once, size-checked and error-mapped.
 */
export interface SecretsStore {
	/**
	 * Per-instance overrides of the definition's declared capabilities (for example a
	 * size limit set by an option). Read once, when the store is created.
	 */
	readonly capabilities?: Partial<StoreCapabilities>;
	/** Initialise connections, run migrations. Called once before first use (again after a failure). */
	init?(): Promise<void>;
	/** Write (create or overwrite) the values of `id`. Must be idempotent for the same `(id, version)`. */
	set(id: string, values: SecretValues, meta: WriteMeta): Promise<void>;
	/** The values of `id`, or `undefined` when the store holds none (or holds a foreign object at that name). */
	get(id: string): Promise<StoredValues | undefined>;
	/** Bulk read; only called when `capabilities.bulkGet` is declared. Missing ids are left out. */
	getMany?(ids: readonly string[]): Promise<Map<string, StoredValues>>;
	/** Remove the values of `id`. `false` when there was nothing to remove. */
	delete(id: string): Promise<boolean>;
	/** Every id this deployment holds; only called when `capabilities.listIds` is declared. */
	listIds?(): AsyncIterable<string>;
	/** Check reachability and permissions with a cheap call; throw a typed error otherwise. */
	verify(): Promise<void>;
	/** Release connections. Strongbox calls it at most once. */
	close(): Promise<void>;
}

/** Log sink handed to stores. Never pass a value, token or credential to it. */
export interface Logger {
	debug(message: string, fields?: Record<string, unknown>): void;
	info(message: string, fields?: Record<string, unknown>): void;
	warn(message: string, fields?: Record<string, unknown>): void;
	error(message: string, fields?: Record<string, unknown>): void;
}

/** What Strongbox gives a store factory besides its options. */
export interface StoreContext {
	/**
	 * Stable id of this Strongbox deployment. Stores tag what they write with it and
	 * ignore back-end objects carrying another one, so two deployments can share an
	 * account without ever reading each other's secrets.
	 */
	deploymentId: string;
	logger: Logger;
	/** Directory for local files (the embedded SQLite database, key files). */
	dataDir?: string;
	/**
	 * The catalog's own database connection (a knex instance for the SQL catalog), for
	 * stores that can keep values in the same database when given no connection of their own.
	 */
	catalogConnection?: unknown;
}

/**
 * Standard Schema v1 (https://standardschema.dev), the interface zod, valibot and
 * arktype all implement. Copied here as its authors intend, so that core depends on
 * no schema library and a third-party store may use any of them.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
	readonly "~standard": {
		readonly version: 1;
		readonly vendor: string;
		readonly validate: (
			value: unknown,
		) => StandardSchemaV1.Result<Output> | Promise<StandardSchemaV1.Result<Output>>;
		readonly types?: { readonly input: Input; readonly output: Output } | undefined;
	};
}

export declare namespace StandardSchemaV1 {
	type Result<Output> =
		| { readonly value: Output; readonly issues?: undefined }
		| { readonly issues: ReadonlyArray<Issue> };
	interface Issue {
		readonly message: string;
		readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
	}
	type InferOutput<S extends StandardSchemaV1> = NonNullable<S["~standard"]["types"]>["output"];
}

/** Brand carried by every definition made with {@link defineStore}. */
export const STORE_DEFINITION_TYPE = "@strongbox/StoreDefinition";
/** The store contract version this core implements. */
export const STORE_CONTRACT_VERSION = 1;
/** Contract versions this core can load. */
export const SUPPORTED_CONTRACT_VERSIONS: readonly number[] = [1];

/** Input of {@link defineStore}. */
export interface StoreDefinitionInput<Options> {
	/** Short lower-case id: `aws`, `sql`, `acme-kv`. */
	type: string;
	/** Validates and documents the options (any Standard Schema: zod, valibot, ...). */
	configSchema: StandardSchemaV1<unknown, Options>;
	/** Option names that carry credentials; never printed in config dumps or errors. */
	secretOptions?: readonly string[];
	/** Declared behaviour; missing entries get safe defaults. */
	capabilities?: Partial<StoreCapabilities>;
	/** Build a store from validated options. */
	create(options: Options, context: StoreContext): SecretsStore | Promise<SecretsStore>;
}

/** A branded store definition, the default export of every store package. */
export interface StoreDefinition<Options = unknown> {
	readonly $$type: typeof STORE_DEFINITION_TYPE;
	readonly version: number;
	readonly type: string;
	readonly configSchema: StandardSchemaV1<unknown, Options>;
	readonly secretOptions: readonly string[];
	readonly capabilities: StoreCapabilities;
	create(options: Options, context: StoreContext): SecretsStore | Promise<SecretsStore>;
}

/** Default capabilities: the smallest common cloud limit, no optional behaviour. */
export const DEFAULT_CAPABILITIES: StoreCapabilities = {
	maxValueBytes: 64 * 1024,
	bulkGet: false,
	maxBatchSize: 100,
	listIds: false,
	encryptsAtRest: false,
};

const TYPE_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * Declares a store: checks its type id, fills default capabilities and brands the
 * result so that the registry can refuse anything else.
 *
 * @example
 * export default defineStore({ type: "acme", configSchema, create: (o, ctx) => createAcmeStore(o, ctx) });
 */
export function defineStore<Options>(
	input: StoreDefinitionInput<Options>,
): StoreDefinition<Options> {
	if (typeof input.type !== "string" || !TYPE_PATTERN.test(input.type) || input.type.length > 64) {
		throw new TypeError(
			`defineStore: type ${JSON.stringify(input.type)} must be lower-case letters, digits and single dashes, starting with a letter.`,
		);
	}
	if (typeof input.create !== "function") {
		throw new TypeError(`defineStore(${input.type}): \`create\` must be a function.`);
	}
	if (typeof input.configSchema?.["~standard"]?.validate !== "function") {
		throw new TypeError(
			`defineStore(${input.type}): \`configSchema\` must be a Standard Schema (zod, valibot, arktype...).`,
		);
	}
	const capabilities = { ...DEFAULT_CAPABILITIES, ...input.capabilities };
	if (!Number.isInteger(capabilities.maxValueBytes) || capabilities.maxValueBytes < 1) {
		throw new TypeError(
			`defineStore(${input.type}): capabilities.maxValueBytes must be a positive integer.`,
		);
	}
	return Object.freeze({
		$$type: STORE_DEFINITION_TYPE,
		version: STORE_CONTRACT_VERSION,
		type: input.type,
		configSchema: input.configSchema,
		secretOptions: Object.freeze([...(input.secretOptions ?? [])]),
		capabilities: Object.freeze(capabilities),
		create: input.create,
	});
}

/** Whether `value` is a definition made by {@link defineStore} with a contract version this core supports. */
export function isStoreDefinition(value: unknown): value is StoreDefinition {
	const v = value as Partial<StoreDefinition> | null;
	return (
		typeof v === "object" &&
		v !== null &&
		v.$$type === STORE_DEFINITION_TYPE &&
		typeof v.version === "number" &&
		SUPPORTED_CONTRACT_VERSIONS.includes(v.version) &&
		typeof v.create === "function"
	);
}
