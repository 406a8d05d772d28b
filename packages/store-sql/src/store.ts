/**
 * The SQL values store: each secret's values, encrypted (see `crypto.ts`), in a table of
 * its own on the catalog's database or another one.
 */
import {
	type Logger,
	type SecretsStore,
	type StoreCapabilities,
	StoreConfigError,
	type StoreContext,
	type StoredValues,
} from "@strongbox/core";
import type { Knex } from "knex";
import { type Cipher, createCipher, PLAINTEXT_KEY_ID } from "./crypto.js";
import { openDatabase } from "./database.js";
import {
	keyCheck,
	mergeRings,
	NO_KEY_HELP,
	parseKeyRing,
	type RingKey,
	readKeyFile,
	sameCheck,
} from "./keyring.js";
import type { SqlStoreOptions } from "./options.js";
import { activateTap, deactivateTap, valuesTap } from "./prefetch.js";
import { type ReencryptOptions, type ReencryptReport, reencryptRows } from "./reencrypt.js";
import { checkTablePrefix } from "./tables.js";
import { type EnvelopeRow, valuesTable } from "./values-table.js";

/** The raw SQL values store, with its maintenance operation. */
export interface SqlValuesStore extends SecretsStore {
	/** Id of the key new writes use; `undefined` in insecure mode. */
	readonly activeKeyId: string | undefined;
	/** Re-encrypts every row not under the active key; safe while the store is in use. */
	reencrypt(options?: ReencryptOptions): Promise<ReencryptReport>;
}

const LIST_PAGE = 1000;
const MAX_BATCH = 1000;
const MAX_DEPLOYMENT_ID = 128;

function isKnex(value: unknown): value is Knex {
	return typeof value === "function" && typeof (value as { raw?: unknown }).raw === "function";
}

async function loadRing(options: SqlStoreOptions, logger: Logger): Promise<RingKey[]> {
	const fromOption = options.keys === undefined ? [] : parseKeyRing(options.keys);
	const fromFile = options.keyFile === undefined ? [] : await readKeyFile(options.keyFile, logger);
	return mergeRings(fromOption, fromFile);
}

function connection(
	options: SqlStoreOptions,
	context: StoreContext,
): { knex: Knex; owned: boolean } {
	if (options.knex) return { knex: options.knex, owned: false };
	if (options.url !== undefined)
		return { knex: openDatabase(options.url, { logger: context.logger }), owned: true };
	if (isKnex(context.catalogConnection)) return { knex: context.catalogConnection, owned: false };
	throw new StoreConfigError(
		"[store-sql] The SQL store needs a database: set `url`, or use it with the SQL catalog, which lends it its connection.",
		{ store: "sql" },
	);
}

/**
 * Creates the raw store (core's `createStore` wraps it). Fails with `StoreConfigError`
 * when no key is configured and `insecureNoEncryption` is not set, or when it has no
 * database to use.
 */
export async function createSqlValuesStore(
	options: SqlStoreOptions,
	context: StoreContext,
): Promise<SqlValuesStore> {
	const logger = context.logger;
	const deployment = context.deploymentId;
	if (
		typeof deployment !== "string" ||
		deployment === "" ||
		deployment.length > MAX_DEPLOYMENT_ID
	) {
		throw new StoreConfigError(
			`[store-sql] The deployment id must be 1–${MAX_DEPLOYMENT_ID} characters.`,
			{ store: "sql" },
		);
	}
	const ring = await loadRing(options, logger);
	const insecure = ring.length === 0;
	if (insecure && options.insecureNoEncryption !== true) {
		throw new StoreConfigError(NO_KEY_HELP, { store: "sql" });
	}
	if (insecure) {
		logger.warn(
			"[store-sql] INSECURE: no encryption key is configured and `insecureNoEncryption` is set, so secret values are stored IN CLEAR in the database. Never use this outside development.",
		);
	}
	const prefix = checkTablePrefix(options.tablePrefix);
	const { knex, owned } = connection(options, context);
	const table = valuesTable(knex, prefix, deployment);
	// Plaintext rows are readable only in insecure mode: anyone able to write the table
	// could plant one. Re-encryption reads them to encrypt them.
	const cipher: Cipher = createCipher(ring, options.insecureNoEncryption === true, deployment);
	// SQLite only: the catalog on this connection reads values along with its rows.
	const tap =
		table.dialect === "sqlite" ? valuesTap(knex, table.tables.values, deployment) : undefined;

	async function checkKeys(): Promise<void> {
		for (const key of ring) {
			const check = keyCheck(key);
			const recorded = await table.registerKey(key.id, check);
			if (recorded === undefined || !sameCheck(recorded, check)) {
				throw new StoreConfigError(
					`[store-sql] Key \`${key.id}\` is not the key this database was first used with under that id. Configure the original key for \`${key.id}\`, or give a new key a new id (put it first and keep the old one until \`reencrypt\` has finished).`,
					{ store: "sql", details: { keyId: key.id } },
				);
			}
		}
		const missing = (await table.knownKeyIds()).filter((id) => !cipher.has(id));
		if (!insecure) missing.push(PLAINTEXT_KEY_ID);
		for (const keyId of missing) {
			if (!(await table.anyUnder(keyId))) continue;
			logger.warn(
				keyId === PLAINTEXT_KEY_ID
					? "[store-sql] Some values are stored without encryption; run `reencrypt` to encrypt them under the active key."
					: `[store-sql] Some values are encrypted with key \`${keyId}\`, which is not in the key ring: they cannot be read. Add that key back (after the active one) and run \`reencrypt\`.`,
				{ keyId },
			);
		}
	}

	function open(row: EnvelopeRow): StoredValues {
		return { values: cipher.open(row.id, row.version, row.envelope), version: row.version };
	}

	/** Runs a write of `id`, dropping any read-along row before and after it. */
	async function writing<T>(id: string, write: () => Promise<T>): Promise<T> {
		tap?.drop(id);
		try {
			return await write();
		} finally {
			tap?.drop(id);
		}
	}

	const capabilities: Partial<StoreCapabilities> = {
		...(options.maxValueBytes === undefined ? {} : { maxValueBytes: options.maxValueBytes }),
		...(insecure ? { encryptsAtRest: false } : {}),
	};

	return {
		...(Object.keys(capabilities).length > 0 ? { capabilities } : {}),
		activeKeyId: cipher.activeKeyId,
		async init() {
			await table.migrate();
			await checkKeys();
			if (tap) activateTap(knex, tap);
		},
		async set(id, values, meta) {
			const sealed = cipher.seal(id, meta.version, values);
			await writing(id, () => table.upsert(id, meta.version, sealed));
		},
		async get(id) {
			const hit = tap?.take(id);
			if (hit !== undefined) return hit === null ? undefined : open({ id, ...hit });
			const row = await table.read(id);
			return row ? open(row) : undefined;
		},
		async getMany(ids) {
			const out = new Map<string, StoredValues>();
			for (let i = 0; i < ids.length; i += MAX_BATCH) {
				for (const row of await table.readMany(ids.slice(i, i + MAX_BATCH)))
					out.set(row.id, open(row));
			}
			return out;
		},
		delete: (id) => writing(id, () => table.remove(id)),
		async *listIds() {
			let after = "";
			for (;;) {
				const ids = await table.ids(after, LIST_PAGE);
				yield* ids;
				if (ids.length < LIST_PAGE) return;
				after = ids[ids.length - 1]!;
			}
		},
		verify: () => table.probe(),
		async close() {
			if (tap) deactivateTap(knex, tap);
			if (owned) await knex.destroy();
		},
		async reencrypt(run = {}) {
			if (cipher.activeKeyId === undefined) {
				throw new StoreConfigError(`${NO_KEY_HELP} Re-encryption needs a key.`, { store: "sql" });
			}
			const reader = createCipher(ring, true, deployment);
			return reencryptRows(table, cipher, reader, logger, run, (id) => tap?.drop(id));
		},
	};
}
