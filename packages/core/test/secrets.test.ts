/**
 * `createSecrets` behaviour beyond the Secrets conformance suite (which lives in
 * @strongbox/testkit and runs on these same memory parts): configuration, callers, the
 * size limit, failure undo, several back-ends, and health.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
	createMemoryStore,
	createSecrets,
	ForbiddenError,
	memoryCatalog,
	PayloadTooLargeError,
	SecretExistsError,
	SecretNotFoundError,
	StoreConfigError,
	StoreError,
	StoreUnavailableError,
	ValidationError,
} from "../src/index.js";

function setup(options: { maxValueBytes?: number; storeMax?: number } = {}) {
	const catalog = memoryCatalog();
	const store = createMemoryStore(options.storeMax ? { maxValueBytes: options.storeMax } : {});
	const secrets = createSecrets({
		catalog,
		store,
		caller: { user: "alice", workspace: "ws-a" },
		...(options.maxValueBytes ? { maxValueBytes: options.maxValueBytes } : {}),
	});
	return { catalog, store, secrets };
}

describe("configuration", () => {
	it("needs a catalog and a store, and distinct store names", () => {
		expect(() => createSecrets({} as never)).toThrow(StoreConfigError);
		const catalog = memoryCatalog();
		expect(() =>
			createSecrets({ catalog, store: createMemoryStore(), stores: [createMemoryStore()] }),
		).toThrow(/Two stores are named `memory`/);
	});

	it("validates callers", () => {
		const { secrets } = setup();
		expect(() => secrets.as({ user: "a b", workspace: "ws-a" })).toThrow(ValidationError);
		expect(() => secrets.as({ user: "bob", workspace: "" })).toThrow(ValidationError);
		expect(() =>
			createSecrets({
				catalog: memoryCatalog(),
				store: createMemoryStore(),
				caller: { user: "alice", workspace: "bad workspace" },
			}),
		).toThrow(ValidationError);
	});

	it("defaults to a local caller who sees every workspace", async () => {
		const secrets = createSecrets({ catalog: memoryCatalog(), store: createMemoryStore() });
		expect(secrets.caller).toMatchObject({ user: "local", workspace: "default", workspaces: "*" });
		const s = await secrets.createSecret({ name: "db", values: { a: "1" }, workspace: "other" });
		expect((await secrets.getSecret(s.id)).workspace).toBe("other");
	});
});

describe("callers", () => {
	it("a trusted system caller sees user-scoped secrets of everyone", async () => {
		const { secrets } = setup();
		const mine = await secrets.createSecret({ name: "db", values: { a: "1" }, scope: "user" });
		const system = secrets.as({ user: "reconciler", workspace: "ws-a", system: true });
		expect((await system.getSecret(mine.id)).owner).toBe("alice");
		expect((await system.listSecrets({ owner: "alice" })).total).toBe(1);
		await expect(
			secrets.as({ user: "bob", workspace: "ws-a" }).getSecret(mine.id),
		).rejects.toBeInstanceOf(SecretNotFoundError);
	});

	it("a caller may belong to several workspaces", async () => {
		const { secrets } = setup();
		const both = secrets.as({ user: "dan", workspace: "ws-a", workspaces: ["ws-a", "ws-b"] });
		const inB = await both.createSecret({ name: "db", values: { a: "1" }, workspace: "ws-b" });
		expect((await both.getSecretByName("db", { workspace: "ws-b" })).id).toBe(inB.id);
		await expect(
			both.createSecret({ name: "db", values: { a: "1" }, workspace: "ws-c" }),
		).rejects.toBeInstanceOf(ForbiddenError);
	});
});

describe("size limit", () => {
	it("is the smaller of the configured limit and the store's", async () => {
		for (const options of [
			{ maxValueBytes: 100 },
			{ storeMax: 100 },
			{ maxValueBytes: 100, storeMax: 500 },
		]) {
			const { secrets, store } = setup(options);
			await secrets.createSecret({ name: "ok", values: { v: "x".repeat(92) } });
			await expect(
				secrets.createSecret({ name: "big", values: { v: "x".repeat(93) } }),
			).rejects.toBeInstanceOf(PayloadTooLargeError);
			expect(store.control.data.size).toBe(1);
		}
	});
});

describe("when the back-end fails", () => {
	it("a failed create whose undo also fails stays pending until reconciliation frees the name", async () => {
		// The values may have landed before the failure, so the row is kept to find them.
		let clock = Date.parse("2026-03-01T10:00:00Z");
		const store = createMemoryStore();
		const secrets = createSecrets({ catalog: memoryCatalog(), store, now: () => new Date(clock) });
		store.control.unavailable = true;
		await expect(secrets.createSecret({ name: "db", values: { a: "1" } })).rejects.toBeInstanceOf(
			StoreUnavailableError,
		);
		store.control.unavailable = false;
		await expect(secrets.getSecretByName("db")).rejects.toBeInstanceOf(SecretNotFoundError);
		await expect(secrets.createSecret({ name: "db", values: { a: "2" } })).rejects.toBeInstanceOf(
			SecretExistsError,
		);
		clock += 60_000;
		expect(await secrets.reconcile()).toMatchObject({ rolledBack: 1, deferred: 0 });
		expect((await secrets.createSecret({ name: "db", values: { a: "2" } })).version).toBe(1);
	});

	it("a failed create is undone at once when the back-end answers the undo", async () => {
		const { secrets, store, catalog } = setup();
		let failures = 1;
		const set = store.set.bind(store);
		store.set = async (...args) => {
			if (failures-- > 0) throw new StoreUnavailableError("flaky");
			return set(...args);
		};
		await expect(secrets.createSecret({ name: "db", values: { a: "1" } })).rejects.toBeInstanceOf(
			StoreUnavailableError,
		);
		expect(await catalog.listUnsettled(new Date(Date.now() + 60_000), 10)).toEqual([]);
		expect((await secrets.createSecret({ name: "db", values: { a: "2" } })).version).toBe(1);
	});

	it("a failed update is undone and a failed delete keeps the secret", async () => {
		const { secrets, store, catalog } = setup();
		const s = await secrets.createSecret({ name: "db", values: { a: "1" } });
		store.control.unavailable = true;
		await expect(secrets.updateSecret(s.id, { values: { a: "2" } })).rejects.toBeInstanceOf(
			StoreUnavailableError,
		);
		await expect(secrets.deleteSecret(s.id)).rejects.toBeInstanceOf(StoreUnavailableError);
		await expect(secrets.getSecret(s.id)).rejects.toBeInstanceOf(StoreUnavailableError);
		await expect(secrets.verify()).rejects.toBeInstanceOf(StoreUnavailableError);
		// Metadata needs no back-end.
		expect((await secrets.getSecretMetadata(s.id)).version).toBe(1);
		store.control.unavailable = false;
		expect(await catalog.get(s.id)).toMatchObject({ state: "active", pending: null, version: 1 });
		expect(await secrets.getSecret(s.id)).toMatchObject({ version: 1, values: { a: "1" } });
		await secrets.verify();
	});

	it("values missing from the back-end are a StoreError, not 'not found'", async () => {
		const { secrets, store } = setup();
		const s = await secrets.createSecret({ name: "db", values: { a: "1" } });
		store.control.data.delete(s.id);
		const error = await secrets.getSecret(s.id).catch((e) => e);
		expect(error).toBeInstanceOf(StoreError);
		expect(error).not.toBeInstanceOf(SecretNotFoundError);
		expect(error.details).toMatchObject({ reason: "values-missing" });
	});
});

describe("several back-ends", () => {
	it("reads each secret from the back-end its row names", async () => {
		const catalog = memoryCatalog();
		const old = createMemoryStore({ name: "old" });
		const caller = { user: "alice", workspace: "ws-a" };
		const before = createSecrets({ catalog, store: old, caller });
		const a = await before.createSecret({ name: "a", values: { k: "old" } });
		const current = createMemoryStore({ name: "new" });
		const after = createSecrets({ catalog, store: current, stores: [old], caller });
		const b = await after.createSecret({ name: "b", values: { k: "new" } });
		expect(b.backend).toBe("new");
		expect((await after.getSecrets([a.id, b.id])).map((s) => [s.backend, s.values.k])).toEqual([
			["old", "old"],
			["new", "new"],
		]);
		expect(after.storeFor("old")).toBe(old);
		expect(() => after.storeFor("gone")).toThrow(StoreConfigError);
		const without = createSecrets({ catalog, store: current, caller });
		await expect(without.getSecret(a.id)).rejects.toThrow(
			/back-end `old`, which is not configured/,
		);
	});
});

describe("start-up", () => {
	it("a failing reconciliation at start-up is logged, not thrown", async () => {
		const warnings: string[] = [];
		const store = createMemoryStore();
		const catalog = memoryCatalog();
		const stale = new Date(Date.now() - 3_600_000);
		await catalog.insertPending({
			id: randomUUID(),
			name: "left",
			scope: "workspace",
			workspace: "ws-a",
			owner: null,
			keys: [],
			backend: "memory",
			now: stale,
		});
		const logger = {
			debug() {},
			info() {},
			error() {},
			warn: (m: string) => void warnings.push(m),
		};
		const failing = {
			...catalog,
			listUnsettled: async () => Promise.reject(new StoreUnavailableError("down")),
		};
		const secrets = createSecrets({ catalog: failing, store, logger });
		await secrets.init();
		expect(warnings).toEqual(["Reconciliation at start-up failed; it will be retried."]);
	});
});
