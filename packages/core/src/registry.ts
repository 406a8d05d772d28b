/**
 * The store registry: turns `{ type, options }` into a running store.
 *
 * A built-in short name maps to its first-party package; any other type must be a full
 * package name. A name is never guessed from a short one, because a guessed name can be
 * registered by a typosquatter.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { StoreConfigError } from "./errors.js";
import { type CreateStoreOptions, createStore, type ManagedStore } from "./runtime.js";
import {
	isStoreDefinition,
	STORE_DEFINITION_TYPE,
	type StoreDefinition,
	SUPPORTED_CONTRACT_VERSIONS,
} from "./store.js";

/** Built-in short names and the package each one loads. Kept in sync with `packages/store-*` by a test. */
export const builtinStores = {
	sql: "@strongbox/store-sql",
	aws: "@strongbox/store-aws",
	gcp: "@strongbox/store-gcp",
	azure: "@strongbox/store-azure",
	vault: "@strongbox/store-vault",
} as const satisfies Record<string, string>;

/** A built-in short store name. */
export type BuiltinStoreType = keyof typeof builtinStores;

/** How a store is configured (config file `store:` section, or `STRONGBOX_STORE_*`). */
export interface StoreConfig {
	/** A built-in short name (`sql`, `aws`, `gcp`, `azure`, `vault`) or a full package name. */
	type: string;
	/** The store's options, validated by its schema. */
	options?: unknown;
	/** The back-end name recorded in the catalog. @default the store's type */
	name?: string;
}

/** Imports a module by specifier. Pass your own so that resolution starts from your package. */
export type ImportFn = (specifier: string) => Promise<unknown>;

/** Options of {@link loadStore}. */
export interface LoadStoreOptions extends CreateStoreOptions {
	/**
	 * Import function. Under pnpm's strict layout a store is only resolvable from the
	 * package that depends on it, so a server passes `(s) => import(s)` from its own code.
	 * @default dynamic `import()` from core
	 */
	import?: ImportFn;
}

// Package names per npm's rules: optional @scope/, lower-case, URL-safe characters.
const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** The package a store type loads, or a `StoreConfigError` explaining why none. */
export function storePackageName(type: string): string {
	if (typeof type !== "string" || type.length === 0) {
		throw new StoreConfigError(
			"Store `type` is missing: use a built-in name (sql, aws, gcp, azure, vault) or a package name.",
		);
	}
	if (Object.hasOwn(builtinStores, type)) return builtinStores[type as BuiltinStoreType];
	const isPackage = PACKAGE_NAME.test(type) && (type.startsWith("@") || type.includes("-"));
	if (!isPackage || type.length > 214) {
		throw new StoreConfigError(
			`Unknown store type \`${type.slice(0, 100)}\`. Built-in types are ${Object.keys(builtinStores).join(", ")}; a third-party store is named by its full package name (for example \`strongbox-store-acme\`).`,
		);
	}
	return type;
}

const defaultImport: ImportFn = (specifier) => import(specifier);

function isMissingPackage(error: unknown, specifier: string): boolean {
	const e = error as { code?: unknown; message?: unknown } | null;
	return (
		(e?.code === "ERR_MODULE_NOT_FOUND" || e?.code === "MODULE_NOT_FOUND") &&
		typeof e.message === "string" &&
		e.message.includes(specifier)
	);
}

/**
 * An import function that tries `primary` first — pass `(s) => import(s)` written in your
 * own package, so resolution starts from your dependencies, as pnpm's strict layout
 * needs — and, when the package is not found there, resolves it from each directory of
 * `directories` in turn (a project's own `node_modules`: a store installed next to the
 * application that runs Strongbox).
 */
export function importWithFallback(primary: ImportFn, directories: readonly string[]): ImportFn {
	return async (specifier) => {
		try {
			return await primary(specifier);
		} catch (error) {
			if (!isMissingPackage(error, specifier)) throw error;
			for (const directory of directories) {
				let resolved: string;
				try {
					resolved = createRequire(join(directory, "package.json")).resolve(specifier);
				} catch {
					continue;
				}
				return import(pathToFileURL(resolved).href);
			}
			throw error;
		}
	};
}

function isModuleNotFound(error: unknown, specifier: string): boolean {
	const e = error as { code?: unknown; message?: unknown } | null;
	if (e?.code === "ERR_MODULE_NOT_FOUND" || e?.code === "MODULE_NOT_FOUND") {
		// Only the store package itself missing, not one of its own dependencies.
		return typeof e.message === "string" && e.message.includes(`'${specifier}'`);
	}
	return false;
}

/** Imports a store package and returns its branded default export. */
export async function resolveStoreDefinition(
	type: string,
	importFn: ImportFn = defaultImport,
): Promise<StoreDefinition> {
	const specifier = storePackageName(type);
	let mod: unknown;
	try {
		mod = await importFn(specifier);
	} catch (error) {
		if (isModuleNotFound(error, specifier)) {
			throw new StoreConfigError(
				`Cannot import \`${specifier}\`. Add it to your dependencies (\`pnpm add ${specifier}\`).`,
				{
					cause: error,
				},
			);
		}
		throw new StoreConfigError(`Importing \`${specifier}\` failed.`, { cause: error });
	}
	const definition = (mod as { default?: unknown } | null)?.default;
	if (!isStoreDefinition(definition)) {
		const d = definition as { $$type?: unknown; version?: unknown } | null | undefined;
		const reason =
			d && typeof d === "object" && d.$$type === STORE_DEFINITION_TYPE
				? `it implements store contract version ${String(d.version)}, this @strongbox/core supports ${SUPPORTED_CONTRACT_VERSIONS.join(", ")}`
				: "its default export is not a store made with `defineStore` from @strongbox/core";
		throw new StoreConfigError(`\`${specifier}\` is not a Strongbox store: ${reason}.`);
	}
	if (Object.hasOwn(builtinStores, type) && definition.type !== type) {
		throw new StoreConfigError(
			`\`${specifier}\` declares type \`${definition.type}\`, expected \`${type}\`.`,
		);
	}
	return definition;
}

/**
 * Loads, validates and creates a store from its config.
 *
 * @example
 * const store = await loadStore({ type: "aws", options: { region: "eu-west-1" } }, { import: (s) => import(s) });
 */
export async function loadStore(
	config: StoreConfig,
	options: LoadStoreOptions = {},
): Promise<ManagedStore> {
	if (typeof config !== "object" || config === null) {
		throw new StoreConfigError("Store config must be an object with a `type`.");
	}
	const definition = await resolveStoreDefinition(config.type, options.import);
	return createStore(definition, config.options, {
		...options,
		...(config.name === undefined ? {} : { name: config.name }),
	});
}
