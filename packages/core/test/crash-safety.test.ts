/**
 * Crash safety of the two-phase write protocol: a process "dies" between two steps (from
 * that point every call of its catalog and store fails, so not even its own undo runs),
 * and a new runtime over the same catalog and back-end settles what was left.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
	type Catalog,
	ConflictError,
	createSecrets,
	createStore,
	defineStore,
	type ManagedStore,
	memoryBackend,
	memoryCatalog,
	memoryStore,
	SecretNotFoundError,
	type SecretsService,
	type SecretsStore,
	StoreError,
	silentLogger,
	wrapStore,
} from "../src/index.js";

/** Where the process dies: before a catalog step, or before/after a store write or delete. */
type KillPoint =
	| "catalog.commitCreate"
	| "catalog.commitWrite"
	| "catalog.remove"
	| "store.set:before"
	| "store.set:after"
	| "store.delete:before"
	| "store.delete:after";

class Crash extends Error {}

interface World {
	catalog: Catalog;
	backend: string;
	/** The runtime that will crash at `plan.at`. */
	doomed: SecretsService;
	plan: { at?: KillPoint; dead: boolean };
	/** A fresh runtime over the same catalog and back-end, one minute later. */
	restart(options?: { reconcileOnStart?: boolean }): Promise<SecretsService>;
}

const CALLER = { user: "alice", workspace: "ws-a" };
const T0 = Date.parse("2026-03-01T10:00:00Z");

function dying<T extends object>(target: T, prefix: string, plan: World["plan"]): T {
	return new Proxy(target, {
		get(t, prop, receiver) {
			const value = Reflect.get(t, prop, receiver);
			if (typeof value !== "function") return value;
			return (...args: unknown[]) => {
				if (plan.dead || plan.at === `${prefix}.${String(prop)}`) {
					plan.dead = true;
					return Promise.reject(new Crash("the process died"));
				}
				return value.apply(t, args);
			};
		},
	});
}

/** A raw memory store that dies before or after a write/delete, as the plan says. */
function dyingStore(raw: SecretsStore, plan: World["plan"]): SecretsStore {
	const step =
		(op: "set" | "delete") =>
		async (...args: unknown[]) => {
			if (plan.dead || plan.at === `store.${op}:before`) {
				plan.dead = true;
				throw new Crash("the process died");
			}
			const result = await (raw[op] as (...a: unknown[]) => Promise<unknown>)(...args);
			if (plan.at === `store.${op}:after`) {
				plan.dead = true;
				throw new Crash("the process died");
			}
			return result;
		};
	return new Proxy(raw, {
		get(t, prop, receiver) {
			if (prop === "set" || prop === "delete") return step(prop);
			const value = Reflect.get(t, prop, receiver);
			if (typeof value !== "function" || prop === "close") return value;
			return (...args: unknown[]) =>
				plan.dead ? Promise.reject(new Crash("dead")) : value.apply(t, args);
		},
	}) as SecretsStore;
}

async function world(): Promise<World> {
	const catalog = memoryCatalog();
	const backend = `crash-${randomUUID()}`;
	const plan: World["plan"] = { dead: false };
	const raw = await memoryStore.create(
		{ backend },
		{ deploymentId: "strongbox", logger: silentLogger },
	);
	const store = wrapStore(dyingStore(raw, plan), {
		type: "memory",
		capabilities: memoryStore.capabilities,
	});
	const doomed = createSecrets({
		catalog: dying(catalog, "catalog", plan),
		store,
		caller: CALLER,
		now: () => new Date(T0),
	});
	return {
		catalog,
		backend,
		doomed,
		plan,
		async restart(options = {}) {
			return createSecrets({
				catalog,
				store: await createStore(memoryStore, { backend }),
				caller: CALLER,
				reconcileOnStart: options.reconcileOnStart ?? false,
				now: () => new Date(T0 + 60_000),
			});
		},
	};
}

const EMPTY = { completed: 0, rolledBack: 0, deleted: 0, orphansRemoved: 0, deferred: 0 };

function stored(w: World, id: string) {
	return memoryBackend(w.backend).data.get(id);
}

describe("a crash during create", () => {
	it("before the values are written: reconcile rolls the row back and frees the name", async () => {
		const w = await world();
		w.plan.at = "store.set:before";
		await expect(w.doomed.createSecret({ name: "db", values: { p: "1" } })).rejects.toBeInstanceOf(
			StoreError,
		);
		const [row] = await w.catalog.listUnsettled(new Date(T0 + 1), 10);
		expect(row).toMatchObject({ name: "db", state: "pending" });
		const next = await w.restart();
		await expect(next.getSecretByName("db")).rejects.toBeInstanceOf(SecretNotFoundError);
		expect(await next.reconcile({ staleAfterMs: 0 })).toEqual({ ...EMPTY, rolledBack: 1 });
		expect(await w.catalog.get(row!.id)).toBeUndefined();
		expect(stored(w, row!.id)).toBeUndefined();
		expect((await next.createSecret({ name: "db", values: { p: "2" } })).version).toBe(1);
	});

	it("after the values are written: reconcile completes the create", async () => {
		const w = await world();
		w.plan.at = "store.set:after";
		await expect(w.doomed.createSecret({ name: "db", values: { p: "1" } })).rejects.toThrow();
		const next = await w.restart();
		expect(await next.reconcile({ staleAfterMs: 0 })).toEqual({ ...EMPTY, completed: 1 });
		expect(await next.getSecretByName("db")).toMatchObject({ version: 1, values: { p: "1" } });
	});

	it("before the commit: the same, the values being in the back-end", async () => {
		const w = await world();
		w.plan.at = "catalog.commitCreate";
		await expect(w.doomed.createSecret({ name: "db", values: { p: "1" } })).rejects.toBeInstanceOf(
			Crash,
		);
		const next = await w.restart();
		expect(await next.reconcile({ staleAfterMs: 0 })).toEqual({ ...EMPTY, completed: 1 });
		expect((await next.getSecretByName("db")).values).toEqual({ p: "1" });
	});

	it("a pending create younger than staleAfterMs is left alone (it may still be running)", async () => {
		const w = await world();
		w.plan.at = "store.set:before";
		await w.doomed.createSecret({ name: "db", values: { p: "1" } }).catch(() => {});
		const next = await w.restart();
		expect(await next.reconcile({ staleAfterMs: 120_000 })).toEqual(EMPTY);
		expect(await next.reconcile({ staleAfterMs: 0 })).toEqual({ ...EMPTY, rolledBack: 1 });
	});
});

describe("a crash during an update", () => {
	async function withSecret() {
		const w = await world();
		const s = await w.doomed.createSecret({ name: "db", values: { a: "1", b: "2" } });
		return { w, s };
	}

	it("before the new values are written: reconcile undoes the write and a rename made with it", async () => {
		const { w, s } = await withSecret();
		w.plan.at = "store.set:before";
		await expect(
			w.doomed.updateSecret(s.id, { name: "db2", values: { a: null } }),
		).rejects.toThrow();
		expect((await w.catalog.get(s.id))?.pending).toMatchObject({ version: 2 });
		const next = await w.restart();
		expect(await next.reconcile({ staleAfterMs: 0 })).toEqual({ ...EMPTY, rolledBack: 1 });
		expect(await next.getSecret(s.id)).toMatchObject({
			name: "db",
			version: 1,
			values: { a: "1", b: "2" },
		});
		expect((await w.catalog.get(s.id))?.pending).toBeNull();
	});

	it("after the new values are written: reads already see them, reconcile commits them", async () => {
		const { w, s } = await withSecret();
		w.plan.at = "catalog.commitWrite";
		await expect(
			w.doomed.updateSecret(s.id, { values: { a: null, c: "3" } }),
		).rejects.toBeInstanceOf(Crash);
		const next = await w.restart();
		expect(await next.getSecret(s.id)).toMatchObject({
			version: 2,
			keys: ["b", "c"],
			values: { b: "2", c: "3" },
		});
		expect(await next.reconcile({ staleAfterMs: 0 })).toEqual({ ...EMPTY, completed: 1 });
		expect(await w.catalog.get(s.id)).toMatchObject({
			version: 2,
			valuesVersion: 2,
			keys: ["b", "c"],
			pending: null,
		});
	});

	it("a stale pending write is settled inline by the next update (written: completed first)", async () => {
		const { w, s } = await withSecret();
		w.plan.at = "store.set:after";
		await w.doomed.updateSecret(s.id, { values: { b: "B" } }).catch(() => {});
		const next = await w.restart();
		const u = await next.updateSecret(s.id, { values: { c: "3" }, expectedVersion: 2 });
		expect(u).toMatchObject({ version: 3, values: { a: "1", b: "B", c: "3" } });
		expect(await next.reconcile({ staleAfterMs: 0 })).toEqual(EMPTY);
	});

	it("a stale pending write is settled inline by the next update (not written: undone first)", async () => {
		const { w, s } = await withSecret();
		w.plan.at = "store.set:before";
		await w.doomed.updateSecret(s.id, { values: { b: "B" } }).catch(() => {});
		const next = await w.restart();
		await expect(
			next.updateSecret(s.id, { values: { c: "3" }, expectedVersion: 2 }),
		).rejects.toBeInstanceOf(ConflictError);
		const u = await next.updateSecret(s.id, { values: { c: "3" } });
		expect(u).toMatchObject({ version: 2, values: { a: "1", b: "2", c: "3" } });
	});

	it("a write still in flight makes a versioned update conflict instead of waiting", async () => {
		const { w, s } = await withSecret();
		w.plan.at = "store.set:before";
		await w.doomed.updateSecret(s.id, { values: { b: "B" } }).catch(() => {});
		// Same clock as the crashed write: it is not stale yet, so it may still finish.
		const sameTime = createSecrets({
			catalog: w.catalog,
			store: await createStore(memoryStore, { backend: w.backend }),
			caller: CALLER,
			reconcileOnStart: false,
			writeWaitMs: 0,
			now: () => new Date(T0),
		});
		await expect(
			sameTime.updateSecret(s.id, { values: { c: "3" }, expectedVersion: 1 }),
		).rejects.toThrow(/being written by another request/);
		await expect(sameTime.updateSecret(s.id, { values: { c: "3" } })).rejects.toBeInstanceOf(
			ConflictError,
		);
	});
});

describe("a crash during delete", () => {
	it.each(["store.delete:before", "store.delete:after", "catalog.remove"] as const)(
		"at %s: the secret is gone at once and reconcile finishes the delete",
		async (at) => {
			const w = await world();
			const s = await w.doomed.createSecret({ name: "db", values: { a: "1" } });
			w.plan.at = at;
			await expect(w.doomed.deleteSecret(s.id)).rejects.toThrow();
			expect(await w.catalog.get(s.id)).toMatchObject({ state: "deleting" });
			const next = await w.restart();
			await expect(next.getSecret(s.id)).rejects.toBeInstanceOf(SecretNotFoundError);
			await expect(next.getSecretByName("db")).rejects.toBeInstanceOf(SecretNotFoundError);
			expect((await next.listSecrets()).total).toBe(0);
			expect(await next.reconcile({ staleAfterMs: 0 })).toEqual({ ...EMPTY, deleted: 1 });
			expect(await w.catalog.get(s.id)).toBeUndefined();
			expect(stored(w, s.id)).toBeUndefined();
		},
	);
});

describe("reconcile", () => {
	it("removes orphaned values (in the back-end, no catalog row) unless told not to", async () => {
		const w = await world();
		const next = await w.restart();
		const kept = await next.createSecret({ name: "kept", values: { a: "1" } });
		const orphan = randomUUID();
		await next.store.set(orphan, { lost: "x" }, { version: 1 });
		expect(await next.reconcile({ orphans: false })).toEqual(EMPTY);
		expect(stored(w, orphan)).toBeDefined();
		expect(await next.reconcile()).toEqual({ ...EMPTY, orphansRemoved: 1 });
		expect(stored(w, orphan)).toBeUndefined();
		expect((await next.getSecret(kept.id)).values).toEqual({ a: "1" });
	});

	it("defers what it cannot settle while the back-end is down, and settles it later", async () => {
		const w = await world();
		w.plan.at = "store.set:after";
		await w.doomed.createSecret({ name: "db", values: { p: "1" } }).catch(() => {});
		const next = await w.restart();
		memoryBackend(w.backend).unavailable = true;
		try {
			expect(await next.reconcile({ staleAfterMs: 0 })).toEqual({ ...EMPTY, deferred: 2 });
		} finally {
			memoryBackend(w.backend).unavailable = false;
		}
		expect(await next.reconcile({ staleAfterMs: 0 })).toEqual({ ...EMPTY, completed: 1 });
	});

	it("settles everything interrupted when a runtime starts", async () => {
		const w = await world();
		const s = await w.doomed.createSecret({ name: "db", values: { a: "1" } });
		w.plan.at = "catalog.commitWrite";
		await w.doomed.updateSecret(s.id, { values: { a: "2" } }).catch(() => {});
		const next = await w.restart({ reconcileOnStart: true });
		await next.init();
		expect(await w.catalog.get(s.id)).toMatchObject({ version: 2, pending: null });
		expect(await next.reconcile({ staleAfterMs: 0 })).toEqual(EMPTY);
	});
});

describe("close", () => {
	it("closes the catalog and every store once, and refuses calls afterwards", async () => {
		const closed: string[] = [];
		const counting = (name: string) =>
			defineStore({
				type: "memory",
				configSchema: memoryStore.configSchema,
				capabilities: memoryStore.capabilities,
				async create(options, ctx) {
					const raw = await memoryStore.create(options, ctx);
					return { ...raw, close: async () => void closed.push(name) };
				},
			});
		const catalog = memoryCatalog();
		const primary: ManagedStore = await createStore(counting("primary"), {}, { name: "primary" });
		const old: ManagedStore = await createStore(counting("old"), {}, { name: "old" });
		const secrets = createSecrets({
			catalog: { ...catalog, close: async () => void closed.push("catalog") },
			store: primary,
			stores: [old],
		});
		await secrets.createSecret({ name: "db", values: { a: "1" } });
		const first = secrets.close();
		expect(secrets.close()).toBe(first);
		await first;
		await secrets.close();
		expect(closed.sort()).toEqual(["catalog", "old", "primary"]);
		await expect(secrets.listSecrets()).rejects.toThrow(/closed/);
		await expect(secrets.createSecret({ name: "x", values: {} })).rejects.toBeInstanceOf(
			StoreError,
		);
	});
});
