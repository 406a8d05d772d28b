/**
 * What the conformance suite cannot see from outside: the file on disk (mode, format,
 * no temporary file left), the lock between store objects that do not share the
 * in-process queue, refusal of a corrupt or foreign file, a wrong key, tampering, and the
 * file size limit.
 */
import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import {
	open as fsOpen,
	mkdir,
	mkdtemp,
	readdir,
	readFile,
	rm,
	stat,
	symlink,
	writeFile,
} from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import {
	createStore,
	DecryptionError,
	type ManagedStore,
	PayloadTooLargeError,
	StoreConfigError,
	StoreError,
	StoreUnavailableError,
} from "@strongbox/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FORMAT } from "./file.js";
import customTemplateStore from "./index.js";

const key = randomBytes(32).toString("base64");
const canary = `canary-${randomUUID()}`;
let dir: string;
let path: string;
const stores: ManagedStore[] = [];

beforeEach(async () => {
	dir = await mkdtemp(join(tmpdir(), "sb-ct-store-"));
	path = join(dir, "secrets.json");
});

afterEach(async () => {
	for (const store of stores.splice(0)) await store.close();
	await rm(dir, { recursive: true, force: true });
});

async function open(
	options: Record<string, unknown> = {},
	deploymentId = "dep-a",
): Promise<ManagedStore> {
	const store = await createStore(customTemplateStore, { path, key, ...options }, { deploymentId });
	stores.push(store);
	return store;
}

async function rejects<E extends Error>(
	promise: Promise<unknown>,
	type: abstract new (...args: never[]) => E,
): Promise<E> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(type);
	const rendered = `${String(error)}${JSON.stringify(error)}${inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })}`;
	expect(rendered).not.toContain(canary);
	return error as E;
}

describe("the store file", () => {
	it("is written with mode 0600, holds no value in clear, and no temporary file stays behind", async () => {
		const store = await open();
		const ids = Array.from({ length: 5 }, () => randomUUID());
		await Promise.all(ids.map((id, i) => store.set(id, { password: canary }, { version: i + 1 })));
		await store.delete(ids[0]!);
		if (process.platform !== "win32") expect((await stat(path)).mode & 0o777).toBe(0o600);
		const text = await readFile(path, "utf8");
		expect(text).not.toContain(canary);
		const doc = JSON.parse(text);
		expect(doc.format).toBe(FORMAT);
		expect(Object.keys(doc.deployments)).toEqual(["dep-a"]);
		expect(Object.keys(doc.deployments["dep-a"]).sort()).toEqual(ids.slice(1).sort());
		expect(await readdir(dir)).toEqual(["secrets.json"]);
	});

	it("is replaced whole by a write: a reader that opened the old file still reads it complete", async () => {
		const store = await open();
		const id = randomUUID();
		await store.set(id, { k: "old" }, { version: 1 });
		const before = await readFile(path, "utf8");
		const reader = await fsOpen(path, "r");
		try {
			await store.set(id, { k: "new".repeat(1000) }, { version: 2 });
			await store.set(randomUUID(), { k: "more" }, { version: 1 });
			// Written in place, the old handle would see new or torn bytes; renamed over, it
			// still sees the old file, and the path shows the new one.
			expect(await reader.readFile("utf8")).toBe(before);
			expect(await readFile(path, "utf8")).not.toBe(before);
		} finally {
			await reader.close();
		}
	});

	it("is not created by reads or by deleting nothing", async () => {
		const store = await open();
		expect(await store.get(randomUUID())).toBeUndefined();
		expect(await store.delete(randomUUID())).toBe(false);
		const listed: string[] = [];
		for await (const id of store.listIds()) listed.push(id);
		expect(listed).toEqual([]);
		await store.verify();
		expect(await readdir(dir)).toEqual([]);
	});

	it("serialises writes of store objects that share no in-process queue, through the lock file", async () => {
		// The same file through a symlinked directory: two paths, two queues, one lock file.
		const alias = join(`${dir}-alias`);
		await symlink(dir, alias);
		try {
			const a = await open();
			const b = await createStore(
				customTemplateStore,
				{ path: join(alias, "secrets.json"), key },
				{ deploymentId: "dep-a" },
			);
			stores.push(b);
			const ids = Array.from({ length: 30 }, () => randomUUID());
			await Promise.all(
				ids.map((id, i) => (i % 2 === 0 ? a : b).set(id, { i: String(i) }, { version: 1 })),
			);
			// A lost update (two read-modify-writes interleaved) would drop some ids.
			const found = await a.getMany(ids);
			expect(found.size).toBe(30);
			expect(await readdir(dir)).toEqual(["secrets.json"]);
		} finally {
			await rm(alias, { force: true });
		}
	});

	it("keeps serving reads while another process holds the lock, and fails writes as unavailable", async () => {
		const store = await open({ lockTimeoutMs: 50 });
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		// pid 1 always runs: a live holder that never lets go.
		await writeFile(
			`${path}.lock`,
			JSON.stringify({
				pid: 1,
				host: hostname(),
				nonce: randomUUID(),
				since: new Date().toISOString(),
			}),
		);
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		const error = await rejects(
			store.set(id, { k: canary }, { version: 2 }),
			StoreUnavailableError,
		);
		expect(error.message).toContain("locked by process 1");
		await rm(`${path}.lock`);
		await store.set(id, { k: "w" }, { version: 2 });
		expect(await store.get(id)).toEqual({ values: { k: "w" }, version: 2 });
	});

	it("refuses a corrupt or foreign file with StoreError, never quoting it", async () => {
		const store = await open();
		for (const content of [
			`{"password":"${canary}"`,
			JSON.stringify({ password: canary }),
			JSON.stringify({ format: FORMAT, deployments: { "dep-a": { "not-a-uuid": canary } } }),
			JSON.stringify({
				format: FORMAT,
				deployments: { "dep-a": { [randomUUID()]: { data: canary } } },
			}),
		]) {
			await writeFile(path, content);
			const error = await rejects(store.get(randomUUID()), StoreError);
			expect(error).not.toBeInstanceOf(StoreUnavailableError);
			expect(error.message).toContain(`${path} is not a valid store file`);
			await rejects(store.set(randomUUID(), { k: "v" }, { version: 1 }), StoreError);
			await rejects(store.verify(), StoreError);
			// A refused write leaves the file as it was.
			expect(await readFile(path, "utf8")).toBe(content);
		}
	});

	it("reports entries written with another key as a configuration error, at start-up too", async () => {
		const id = randomUUID();
		await (await open()).set(id, { k: canary }, { version: 1 });
		const other = await open({ key: randomBytes(32).toString("base64") });
		const error = await rejects(other.get(id), StoreConfigError);
		expect(error.message).toContain("written with another key");
		await rejects(other.verify(), StoreConfigError);
		// Another deployment with another key is fine: it never reads dep-a's entries.
		const elsewhere = await open({ key: randomBytes(32).toString("base64") }, "dep-b");
		await elsewhere.verify();
		expect(await elsewhere.get(id)).toBeUndefined();
	});

	it("refuses a deployment id the file could not hold", async () => {
		const error = await open({}, "d".repeat(257)).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StoreConfigError);
		expect((error as Error).message).toContain("deployment id must be 1–256 characters");
	});

	it("detects an entry moved to another secret id as tampering", async () => {
		const store = await open();
		const [a, b] = [randomUUID(), randomUUID()];
		await store.set(a, { k: canary }, { version: 1 });
		const doc = JSON.parse(await readFile(path, "utf8"));
		doc.deployments["dep-a"][b] = doc.deployments["dep-a"][a];
		await writeFile(path, JSON.stringify(doc));
		await rejects(store.get(b), DecryptionError);
		expect((await store.get(a))?.values).toEqual({ k: canary });
	});

	it("refuses a write that would grow the file past maxFileBytes, leaving the file as it was", async () => {
		const store = await open({ maxFileBytes: 64 * 1024 });
		const id = randomUUID();
		await store.set(id, { k: "small" }, { version: 1 });
		const before = await readFile(path, "utf8");
		await rejects(
			store.set(randomUUID(), { big: canary.padEnd(60 * 1024, "x") }, { version: 1 }),
			PayloadTooLargeError,
		);
		expect(await readFile(path, "utf8")).toBe(before);
		// A file already past the limit is not read at all.
		const small = await open({ maxFileBytes: 64 * 1024 });
		await writeFile(path, before.padEnd(65 * 1024, " "));
		await rejects(small.get(id), StoreError);
	});

	it("removes, at start-up, temporary files left by a crashed writer on this host", async () => {
		const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
		const leftover = join(dir, `.secrets.json.${dead}.${randomUUID()}.tmp`);
		const live = join(dir, `.secrets.json.1.${randomUUID()}.tmp`);
		await writeFile(leftover, "{}");
		await writeFile(live, "{}");
		await mkdir(join(dir, "unrelated"));
		await (await open()).verify();
		expect((await readdir(dir)).sort()).toEqual([live.slice(dir.length + 1), "unrelated"].sort());
	});
});
