/**
 * The store file: one JSON document holding the encrypted entries of every deployment
 * that uses it, read whole, checked, and replaced atomically.
 *
 * ```json
 * { "format": "strongbox-store-custom-template/1",
 *   "deployments": { "<deployment id>": { "<secret id>": { "version": 3, "keyId": "…", "nonce": "…", "data": "…" } } } }
 * ```
 *
 * Writes go to a temporary file in the same directory, are flushed to disk, then renamed
 * over the store file (and the directory flushed), so a reader or a crash sees the old
 * file or the new one, never a mix. Readers take no lock for that reason; writers
 * serialise through an in-process queue (per file) and the lock file (across processes).
 */
import { randomUUID } from "node:crypto";
import { open, readdir, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { isSecretId, PayloadTooLargeError, StoreError } from "@strongbox/core";
import type { SealedEntry } from "./crypto.js";
import { errnoOf, fsError, PREFIX, STORE_TYPE, unavailable } from "./errors.js";
import { processAlive } from "./lock.js";

/** The `format` marker of the file: refuses files of other tools or versions. */
export const FORMAT = "strongbox-store-custom-template/1";

/** The file's content: deployment id → secret id → entry. */
export type StoreDocument = Map<string, Map<string, SealedEntry>>;

const KEY_ID = /^[0-9a-f]{16}$/;
const NONCE = /^[A-Za-z0-9+/]{16}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Longest deployment id the file accepts (the store refuses longer ones at creation). */
export const MAX_DEPLOYMENT_ID = 256;

function invalid(path: string, reason: string): StoreError {
	return new StoreError(`${PREFIX} ${path} is not a valid store file: ${reason}.`, {
		store: STORE_TYPE,
	});
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkEntry(value: unknown): value is SealedEntry {
	if (!isObject(value)) return false;
	const { version, keyId, nonce, data } = value;
	return (
		Number.isSafeInteger(version) &&
		(version as number) >= 1 &&
		typeof keyId === "string" &&
		KEY_ID.test(keyId) &&
		typeof nonce === "string" &&
		NONCE.test(nonce) &&
		typeof data === "string" &&
		data.length >= 24 &&
		BASE64.test(data)
	);
}

/** Parses and checks the file's text. Messages never quote the content. */
export function parseDocument(text: string, path: string): StoreDocument {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw invalid(path, "not JSON");
	}
	if (!isObject(parsed) || parsed.format !== FORMAT) {
		throw invalid(path, `no \`format: "${FORMAT}"\` marker`);
	}
	if (!isObject(parsed.deployments)) throw invalid(path, "`deployments` is not an object");
	const doc: StoreDocument = new Map();
	for (const [deployment, entries] of Object.entries(parsed.deployments)) {
		if (deployment.length === 0 || deployment.length > MAX_DEPLOYMENT_ID || !isObject(entries)) {
			throw invalid(path, "a deployment is malformed");
		}
		const map = new Map<string, SealedEntry>();
		for (const [id, entry] of Object.entries(entries)) {
			if (!isSecretId(id) || !checkEntry(entry)) throw invalid(path, "an entry is malformed");
			map.set(id, {
				version: entry.version,
				keyId: entry.keyId,
				nonce: entry.nonce,
				data: entry.data,
			});
		}
		doc.set(deployment, map);
	}
	return doc;
}

/** The file's text for a document. Empty deployments are left out. */
export function serializeDocument(doc: StoreDocument): string {
	const deployments = Object.fromEntries(
		[...doc].filter(([, entries]) => entries.size > 0).map(([d, e]) => [d, Object.fromEntries(e)]),
	);
	return `${JSON.stringify({ format: FORMAT, deployments })}\n`;
}

/**
 * Checks that the file's directory is there. A missing directory is an unmounted or
 * removed volume: unavailable, never "empty" (the store does not create it).
 */
export async function checkDirectory(path: string, operation: string): Promise<void> {
	const dir = dirname(path);
	try {
		if (!(await stat(dir)).isDirectory()) {
			throw unavailable(operation, `${dir} is not a directory`);
		}
	} catch (error) {
		if (errnoOf(error) === "ENOENT") {
			throw unavailable(operation, `the directory ${dir} is missing (an unmounted volume?)`, error);
		}
		throw error instanceof StoreError ? error : fsError(error, operation);
	}
}

/** Reads and checks the store file; a missing file in an existing directory is empty. */
export async function readDocument(
	path: string,
	maxFileBytes: number,
	operation: string,
): Promise<StoreDocument> {
	let text: string;
	try {
		const handle = await open(path, "r");
		try {
			if ((await handle.stat()).size > maxFileBytes) {
				throw invalid(path, `larger than \`maxFileBytes\` (${maxFileBytes} bytes)`);
			}
			text = await handle.readFile("utf8");
		} finally {
			await handle.close();
		}
	} catch (error) {
		if (error instanceof StoreError) throw error;
		if (errnoOf(error) !== "ENOENT") throw fsError(error, operation);
		await checkDirectory(path, operation);
		return new Map();
	}
	return parseDocument(text, path);
}

/** Replaces the store file with `doc`: temporary file, flush, rename, flush the directory. */
export async function writeDocument(
	path: string,
	doc: StoreDocument,
	maxFileBytes: number,
	operation: string,
): Promise<void> {
	const text = serializeDocument(doc);
	if (Buffer.byteLength(text) > maxFileBytes) {
		throw new PayloadTooLargeError(
			`${PREFIX} The write would grow the store file past \`maxFileBytes\` (${maxFileBytes} bytes).`,
			{ store: STORE_TYPE },
		);
	}
	const dir = dirname(path);
	const temp = join(dir, `.${basename(path)}.${process.pid}.${randomUUID()}.tmp`);
	try {
		const handle = await open(temp, "wx", 0o600);
		try {
			await handle.writeFile(text, "utf8");
			await handle.sync();
		} finally {
			await handle.close();
		}
		await rename(temp, path);
	} catch (error) {
		await unlink(temp).catch(() => {});
		throw fsError(error, operation);
	}
	await syncDirectory(dir);
}

// The rename is durable only once the directory entry is flushed. Some platforms cannot
// open or flush a directory (Windows); the write itself has succeeded by then.
async function syncDirectory(dir: string): Promise<void> {
	try {
		const handle = await open(dir, "r");
		try {
			await handle.sync();
		} finally {
			await handle.close();
		}
	} catch {}
}

/**
 * Deletes temporary files a crashed writer on this host left behind (their names carry
 * the writer's pid). They hold encrypted entries only; this just keeps the directory tidy.
 */
export async function removeLeftovers(path: string): Promise<number> {
	const base = basename(path);
	const prefix = `.${base}.`;
	let removed = 0;
	for (const name of await readdir(dirname(path)).catch(() => [] as string[])) {
		if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
		const pid = Number(name.slice(prefix.length).split(".")[0]);
		if (!Number.isSafeInteger(pid) || pid === process.pid || processAlive(pid)) continue;
		await unlink(join(dirname(path), name)).then(
			() => removed++,
			() => {},
		);
	}
	return removed;
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` after every earlier write to the same file in this process. Two store objects
 * on one file (a reopened store, another deployment) share the queue, so they never wait
 * on each other's lock file.
 */
export function enqueueWrite<T>(path: string, fn: () => Promise<T>): Promise<T> {
	const previous = queues.get(path) ?? Promise.resolve();
	const run = previous.then(fn, fn);
	const settled = run.then(
		() => {},
		() => {},
	);
	queues.set(path, settled);
	void settled.then(() => {
		if (queues.get(path) === settled) queues.delete(path);
	});
	return run;
}
