/**
 * The embedded default: catalog and encrypted values in one SQLite file under a data
 * directory, with a key file created on first use. The CLI's local mode
 * (`~/.strongbox`) runs on this.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { chmod, link, mkdir, open, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
	createSecrets,
	createStore,
	type Logger,
	type ManagedStore,
	type SecretsService,
	StoreConfigError,
	silentLogger,
} from "@strongbox/core";
import { createSqlCatalog, type SqlCatalog } from "./catalog.js";
import { sqlStore } from "./definition.js";
import { generateKey } from "./keyring.js";

/** Options of {@link openEmbedded}. */
export interface EmbeddedOptions {
	/** Directory of `strongbox.db` and `strongbox.key`; created (mode 0700) when missing. */
	dataDir: string;
	/** @default silent */
	logger?: Logger;
}

/** An open embedded deployment. */
export interface EmbeddedStrongbox {
	catalog: SqlCatalog;
	store: ManagedStore;
	/** The Secrets API over both, as the local system caller. */
	secrets: SecretsService;
	/** This deployment's id, created once and kept in the catalog's settings. */
	deploymentId: string;
	/** The key file in use. */
	keyFile: string;
	/** Closes the catalog, the store and the database. */
	close(): Promise<void>;
}

/** Setting holding the deployment id. */
export const DEPLOYMENT_ID_SETTING = "deployment_id";

function isCode(error: unknown, code: string): boolean {
	return (error as { code?: unknown } | null)?.code === code;
}

/** Creates `path` holding `content` (mode 0600) unless it exists; `true` when this call created it. */
async function createExclusive(path: string, content: string): Promise<boolean> {
	// Written to a temporary file then linked: a concurrent opener never reads half a key.
	const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
	await writeFile(temporary, content, { mode: 0o600, flag: "wx" });
	try {
		const handle = await open(temporary, "r");
		await handle.sync().finally(() => handle.close());
		try {
			await link(temporary, path);
		} catch (error) {
			if (isCode(error, "EEXIST") || !(isCode(error, "EPERM") || isCode(error, "ENOTSUP")))
				throw error;
			// No hard links on this file system: an exclusive create is the next best thing.
			await writeFile(path, content, { mode: 0o600, flag: "wx" });
		}
		return true;
	} catch (error) {
		if (isCode(error, "EEXIST")) return false;
		throw error;
	} finally {
		await unlink(temporary).catch(() => {});
	}
}

async function ensureDataDir(dataDir: string): Promise<void> {
	try {
		const created = await mkdir(dataDir, { recursive: true, mode: 0o700 });
		if (created !== undefined) await chmod(dataDir, 0o700);
	} catch (error) {
		throw new StoreConfigError(`[store-sql] Cannot create the data directory ${dataDir}.`, {
			store: "sql",
			cause: error,
		});
	}
}

/**
 * Creates a key file holding a fresh random key ring entry (`local-<date>:<base64 key>`),
 * mode 0600 in a 0700 directory, unless it exists. Safe against concurrent starters:
 * exactly one key wins and nobody reads half a file. Logs (once, where it happens) that
 * the key must be backed up. Resolves to `true` when this call created it.
 */
export async function ensureKeyFile(
	keyFile: string,
	logger: Logger = silentLogger,
): Promise<boolean> {
	await ensureDataDir(dirname(keyFile));
	const keyId = `local-${new Date().toISOString().slice(0, 10).replaceAll("-", "")}`;
	const created = await createExclusive(
		keyFile,
		`# Strongbox encryption key. Back it up; never share it.\n${keyId}:${generateKey()}\n`,
	).catch((error: unknown) => {
		throw new StoreConfigError(`[store-sql] Cannot create the key file ${keyFile}.`, {
			store: "sql",
			cause: error,
		});
	});
	if (created) {
		logger.warn(
			`[store-sql] Created a new encryption key at ${keyFile}. Back it up now: without it the secrets encrypted with it cannot be decrypted.`,
			{ keyFile },
		);
	}
	return created;
}

/** Creates a SQLite database file 0600 (its -wal and -shm files take its mode) in a 0700 directory. */
export async function ensureDatabaseFile(dbPath: string): Promise<void> {
	await ensureDataDir(dirname(dbPath));
	await (await open(dbPath, "a", 0o600)).close();
	if (((await stat(dbPath)).mode & 0o077) !== 0 && process.platform !== "win32") {
		await chmod(dbPath, 0o600);
	}
}

/**
 * Opens (and on first use creates) the embedded deployment in `dataDir`:
 * `strongbox.db` (SQLite) and `strongbox.key` (a random AES-256 key, mode 0600; the
 * creation is logged once, with a reminder to back it up).
 *
 * @example
 * const { secrets, close } = await openEmbedded({ dataDir: join(homedir(), ".strongbox") });
 */
export async function openEmbedded(options: EmbeddedOptions): Promise<EmbeddedStrongbox> {
	const logger = options.logger ?? silentLogger;
	const dataDir = options.dataDir;
	if (typeof dataDir !== "string" || dataDir === "") {
		throw new StoreConfigError("[store-sql] openEmbedded needs a `dataDir`.", { store: "sql" });
	}
	const dbPath = join(dataDir, "strongbox.db");
	const keyFile = join(dataDir, "strongbox.key");
	await ensureKeyFile(keyFile, logger);
	await ensureDatabaseFile(dbPath);
	const catalog = createSqlCatalog({ url: `sqlite:${dbPath}`, logger });
	try {
		await catalog.init();
		const deploymentId = await catalog.initSetting(DEPLOYMENT_ID_SETTING, randomUUID());
		const store = await createStore(
			sqlStore,
			{ keyFile },
			{ catalogConnection: catalog.knex, deploymentId, logger, dataDir },
		);
		// A wrong key file is refused here, at start, rather than at the first read.
		await store.init().catch(async (error: unknown) => {
			await store.close();
			throw error;
		});
		const secrets = createSecrets({ catalog, store, logger });
		return {
			catalog,
			store,
			secrets,
			deploymentId,
			keyFile,
			close: () => secrets.close(),
		};
	} catch (error) {
		await catalog.close().catch(() => {});
		throw error;
	}
}
