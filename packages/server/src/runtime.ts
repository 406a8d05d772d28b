/**
 * `openRuntime`: the Secrets runtime a configuration describes: the SQL catalog, the
 * store (paired with its backup store when one is configured) and any secondary stores
 * (loaded through core's registry), and `createSecrets` over them, sending cross-replica
 * eviction notices on PostgreSQL. The server and the CLI's local mode both start from here; with the default
 * configuration this is the embedded SQLite catalog and encrypted store in the data
 * directory.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import {
	catalogDivergenceLog,
	createSecrets,
	type DivergenceLog,
	type ImportFn,
	importWithFallback,
	type Logger,
	loadStore,
	type ManagedStore,
	type SecretsService,
	type StoreCallEvent,
	type StoreConfig,
	silentLogger,
	withBackup,
} from "@strongbox/core";
import {
	createSqlCatalog,
	DEPLOYMENT_ID_SETTING,
	ensureDatabaseFile,
	ensureKeyFile,
	type SqlCatalog,
} from "@strongbox/store-sql";
import { withChangeNotices } from "./catalog-notices.js";
import { databaseKind, resolveConfig } from "./config/load.js";
import type { StrongboxConfig, StrongboxConfigInput } from "./config/schema.js";
import { createInvalidation, type Invalidation } from "./invalidation.js";

/** A running Secrets runtime. */
export interface Runtime {
	/** The Secrets API (acting as the trusted local caller; the server calls `.as(caller)`). */
	secrets: SecretsService;
	/** The SQL catalog (its `knex` also holds the server's identity and audit tables). */
	catalog: SqlCatalog;
	/** This deployment's stable id (stores tag what they write with it). */
	deploymentId: string;
	/** The configuration in effect, every default applied. */
	config: StrongboxConfig;
	/**
	 * The stores as `createSecrets` uses them: the store of new secrets first (a backup
	 * pair when a backup is configured), then the secondary stores.
	 */
	stores: readonly ManagedStore[];
	/**
	 * Where a backup store records the writes it missed (the catalog's settings, shared by
	 * every replica): `resync(runtime.secrets, runtime.divergences)` from core repairs them.
	 */
	divergences: DivergenceLog;
	/**
	 * Cross-replica eviction notices (PostgreSQL `NOTIFY`; a no-op elsewhere). Every
	 * committed change to a secret sends one; the server also listens.
	 */
	invalidation: Invalidation;
	/** Closes the stores and the catalog, once. */
	close(): Promise<void>;
}

/** Options of {@link openRuntime}. */
export interface OpenRuntimeOptions {
	/** Receives the stores' and the runtime's logs. @default silent */
	logger?: Logger;
	/** Called after each store call (metrics). */
	observe?: (event: StoreCallEvent) => void;
	/**
	 * Imports store packages. @default the server's own `import()`, then resolution from
	 * the working directory (so a store installed next to the server is found under pnpm)
	 */
	import?: ImportFn;
	/** Base of relative paths in `config` when it is not complete yet. @default process.cwd() */
	cwd?: string;
}

/**
 * The default import function: the server's own dependencies first, then the packages
 * installed in `cwd` (a store added to the application that runs the server).
 */
export function serverImport(cwd: string = process.cwd()): ImportFn {
	return importWithFallback((specifier) => import(specifier), [cwd]);
}

/** The store entry with the configured key ring filled in for `sql` stores. */
function withEncryption(
	entry: StoreConfig & { options: Record<string, unknown> },
	config: StrongboxConfig,
): StoreConfig {
	if (entry.type !== "sql") return entry;
	const options = { ...entry.options };
	const own =
		options.keys !== undefined ||
		options.keyFile !== undefined ||
		options.insecureNoEncryption === true;
	if (!own) {
		if (config.encryption.keys !== undefined) options.keys = config.encryption.keys;
		if (config.encryption.keyFile !== undefined) options.keyFile = config.encryption.keyFile;
	}
	if (options.tablePrefix === undefined && config.database.tablePrefix !== undefined) {
		options.tablePrefix = config.database.tablePrefix;
	}
	return { type: entry.type, options, ...(entry.name === undefined ? {} : { name: entry.name }) };
}

/**
 * Opens the runtime a configuration describes. Fails with `StoreConfigError` (every
 * problem of the configuration listed) before anything is written.
 *
 * @example
 * const runtime = await openRuntime(await loadConfig());
 * const db = await runtime.secrets.getSecretByName("db");
 */
export async function openRuntime(
	input: StrongboxConfig | StrongboxConfigInput = {},
	options: OpenRuntimeOptions = {},
): Promise<Runtime> {
	const config = resolveConfig(input, options.cwd === undefined ? {} : { cwd: options.cwd });
	const logger = options.logger ?? silentLogger;
	const url = config.database.url!;
	if (databaseKind(url) === "sqlite" && url !== "sqlite::memory:")
		await ensureDatabaseFile(url.slice("sqlite:".length));
	const catalog = createSqlCatalog({
		url,
		logger,
		...(config.database.tablePrefix === undefined
			? {}
			: { tablePrefix: config.database.tablePrefix }),
	});
	const stores: ManagedStore[] = [];
	let invalidation: Invalidation | undefined;
	try {
		await catalog.init();
		const deploymentId = await catalog.initSetting(DEPLOYMENT_ID_SETTING, randomUUID());
		const keyFile = config.encryption.keyFile;
		if (
			keyFile !== undefined &&
			config.encryption.keys === undefined &&
			keyFile.startsWith(config.dataDir + path.sep)
		) {
			await ensureKeyFile(keyFile, logger);
		}
		const loadOptions = {
			import: options.import ?? serverImport(options.cwd),
			logger,
			deploymentId,
			dataDir: config.dataDir,
			catalogConnection: catalog.knex,
			...(options.observe ? { observe: options.observe } : {}),
		};
		const divergences = catalogDivergenceLog(catalog);
		const primary = await loadStore(withEncryption(config.store, config), loadOptions);
		stores.push(primary);
		let store: ManagedStore = primary;
		if (config.backup) {
			const entry = { ...config.backup, name: config.backup.name ?? "backup" };
			const backup = await loadStore(withEncryption(entry, config), loadOptions);
			stores.push(backup);
			store = withBackup(primary, backup, { log: divergences, logger });
		}
		const secondaries: ManagedStore[] = [];
		for (const entry of config.secondaryStores) {
			const secondary = await loadStore(withEncryption(entry, config), loadOptions);
			stores.push(secondary);
			secondaries.push(secondary);
		}
		invalidation = createInvalidation(catalog, { logger });
		const secrets = createSecrets({
			catalog: withChangeNotices(catalog, invalidation),
			store,
			stores: secondaries,
			maxValueBytes: config.limits.maxValueBytes,
			logger,
			...(config.cache.ttlMs > 0
				? { cache: { ttlMs: config.cache.ttlMs, max: config.cache.max } }
				: {}),
		});
		await secrets.init();
		const notices = invalidation;
		let closing: Promise<void> | undefined;
		return {
			secrets,
			catalog,
			deploymentId,
			config,
			stores: [store, ...secondaries],
			divergences,
			invalidation: notices,
			close() {
				closing ??= notices.close().then(() => secrets.close());
				return closing;
			},
		};
	} catch (error) {
		await invalidation?.close();
		await Promise.allSettled([...stores.map((s) => s.close()), catalog.close()]);
		throw error;
	}
}
