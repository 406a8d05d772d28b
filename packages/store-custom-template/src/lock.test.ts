import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { StoreUnavailableError } from "@strongbox/core";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { acquireLock, type LockHolder, processAlive } from "./lock.js";

const dirs: string[] = [];
let lockPath: string;

beforeEach(async () => {
	const dir = await mkdtemp(join(tmpdir(), "sb-ct-lock-"));
	dirs.push(dir);
	lockPath = join(dir, "secrets.json.lock");
});

afterAll(async () => {
	for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
function deadPid(): number {
	const child = spawnSync(process.execPath, ["-e", ""]);
	expect(processAlive(child.pid!)).toBe(false);
	return child.pid!;
}

function holder(overrides: Partial<LockHolder>): string {
	return JSON.stringify({
		pid: process.pid,
		host: hostname(),
		nonce: randomUUID(),
		since: new Date().toISOString(),
		...overrides,
	});
}

const options = { timeoutMs: 2000, operation: "set" };

describe("lock file", () => {
	it("is exclusive: a second taker waits until the first releases", async () => {
		const first = await acquireLock(lockPath, options);
		expect(JSON.parse(await readFile(lockPath, "utf8"))).toEqual(first.holder);
		await expect(acquireLock(lockPath, { ...options, timeoutMs: 20 })).rejects.toBeInstanceOf(
			StoreUnavailableError,
		);
		const order: string[] = [];
		const second = acquireLock(lockPath, options).then((lock) => {
			order.push("second acquired");
			return lock;
		});
		// Give the waiter several polling rounds while the lock is held.
		for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
		order.push("first releases");
		await first.release();
		const lock = await second;
		expect(order).toEqual(["first releases", "second acquired"]);
		await lock.release();
		await expect(readFile(lockPath)).rejects.toMatchObject({ code: "ENOENT" });
	});

	it("gives up as unavailable, naming the holder and the lock file, when a live process keeps it", async () => {
		// pid 1 always runs; the lock is not ours and must not be broken.
		await writeFile(lockPath, holder({ pid: 1 }));
		const error = await acquireLock(lockPath, { ...options, timeoutMs: 50 }).catch((e) => e);
		expect(error).toBeInstanceOf(StoreUnavailableError);
		expect(error.message).toContain(`locked by process 1 on ${hostname()}`);
		expect(error.message).toContain(lockPath);
		expect(JSON.parse(await readFile(lockPath, "utf8")).pid).toBe(1);
	});

	it("never breaks a lock of another host, even when its pid is not running here", async () => {
		await writeFile(lockPath, holder({ pid: deadPid(), host: `other-${randomUUID()}` }));
		await expect(acquireLock(lockPath, { ...options, timeoutMs: 50 })).rejects.toBeInstanceOf(
			StoreUnavailableError,
		);
	});

	it("breaks the lock of a dead process on this host", async () => {
		await writeFile(lockPath, holder({ pid: deadPid() }));
		const lock = await acquireLock(lockPath, options);
		expect(JSON.parse(await readFile(lockPath, "utf8")).nonce).toBe(lock.holder.nonce);
		await lock.release();
	});

	it("breaks a lock taken before the machine booted, whatever its pid", async () => {
		await writeFile(lockPath, holder({ pid: 1, since: "2000-01-01T00:00:00.000Z" }));
		const lock = await acquireLock(lockPath, options);
		await lock.release();
	});

	it("breaks a lock naming this process that this process does not hold (a reused pid)", async () => {
		await writeFile(lockPath, holder({ pid: process.pid }));
		const lock = await acquireLock(lockPath, options);
		// ...but never one it does hold.
		await expect(acquireLock(lockPath, { ...options, timeoutMs: 30 })).rejects.toBeInstanceOf(
			StoreUnavailableError,
		);
		await lock.release();
	});

	it("breaks an empty lock file only once its creator had ample time to write it", async () => {
		await writeFile(lockPath, "");
		await expect(acquireLock(lockPath, { ...options, timeoutMs: 30 })).rejects.toBeInstanceOf(
			StoreUnavailableError,
		);
		const old = new Date(Date.now() - 60_000);
		await utimes(lockPath, old, old);
		const lock = await acquireLock(lockPath, options);
		await lock.release();
	});

	it("release leaves a lock that is no longer its own", async () => {
		const lock = await acquireLock(lockPath, options);
		const foreign = holder({ pid: 1 });
		await writeFile(lockPath, foreign);
		await lock.release();
		expect(await readFile(lockPath, "utf8")).toBe(foreign);
	});
});
