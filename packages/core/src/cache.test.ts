import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { catalogOf } from "../test/counting.js";
import { withCache } from "./cache.js";
import { ConflictError, SecretNotFoundError, ValidationError } from "./errors.js";
import { createMemoryStore, memoryCatalog } from "./memory.js";
import { createSecrets } from "./secrets.js";
import type { Secrets } from "./types.js";

const CANARY = "canary-cache-5d1b";

function clock(start = Date.UTC(2026, 0, 1)) {
	let t = start;
	return {
		now: () => new Date(t),
		ms: () => t,
		advance(ms: number) {
			t += ms;
		},
	};
}

describe("the runtime cache (createSecrets option `cache`)", () => {
	it("serves repeated reads from memory and counts hits and misses", async () => {
		const { secrets, raw } = catalogOf({ cache: { ttlMs: 60_000, max: 100 } });
		const s = await secrets.createSecret({ name: "db", values: { user: CANARY } });
		raw.reset();
		expect((await secrets.getSecret(s.id)).values).toEqual({ user: CANARY });
		expect((await secrets.getSecret(s.id)).values).toEqual({ user: CANARY });
		expect((await secrets.getSecretByName("db")).values).toEqual({ user: CANARY });
		expect(raw.calls).toEqual({ get: 1, idsRead: 1 });
		expect(secrets.cache!.stats()).toMatchObject({ hits: 2, misses: 1, size: 1, max: 100 });
		const printed = [
			inspect(secrets.cache),
			JSON.stringify(secrets.cache!.stats()),
			inspect(secrets),
		];
		expect(printed.join("\n")).not.toContain(CANARY);
	});

	it("has no cache unless asked", async () => {
		const { secrets, raw } = catalogOf();
		const s = await secrets.createSecret({ name: "db", values: { a: "1" } });
		await secrets.getSecret(s.id);
		await secrets.getSecret(s.id);
		expect(secrets.cache).toBeUndefined();
		expect(raw.calls.get).toBe(2);
	});

	it("expires entries after ttlMs (injected clock)", async () => {
		const c = clock();
		const { secrets, raw } = catalogOf({ cache: { ttlMs: 1000, max: 10 }, now: c.now });
		const s = await secrets.createSecret({ name: "db", values: { a: "1" } });
		raw.reset();
		await secrets.getSecret(s.id);
		c.advance(999);
		await secrets.getSecret(s.id);
		expect(raw.calls.get).toBe(1);
		c.advance(1);
		await secrets.getSecret(s.id);
		expect(raw.calls.get).toBe(2);
	});

	it("evicts the least recently used entry beyond max", async () => {
		const { secrets, raw } = catalogOf({ cache: { ttlMs: 60_000, max: 2 } });
		const [a, b, c] = await Promise.all(
			["a", "b", "c"].map((name) => secrets.createSecret({ name, values: { k: name } })),
		);
		raw.reset();
		await secrets.getSecret(a!.id);
		await secrets.getSecret(b!.id);
		await secrets.getSecret(a!.id); // a is now the most recently used
		await secrets.getSecret(c!.id); // evicts b
		expect(raw.calls.get).toBe(3);
		await secrets.getSecret(a!.id);
		expect(raw.calls.get).toBe(3);
		await secrets.getSecret(b!.id);
		expect(raw.calls.get).toBe(4);
		expect(secrets.cache!.stats()).toMatchObject({ size: 2, evictions: 2 });
	});

	it("serves getSecrets from the cache and bulk-reads only what is missing", async () => {
		const { secrets, raw } = catalogOf({ cache: { ttlMs: 60_000, max: 100 } });
		const ids = [];
		for (const name of ["a", "b", "c"])
			ids.push((await secrets.createSecret({ name, values: { k: name } })).id);
		raw.reset();
		await secrets.getSecrets(ids);
		expect(raw.calls).toEqual({ getMany: 1, idsRead: 3 });
		expect((await secrets.getSecrets(ids)).map((s) => s.values.k)).toEqual(["a", "b", "c"]);
		expect(raw.calls).toEqual({ getMany: 1, idsRead: 3 });
		await secrets.updateSecret(ids[1]!, { values: { k: "B" } });
		raw.reset();
		expect((await secrets.getSecrets(ids)).map((s) => s.values.k)).toEqual(["a", "B", "c"]);
		expect(raw.calls).toEqual({ getMany: 1, idsRead: 1 });
	});

	it("is invalidated by every write and delete through the runtime, and on demand", async () => {
		const { secrets, raw } = catalogOf({ cache: { ttlMs: 60_000, max: 100 } });
		const s = await secrets.createSecret({ name: "db", values: { a: "1" } });
		await secrets.getSecret(s.id);
		expect(secrets.cache!.stats().size).toBe(1);
		await secrets.updateSecret(s.id, { values: { a: "2" } });
		// Dropped at once, not merely outdated by its version.
		expect(secrets.cache!.stats().size).toBe(0);
		expect((await secrets.getSecret(s.id)).values).toEqual({ a: "2" });
		const renamed = await secrets.updateSecret(s.id, { name: "db2" });
		expect((await secrets.getSecret(s.id)).name).toBe("db2");
		expect(renamed.version).toBe(3);
		raw.reset();
		await secrets.getSecret(s.id);
		expect(raw.calls.get ?? 0).toBe(0);
		secrets.cache!.invalidate(s.id);
		await secrets.getSecret(s.id);
		expect(raw.calls.get).toBe(1);
		secrets.cache!.clear();
		expect(secrets.cache!.stats().size).toBe(0);
		await secrets.getSecret(s.id);
		await secrets.deleteSecret(s.id);
		expect(secrets.cache!.stats().size).toBe(0);
		await expect(secrets.getSecret(s.id)).rejects.toBeInstanceOf(SecretNotFoundError);
	});

	it("never serves stale values after a write made by another runtime over the same catalog", async () => {
		const catalog = memoryCatalog();
		const store = createMemoryStore();
		const first = createSecrets({
			catalog,
			store,
			cache: { ttlMs: 24 * 60 * 60 * 1000, max: 100 },
		});
		const second = createSecrets({ catalog, store, cache: { ttlMs: 60_000, max: 100 } });
		const s = await first.createSecret({ name: "db", values: { password: "old" } });
		expect((await first.getSecret(s.id)).values.password).toBe("old");
		await second.updateSecret(s.id, { values: { password: "new" } });
		expect((await first.getSecret(s.id)).values.password).toBe("new");
		expect((await first.getSecrets([s.id]))[0]!.values.password).toBe("new");
		await second.updateSecret(s.id, { values: { password: "newer" } });
		expect((await first.getSecretByName("db")).values.password).toBe("newer");
		expect((await first.updateSecret(s.id, { values: { extra: "x" } })).values).toEqual({
			password: "newer",
			extra: "x",
		});
		await second.deleteSecret(s.id);
		await expect(first.getSecret(s.id)).rejects.toBeInstanceOf(SecretNotFoundError);
	});

	it("sits below the access checks: an entry is never served to a caller who cannot see it", async () => {
		const { secrets } = catalogOf({ cache: { ttlMs: 60_000, max: 100 } });
		const mine = await secrets.createSecret({ name: "db", values: { a: CANARY }, scope: "user" });
		await secrets.getSecret(mine.id);
		const bob = secrets.as({ user: "bob", workspace: "ws-a" });
		await expect(bob.getSecret(mine.id)).rejects.toBeInstanceOf(SecretNotFoundError);
		await expect(bob.getSecretByName("db")).rejects.toBeInstanceOf(SecretNotFoundError);
		expect(await bob.getSecrets([mine.id])).toEqual([]);
		expect(bob.cache).toBe(secrets.cache);
	});

	it("hands out copies, so a caller cannot change what it holds", async () => {
		const { secrets } = catalogOf({ cache: { ttlMs: 60_000, max: 100 } });
		const s = await secrets.createSecret({ name: "db", values: { a: "1" } });
		(await secrets.getSecret(s.id)).values.a = "changed";
		(await secrets.getSecret(s.id)).values.a = "changed again";
		expect((await secrets.getSecret(s.id)).values).toEqual({ a: "1" });
	});

	it("validates its options", () => {
		const error = (() => {
			try {
				catalogOf({ cache: { ttlMs: 0, max: 1.5 } });
			} catch (e) {
				return e as ValidationError;
			}
		})();
		expect(error).toBeInstanceOf(ValidationError);
		expect(error!.issues.map((i) => i.path)).toEqual(["cache.ttlMs", "cache.max"]);
	});
});

/** Counts the calls a `Secrets` receives. */
function counting(secrets: Secrets) {
	const calls: Record<string, number> = {};
	const proxy = new Proxy(secrets, {
		get(target, prop, receiver) {
			const value = Reflect.get(target, prop, receiver);
			if (typeof value !== "function") return value;
			return (...args: unknown[]) => {
				calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
				return value.apply(target, args);
			};
		},
	}) as Secrets;
	return { proxy, calls };
}

describe("withCache (per-caller read-through cache)", () => {
	function setup(options: { ttlMs?: number; max?: number } = {}) {
		const c = clock();
		const { secrets } = catalogOf();
		const { proxy, calls } = counting(secrets);
		const cached = withCache(proxy, {
			ttlMs: options.ttlMs ?? 60_000,
			max: options.max ?? 100,
			now: c.ms,
		});
		return { secrets, cached, calls, clock: c };
	}

	it("serves every read kind from memory after the first", async () => {
		const { secrets, cached, calls } = setup();
		const s = await secrets.createSecret({ name: "db", values: { user: CANARY } });
		await cached.getSecretByName("db");
		expect((await cached.getSecretByName("db")).values).toEqual({ user: CANARY });
		expect((await cached.getSecret(s.id)).values).toEqual({ user: CANARY });
		expect((await cached.getSecretMetadata(s.id)).name).toBe("db");
		expect((await cached.getSecretMetadataByName("db")).id).toBe(s.id);
		expect((await cached.getSecrets([s.id, s.id])).map((x) => x.id)).toEqual([s.id, s.id]);
		expect(calls).toEqual({ getSecretByName: 1 });
		expect(cached.cache.stats()).toMatchObject({ hits: 5, misses: 1, size: 1, names: 1 });
		const printed = [
			inspect(await cached.getSecret(s.id)),
			JSON.stringify(await cached.getSecret(s.id)),
			inspect(cached.cache),
			JSON.stringify(cached.cache.stats()),
		];
		expect(printed.join("\n")).not.toContain(CANARY);
	});

	it("fetches only the missing ids of getSecrets, in one call", async () => {
		const { secrets, cached, calls } = setup();
		const a = await secrets.createSecret({ name: "a", values: { k: "a" } });
		const b = await secrets.createSecret({ name: "b", values: { k: "b" } });
		await cached.getSecret(a.id);
		expect((await cached.getSecrets([b.id, a.id])).map((s) => s.values.k)).toEqual(["b", "a"]);
		expect(calls).toEqual({ getSecret: 1, getSecrets: 1 });
		await cached.getSecrets([a.id, b.id]);
		expect(calls.getSecrets).toBe(1);
	});

	it("does not serve metadata reads as values reads", async () => {
		const { secrets, cached, calls } = setup();
		const s = await secrets.createSecret({ name: "db", values: { k: "v" } });
		await cached.getSecretMetadataByName("db");
		expect((await cached.getSecretByName("db")).values).toEqual({ k: "v" });
		expect((await cached.getSecretMetadata(s.id)).keys).toEqual(["k"]);
		expect(calls).toEqual({ getSecretMetadataByName: 1, getSecretByName: 1 });
	});

	it("expires after ttlMs and evicts the least recently used", async () => {
		const { secrets, cached, calls, clock: c } = setup({ ttlMs: 1000, max: 2 });
		const ids = [];
		for (const name of ["a", "b", "c"])
			ids.push((await secrets.createSecret({ name, values: { k: name } })).id);
		await cached.getSecret(ids[0]!);
		c.advance(1000);
		await cached.getSecret(ids[0]!);
		expect(calls.getSecret).toBe(2);
		await cached.getSecret(ids[1]!);
		await cached.getSecret(ids[0]!);
		await cached.getSecret(ids[2]!); // evicts ids[1]
		expect(calls.getSecret).toBe(4);
		await cached.getSecret(ids[0]!);
		expect(calls.getSecret).toBe(4);
		await cached.getSecret(ids[1]!);
		expect(calls.getSecret).toBe(5);
	});

	it("drops what a write through it touches, failed writes included", async () => {
		const { cached, calls } = setup();
		const s = await cached.createSecret({ name: "db", values: { a: "1" } });
		expect((await cached.getSecret(s.id)).values).toEqual({ a: "1" });
		expect(calls.getSecret ?? 0).toBe(0);
		await cached.updateSecret(s.id, { values: { a: "2" } });
		expect((await cached.getSecret(s.id)).values).toEqual({ a: "2" });
		await expect(
			cached.updateSecret(s.id, { values: { a: "3" }, expectedVersion: 1 }),
		).rejects.toBeInstanceOf(ConflictError);
		const before = calls.getSecret ?? 0;
		await cached.getSecret(s.id);
		expect(calls.getSecret).toBe(before + 1);
		await cached.deleteSecret(s.id);
		await expect(cached.getSecret(s.id)).rejects.toBeInstanceOf(SecretNotFoundError);
	});

	it("drops the name lookups a create, rename or scope change may shadow or redirect", async () => {
		const { secrets, cached } = setup();
		const shared = await secrets.createSecret({ name: "db", values: { who: "workspace" } });
		expect((await cached.getSecretByName("db")).values.who).toBe("workspace");
		// A user-scoped secret of the same name now comes first for this caller.
		const mine = await cached.createSecret({ name: "db", values: { who: "user" }, scope: "user" });
		expect((await cached.getSecretByName("db")).values.who).toBe("user");
		await cached.updateSecret(mine.id, { name: "mine" });
		expect((await cached.getSecretByName("db")).values.who).toBe("workspace");
		expect((await cached.getSecretByName("mine")).id).toBe(mine.id);
		await cached.updateSecret(shared.id, { name: "other" });
		await expect(cached.getSecretByName("db")).rejects.toBeInstanceOf(SecretNotFoundError);
		await cached.updateSecret(mine.id, { name: "db" });
		expect((await cached.getSecretMetadataByName("db")).id).toBe(mine.id);
		await cached.updateSecret(mine.id, { scope: "workspace" });
		expect((await cached.getSecretByName("db", { scope: "workspace" })).id).toBe(mine.id);
	});

	it("sees writes made elsewhere after ttlMs, or at once after invalidate", async () => {
		const { secrets, cached, clock: c } = setup({ ttlMs: 1000 });
		const s = await secrets.createSecret({ name: "db", values: { a: "1" } });
		await cached.getSecret(s.id);
		await secrets.updateSecret(s.id, { values: { a: "2" } });
		expect((await cached.getSecret(s.id)).values.a).toBe("1");
		cached.cache.invalidate(s.id);
		expect((await cached.getSecret(s.id)).values.a).toBe("2");
		await secrets.updateSecret(s.id, { values: { a: "3" } });
		c.advance(1000);
		expect((await cached.getSecret(s.id)).values.a).toBe("3");
		cached.cache.invalidate();
		expect(cached.cache.stats()).toMatchObject({ size: 0, names: 0 });
	});

	it("keeps callers apart: one wrapper per caller, nothing shared", async () => {
		const { secrets } = setup();
		const aliceCache = withCache(secrets, { ttlMs: 60_000, max: 10 });
		const bobCache = withCache(secrets.as({ user: "bob", workspace: "ws-a" }), {
			ttlMs: 60_000,
			max: 10,
		});
		const mine = await secrets.createSecret({ name: "db", values: { a: CANARY }, scope: "user" });
		await aliceCache.getSecret(mine.id);
		await aliceCache.getSecretByName("db");
		await expect(bobCache.getSecret(mine.id)).rejects.toBeInstanceOf(SecretNotFoundError);
		await expect(bobCache.getSecretByName("db")).rejects.toBeInstanceOf(SecretNotFoundError);
		expect(await bobCache.getSecrets([mine.id])).toEqual([]);
		expect(bobCache.cache.stats()).toMatchObject({ size: 0, names: 0 });
	});

	it("hands out copies and validates its options", async () => {
		const { secrets, cached } = setup();
		const s = await secrets.createSecret({ name: "db", values: { a: "1" } });
		(await cached.getSecret(s.id)).values.a = "changed";
		(await cached.getSecretMetadata(s.id)).keys.push("x");
		expect(await cached.getSecret(s.id)).toMatchObject({ values: { a: "1" }, keys: ["a"] });
		expect(() => withCache(secrets, { ttlMs: 1000, max: 0 })).toThrow(ValidationError);
		expect(() => withCache(secrets, { ttlMs: -1, max: 10 })).toThrow(ValidationError);
	});
});
