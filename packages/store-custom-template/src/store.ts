/**
 * The store: one deployment's entries in the store file. Every entry lives under the
 * deployment id that wrote it, so a store reads, lists and deletes its own deployment's
 * entries only, even when several deployments share the file.
 */
import { resolve } from "node:path";
import {
	type SecretsStore,
	StoreConfigError,
	type StoreContext,
	type StoredValues,
	StrongboxError,
} from "@strongbox/core";
import { type Cipher, createCipher } from "./crypto.js";
import { fsError, PREFIX, STORE_TYPE } from "./errors.js";
import {
	checkDirectory,
	enqueueWrite,
	MAX_DEPLOYMENT_ID,
	readDocument,
	removeLeftovers,
	type StoreDocument,
	writeDocument,
} from "./file.js";
import { acquireLock } from "./lock.js";
import { type CustomTemplateStoreOptions, DEFAULTS } from "./options.js";

/** Where the store file is: the `path` option, or a file in Strongbox's data directory. */
export function storeFilePath(options: CustomTemplateStoreOptions, context: StoreContext): string {
	if (options.path !== undefined) return resolve(options.path);
	if (context.dataDir !== undefined) return resolve(context.dataDir, `${STORE_TYPE}.json`);
	throw new StoreConfigError(
		`${PREFIX} Missing option \`path\`: the store file (its directory must exist).`,
		{ store: STORE_TYPE },
	);
}

function typed(error: unknown, operation: string): StrongboxError {
	return error instanceof StrongboxError ? error : fsError(error, operation);
}

/**
 * Creates the store (without core's wrapper: use `createStore(customTemplateStore, options)`
 * or `loadStore` to get the runtime guarantees).
 */
export function createCustomTemplateStore(
	options: CustomTemplateStoreOptions,
	context: StoreContext,
): SecretsStore {
	const path = storeFilePath(options, context);
	const lockPath = `${path}.lock`;
	const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULTS.lockTimeoutMs;
	const maxFileBytes = options.maxFileBytes ?? DEFAULTS.maxFileBytes;
	const deployment = context.deploymentId;
	if (
		typeof deployment !== "string" ||
		deployment.length === 0 ||
		deployment.length > MAX_DEPLOYMENT_ID
	) {
		// The file refuses such ids on read; never write one.
		throw new StoreConfigError(`${PREFIX} The deployment id must be 1–256 characters.`, {
			store: STORE_TYPE,
		});
	}
	const cipher: Cipher = createCipher(options.key, deployment);

	const read = (operation: string) =>
		readDocument(path, maxFileBytes, operation).catch((error: unknown) => {
			throw typed(error, operation);
		});

	function open(id: string, doc: StoreDocument): StoredValues | undefined {
		const entry = doc.get(deployment)?.get(id);
		if (!entry) return undefined;
		if (entry.keyId !== cipher.keyId) throw wrongKey();
		return { values: cipher.open(id, entry), version: entry.version };
	}

	function wrongKey(): StoreConfigError {
		return new StoreConfigError(
			`${PREFIX} Entries of this deployment in ${path} were written with another key: check the \`key\` option.`,
			{ store: STORE_TYPE },
		);
	}

	/**
	 * Read-modify-write under the in-process queue and the lock file. `change` edits the
	 * document and returns whether to write it.
	 */
	function mutate(operation: string, change: (doc: StoreDocument) => boolean): Promise<boolean> {
		return enqueueWrite(path, async () => {
			try {
				const lock = await acquireLock(lockPath, { timeoutMs: lockTimeoutMs, operation });
				try {
					const doc = await readDocument(path, maxFileBytes, operation);
					const changed = change(doc);
					if (changed) await writeDocument(path, doc, maxFileBytes, operation);
					return changed;
				} finally {
					await lock.release();
				}
			} catch (error) {
				throw typed(error, operation);
			}
		});
	}

	async function verify(operation: string): Promise<void> {
		try {
			await checkDirectory(path, operation);
			const entries = (await readDocument(path, maxFileBytes, operation)).get(deployment);
			for (const entry of entries?.values() ?? []) {
				if (entry.keyId !== cipher.keyId) throw wrongKey();
			}
		} catch (error) {
			throw typed(error, operation);
		}
	}

	return {
		async init() {
			await verify("init");
			const removed = await removeLeftovers(path);
			if (removed > 0) {
				context.logger.info(`${PREFIX} Removed temporary files left by a crashed writer.`, {
					count: removed,
				});
			}
		},
		async set(id, values, meta) {
			await mutate("set", (doc) => {
				let entries = doc.get(deployment);
				if (!entries) {
					entries = new Map();
					doc.set(deployment, entries);
				}
				entries.set(id, cipher.seal(id, meta.version, values));
				return true;
			});
		},
		async get(id) {
			const doc = await read("get");
			return open(id, doc);
		},
		async getMany(ids) {
			const doc = await read("getMany");
			const found = new Map<string, StoredValues>();
			for (const id of ids) {
				const stored = open(id, doc);
				if (stored) found.set(id, stored);
			}
			return found;
		},
		async delete(id) {
			// Nothing to remove: no write at all.
			return mutate("delete", (doc) => doc.get(deployment)?.delete(id) === true);
		},
		async *listIds() {
			const doc = await read("listIds");
			yield* [...(doc.get(deployment)?.keys() ?? [])];
		},
		verify: () => verify("verify"),
		// Nothing to release: no handle stays open between calls.
		async close() {},
	};
}
