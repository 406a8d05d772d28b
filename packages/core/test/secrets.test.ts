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
	type ManagedStore,
	memoryCatalog,
	PayloadTooLargeError,
	SecretExistsError,
	SecretNotFoundError,
	StoreConfigError,
	StoreError,
	StorePermissionError,
	StoreUnavailableError,
	ValidationError,
	wrapStore,
} from "../src/index.js";

type Fault = "refuse" | "lose-answer" | "fail-before" | "go-down" | undefined;

/**
 * A store over `inner` whose next set/delete fails once: refused (permission), after
 * the write landed (the answer is lost), or before anything happened.
 */
function wrapWithFaults(inner: ManagedStore & { control: { unavailable: boolean } }): {
	store: ManagedStore;
	next: Fault;
} {
	const state: { store: ManagedStore; next: Fault } = { store: inner, next: undefined };
	const fail = async (act: () => Promise<unknown>) => {
		const fault = state.next;
		state.next = undefined;
		if (fault === "refuse") throw new StorePermissionError("refused");
		if (fault === "fail-before") throw new StoreUnavailableError("down before writing");
		if (fault === "go-down") {
			(inner as ManagedStore & { control: { unavailable: boolean } }).control.unavailable = true;
			throw new StoreUnavailableError("went down");
		}
		await act();
		if (fault === "lose-answer") throw new StoreUnavailableError("answer lost");
	};
	state.store = wrapStore(
		{
			set: (id, values, meta) => fail(() => inner.set(id, values, meta)),
			get: (id) => inner.get(id),
			delete: async (id) => {
				let removed = false;
				await fail(async () => {
					removed = await inner.delete(id);
				});
				return removed;
			},
			verify: () => inner.verify(),
			close: async () => {},
		},
		{ type: "memory", name: inner.name, capabilities: inner.capabilities },
	);
	return state;
}

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

	it("a write the back-end refused is undone at once", async () => {
		const { secrets, store, catalog } = setup();
		const s = await secrets.createSecret({ name: "db", values: { a: "1" } });
		// A refusal, not an ambiguous failure: nothing landed, so nothing is left pending.
		const refuse = wrapWithFaults(store);
		const refusing = createSecrets({ catalog, store: refuse.store, caller: secrets.caller });
		refuse.next = "refuse";
		await expect(refusing.updateSecret(s.id, { values: { a: "2" } })).rejects.toBeInstanceOf(
			StorePermissionError,
		);
		expect(await catalog.get(s.id)).toMatchObject({ state: "active", pending: null, version: 1 });
		refuse.next = "refuse";
		await expect(refusing.deleteSecret(s.id)).rejects.toBeInstanceOf(StorePermissionError);
		expect(await catalog.get(s.id)).toMatchObject({ state: "active", version: 1 });
		expect(await refusing.getSecret(s.id)).toMatchObject({ version: 1, values: { a: "1" } });
	});

	it("an unreachable back-end leaves the write pending for reconciliation, never half-done", async () => {
		const clock = Date.now();
		const catalog = memoryCatalog();
		const store = createMemoryStore();
		const secrets = createSecrets({
			catalog,
			store,
			caller: { user: "alice", workspace: "ws-a" },
			writeWaitMs: 0,
			now: () => new Date(clock),
		});
		const s = await secrets.createSecret({ name: "db", values: { a: "1" } });
		// The back-end goes down in the middle of the write: the values were read, the write
		// failed, and the read-back cannot tell whether it landed.
		const faults = wrapWithFaults(store);
		const downing = createSecrets({
			catalog,
			store: faults.store,
			caller: secrets.caller,
			writeWaitMs: 0,
			now: () => new Date(clock),
		});
		faults.next = "go-down";
		await expect(downing.updateSecret(s.id, { values: { a: "2" } })).rejects.toBeInstanceOf(
			StoreUnavailableError,
		);
		// Whether the write landed cannot be known: it stays pending, released (stale at once),
		// so a second write settles it first — which needs the back-end, still down.
		expect((await catalog.get(s.id))?.pending).toMatchObject({ version: 2, since: new Date(0) });
		await expect(secrets.deleteSecret(s.id)).rejects.toBeInstanceOf(StoreUnavailableError);
		await expect(secrets.getSecret(s.id)).rejects.toBeInstanceOf(StoreUnavailableError);
		await expect(secrets.verify()).rejects.toBeInstanceOf(StoreUnavailableError);
		// Metadata needs no back-end.
		expect((await secrets.getSecretMetadata(s.id)).version).toBe(1);
		store.control.unavailable = false;
		// No waiting for a timeout: the released write is settled by the next reconciliation.
		expect(await secrets.reconcile()).toMatchObject({ rolledBack: 1 });
		expect(await catalog.get(s.id)).toMatchObject({ state: "active", pending: null, version: 1 });
		expect(await secrets.getSecret(s.id)).toMatchObject({ version: 1, values: { a: "1" } });
		await secrets.verify();
	});

	it("a write whose answer was lost is completed when its values landed", async () => {
		const { secrets, store, catalog } = setup();
		const s = await secrets.createSecret({ name: "db", values: { a: "1" } });
		const faults = wrapWithFaults(store);
		const lossy = createSecrets({ catalog, store: faults.store, caller: secrets.caller });
		faults.next = "lose-answer";
		const updated = await lossy.updateSecret(s.id, { values: { a: "2" } });
		expect(updated).toMatchObject({ version: 2, values: { a: "2" } });
		expect(await catalog.get(s.id)).toMatchObject({ version: 2, valuesVersion: 2, pending: null });
		faults.next = "lose-answer";
		await lossy.deleteSecret(s.id);
		expect(await catalog.get(s.id)).toBeUndefined();
		expect(store.control.data.has(s.id)).toBe(false);
	});

	it("a write that failed without landing is undone", async () => {
		const { secrets, store, catalog } = setup();
		const s = await secrets.createSecret({ name: "db", values: { a: "1" } });
		const faults = wrapWithFaults(store);
		const failing = createSecrets({ catalog, store: faults.store, caller: secrets.caller });
		faults.next = "fail-before";
		await expect(failing.updateSecret(s.id, { values: { a: "2" } })).rejects.toBeInstanceOf(
			StoreUnavailableError,
		);
		expect(await catalog.get(s.id)).toMatchObject({ version: 1, pending: null });
		faults.next = "fail-before";
		await expect(failing.deleteSecret(s.id)).rejects.toBeInstanceOf(StoreUnavailableError);
		expect(await failing.getSecret(s.id)).toMatchObject({ version: 1, values: { a: "1" } });
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
