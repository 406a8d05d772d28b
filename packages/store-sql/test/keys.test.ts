/**
 * Keys on each database: a wrong key refused at start, no key refused at creation, the
 * insecure development mode, rotation and re-encryption (also under concurrent writes).
 */
import { randomUUID } from "node:crypto";
import { createStore, DecryptionError, type ManagedStore, StoreConfigError } from "@strongbox/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { reencrypt, sqlStore } from "../src/definition.js";
import { generateKey } from "../src/keyring.js";
import type { SqlStoreOptions } from "../src/options.js";
import { createSqlValuesStore } from "../src/store.js";
import { type DatabaseFixture, openFixture, randomPrefix, testDatabases } from "./databases.js";
import { recordingLogger } from "./helpers.js";

const A = generateKey();
const B = generateKey();

describe.each(testDatabases())("keys on $name", (db) => {
	let fixture: DatabaseFixture;
	const opened: ManagedStore[] = [];

	beforeAll(async () => {
		fixture = await openFixture(db);
	});
	afterEach(async () => {
		await Promise.all(opened.splice(0).map((s) => s.close()));
	});
	afterAll(async () => {
		await fixture?.cleanup();
	});

	/** A store on a table prefix of its own (under the fixture's, so cleanup drops it). */
	async function store(
		options: Partial<SqlStoreOptions>,
		prefix: string,
		logger = recordingLogger(),
		deploymentId = "keys",
	): Promise<ManagedStore> {
		const s = await createStore(
			sqlStore,
			{ knex: fixture.knex, tablePrefix: `${fixture.prefix}${prefix}`, ...options },
			{ deploymentId, logger },
		);
		opened.push(s);
		return s;
	}

	function table(prefix: string) {
		return fixture.knex(`${fixture.prefix}${prefix}values`);
	}

	it("refuses a wrong key at start, naming the key id and never the key", async () => {
		const p = randomPrefix();
		const first = await store({ keys: `main:${A}` }, p);
		await first.set(randomUUID(), { k: "v" }, { version: 1 });
		const wrong = await store({ keys: `main:${B}` }, p);
		const error = await wrong.init().catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StoreConfigError);
		const message = (error as Error).message;
		expect(message).toContain("`main`");
		expect(message.includes(A) || message.includes(B)).toBe(false);
		expect(JSON.stringify(error).includes(B)).toBe(false);
		// Another deployment on the same tables keeps its own keys.
		await (await store({ keys: `main:${B}` }, p, recordingLogger(), "elsewhere")).init();
	});

	it("refuses to start without a key, and says how to make one", async () => {
		const error = await createStore(
			sqlStore,
			{ knex: fixture.knex },
			{ deploymentId: "keys" },
		).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StoreConfigError);
		expect((error as Error).message).toContain("openssl rand -base64 32");
		expect((error as Error).message).toContain("keyFile");
		expect((error as Error).message).toContain("insecureNoEncryption");
	});

	it("runs without encryption only with the explicit insecure flag, warning once", async () => {
		const p = randomPrefix();
		const logger = recordingLogger();
		const insecure = await store({ insecureNoEncryption: true }, p, logger);
		expect(insecure.capabilities.encryptsAtRest).toBe(false);
		const id = randomUUID();
		await insecure.set(id, { token: "plain-canary" }, { version: 1 });
		expect(await insecure.get(id)).toEqual({ values: { token: "plain-canary" }, version: 1 });
		const warnings = logger.lines.filter((l) => l.level === "warn");
		expect(warnings).toHaveLength(1);
		expect(warnings[0]!.message).toContain("INSECURE");
		const row = await table(p).where({ id }).first("envelope", "key_id");
		expect(row.envelope).toContain("plain-canary");
		expect(row.key_id).toBe("");
		// A store with a key refuses to read a plaintext row (anyone could have planted it)...
		const keyedLogger = recordingLogger();
		const keyed = await store({ keys: `k1:${A}` }, p, keyedLogger);
		await keyed.init();
		expect(keyedLogger.lines.some((l) => /without encryption/.test(l.message))).toBe(true);
		await expect(keyed.get(id)).rejects.toThrow(/stored without encryption/);
		// ...until re-encryption encrypts it.
		const report = await reencrypt(
			{ knex: fixture.knex, keys: `k1:${A}`, tablePrefix: `${fixture.prefix}${p}` },
			{ deploymentId: "keys" },
		);
		expect(report).toEqual({ scanned: 1, reencrypted: 1, skipped: 0, failed: 0 });
		expect(await keyed.get(id)).toEqual({ values: { token: "plain-canary" }, version: 1 });
		expect((await table(p).where({ id }).first("envelope")).envelope).not.toContain("plain-canary");
	});

	it("rotates keys: the new key writes, the old one still reads, reencrypt moves every row", async () => {
		const p = randomPrefix();
		const old = await store({ keys: [{ id: "k1", key: A }] }, p);
		const ids = Array.from({ length: 25 }, () => randomUUID());
		for (const [i, id] of ids.entries()) await old.set(id, { n: String(i) }, { version: 1 });
		const rotated = await store({ keys: `k2:${B},k1:${A}` }, p);
		for (const [i, id] of ids.entries())
			expect((await rotated.get(id))?.values).toEqual({ n: String(i) });
		const fresh = randomUUID();
		await rotated.set(fresh, { n: "new" }, { version: 1 });
		expect((await table(p).where({ id: fresh }).first("key_id")).key_id).toBe("k2");
		const progress: { done: number; total: number }[] = [];
		const report = await reencrypt(
			{ knex: fixture.knex, keys: `k2:${B},k1:${A}`, tablePrefix: `${fixture.prefix}${p}` },
			{ deploymentId: "keys", batchSize: 10, onProgress: (x) => progress.push(x) },
		);
		expect(report).toEqual({ scanned: 25, reencrypted: 25, skipped: 0, failed: 0 });
		expect(progress.map((x) => x.done)).toEqual([10, 20, 25]);
		expect(progress.every((x) => x.total === 25)).toBe(true);
		expect(Number((await table(p).where({ key_id: "k1" }).count({ n: "*" }))[0]!.n)).toBe(0);
		// The old key can go now.
		const only = await store({ keys: `k2:${B}` }, p);
		for (const [i, id] of ids.entries())
			expect((await only.get(id))?.values).toEqual({ n: String(i) });
		// A ring without the new key cannot read, and says which key is missing.
		const logger = recordingLogger();
		const stale = await store({ keys: `k1:${A}` }, p, logger);
		await stale.init();
		expect(logger.lines.some((l) => l.message.includes("`k2`"))).toBe(true);
		await expect(stale.get(ids[0]!)).rejects.toBeInstanceOf(DecryptionError);
		await expect(stale.get(ids[0]!)).rejects.toThrow(/not in the key ring/);
	});

	it("re-encrypts safely while the store is written to: no write is lost", async () => {
		const p = randomPrefix();
		const old = await store({ keys: `k1:${A}` }, p);
		const ids = Array.from({ length: 30 }, () => randomUUID());
		for (const id of ids) await old.set(id, { v: "old" }, { version: 1 });
		const raw = await createSqlValuesStore(
			{ knex: fixture.knex, keys: `k2:${B},k1:${A}`, tablePrefix: `${fixture.prefix}${p}` },
			{ deploymentId: "keys", logger: recordingLogger() },
		);
		await raw.init?.();
		const writer = await store({ keys: `k2:${B},k1:${A}` }, p);
		const [report] = await Promise.all([
			raw.reencrypt({ batchSize: 5 }),
			Promise.all(ids.map((id, i) => writer.set(id, { v: `new-${i}` }, { version: 2 }))),
		]);
		expect(report.reencrypted + report.skipped).toBe(report.scanned);
		expect(report.failed).toBe(0);
		for (const [i, id] of ids.entries())
			expect(await writer.get(id)).toEqual({ values: { v: `new-${i}` }, version: 2 });
		expect(Number((await table(p).where({ key_id: "k1" }).count({ n: "*" }))[0]!.n)).toBe(0);
		await raw.close();
	});

	it("counts rows it cannot decrypt as failed and leaves them", async () => {
		const p = randomPrefix();
		const old = await store({ keys: `k1:${A}` }, p);
		const id = randomUUID();
		await old.set(id, { v: "x" }, { version: 1 });
		const logger = recordingLogger();
		const report = await reencrypt(
			{ knex: fixture.knex, keys: `k2:${B}`, tablePrefix: `${fixture.prefix}${p}` },
			{ deploymentId: "keys", logger },
		);
		expect(report).toEqual({ scanned: 1, reencrypted: 0, skipped: 0, failed: 1 });
		expect(logger.lines.some((l) => l.level === "warn" && l.fields?.id === id)).toBe(true);
		expect((await old.get(id))?.values).toEqual({ v: "x" });
	});
});
