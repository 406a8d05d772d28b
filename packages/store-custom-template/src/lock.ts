/**
 * A lock file (`<store file>.lock`) so that two processes on one host never interleave
 * their read-modify-write of the store file. Created with `O_CREAT | O_EXCL` (`"wx"`),
 * which is atomic on local file systems; it names its holder (pid, host, a random nonce).
 *
 * A lock whose holder is gone (see `isStale`) is broken. Breaking
 * renames the lock aside and checks it is still the stale one before deleting it, so two
 * processes breaking the same stale lock do not delete each other's fresh lock. Locks of
 * other hosts are never broken (this store is single-host; see the README).
 */
import { randomUUID } from "node:crypto";
import { link, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { hostname, uptime } from "node:os";
import { errnoOf, fsError, unavailable } from "./errors.js";

/** Who holds a lock, as written in the lock file. */
export interface LockHolder {
	pid: number;
	host: string;
	nonce: string;
	/** ISO time the lock was taken. */
	since: string;
}

/** A held lock. */
export interface FileLock {
	readonly holder: LockHolder;
	/** Removes the lock file if it is still this lock's. */
	release(): Promise<void>;
}

// A lock file that exists but is still empty is being written by its creator; past this
// age its creator died between creating and writing it.
const EMPTY_LOCK_GRACE_MS = 2000;
const MAX_LOCK_FILE_BYTES = 4096;

/** Whether a process with this pid runs on this host (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return errnoOf(error) === "EPERM";
	}
}

function parseHolder(text: string): LockHolder | undefined {
	try {
		const h = JSON.parse(text) as Partial<LockHolder>;
		if (
			Number.isSafeInteger(h.pid) &&
			typeof h.host === "string" &&
			typeof h.nonce === "string" &&
			typeof h.since === "string"
		) {
			return h as LockHolder;
		}
	} catch {}
	return undefined;
}

async function readHolder(
	lockPath: string,
): Promise<{ holder: LockHolder | undefined; ageMs: number } | "gone"> {
	try {
		const [text, info] = await Promise.all([readFile(lockPath, "utf8"), stat(lockPath)]);
		return {
			holder: text.length > MAX_LOCK_FILE_BYTES ? undefined : parseHolder(text),
			ageMs: Date.now() - info.mtimeMs,
		};
	} catch (error) {
		if (errnoOf(error) === "ENOENT") return "gone";
		throw error;
	}
}

/** Nonces of the locks this process holds now (its store objects may share a file). */
const held = new Set<string>();

/**
 * A lock of this host is stale when its holder is gone: taken before the machine last
 * booted, taken by this very pid but not held by it (a pid reused after a reboot), or
 * naming a pid that no longer runs.
 */
function isStale(found: { holder: LockHolder | undefined; ageMs: number }): boolean {
	const { holder } = found;
	if (!holder) return found.ageMs > EMPTY_LOCK_GRACE_MS;
	if (holder.host !== hostname()) return false;
	const since = Date.parse(holder.since);
	if (Number.isFinite(since) && since < Date.now() - uptime() * 1000) return true;
	if (holder.pid === process.pid) return !held.has(holder.nonce);
	return !processAlive(holder.pid);
}

/** Removes a stale lock unless someone replaced it meanwhile. */
async function breakStale(lockPath: string, stale: LockHolder | undefined): Promise<void> {
	const aside = `${lockPath}.stale-${randomUUID()}`;
	try {
		await rename(lockPath, aside);
	} catch (error) {
		if (errnoOf(error) === "ENOENT") return; // someone else broke it first
		throw error;
	}
	const moved = parseHolder(await readFile(aside, "utf8").catch(() => ""));
	const sameLock = stale === undefined ? moved === undefined : moved?.nonce === stale.nonce;
	if (!sameLock) {
		// We moved a fresh lock taken after our check: put it back (fails harmlessly with
		// EEXIST if a third process took the lock in between).
		await link(aside, lockPath).catch(() => {});
	}
	await unlink(aside).catch(() => {});
}

/** Options of {@link acquireLock}. */
export interface AcquireLockOptions {
	/** Give up (as unavailable) after this long. */
	timeoutMs: number;
	/** Operation name, for messages. */
	operation: string;
}

/** Takes the lock, waiting (with backoff) while another live process holds it. */
export async function acquireLock(
	lockPath: string,
	options: AcquireLockOptions,
): Promise<FileLock> {
	const holder: LockHolder = {
		pid: process.pid,
		host: hostname(),
		nonce: randomUUID(),
		since: new Date().toISOString(),
	};
	const started = Date.now();
	for (let attempt = 0; ; attempt++) {
		try {
			const handle = await open(lockPath, "wx", 0o600);
			try {
				await handle.writeFile(JSON.stringify(holder));
			} finally {
				await handle.close();
			}
			held.add(holder.nonce);
			return { holder, release: () => releaseLock(lockPath, holder) };
		} catch (error) {
			if (errnoOf(error) !== "EEXIST") throw fsError(error, options.operation);
		}
		let found: Awaited<ReturnType<typeof readHolder>>;
		try {
			found = await readHolder(lockPath);
		} catch (error) {
			throw fsError(error, options.operation);
		}
		if (found === "gone") continue;
		if (isStale(found)) {
			await breakStale(lockPath, found.holder).catch((error: unknown) => {
				throw fsError(error, options.operation);
			});
			continue;
		}
		if (Date.now() - started >= options.timeoutMs) {
			const who = found.holder
				? `process ${found.holder.pid} on ${found.holder.host} since ${found.holder.since}`
				: "a process that has not written its name yet";
			throw unavailable(
				options.operation,
				`the store file is locked by ${who}; if no such process runs, delete ${lockPath}`,
			);
		}
		const ceiling = Math.min(100, 5 * 2 ** Math.min(attempt, 5));
		await new Promise((resolve) => setTimeout(resolve, 1 + Math.random() * ceiling));
	}
}

async function releaseLock(lockPath: string, holder: LockHolder): Promise<void> {
	held.delete(holder.nonce);
	const current = parseHolder(await readFile(lockPath, "utf8").catch(() => ""));
	// Only ever remove our own lock: if it was broken and retaken, it is someone else's.
	if (current?.nonce === holder.nonce) await unlink(lockPath).catch(() => {});
}
