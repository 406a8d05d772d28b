import { randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { recordingStore, schema } from "../test/support.js";
import {
	ConflictError,
	PayloadTooLargeError,
	StoreClosedError,
	StoreConfigError,
	StoreError,
	StoreUnavailableError,
	ValidationError,
} from "./errors.js";
import { createStore, type StoreCallEvent, validateStoreOptions, wrapStore } from "./runtime.js";
import {
	DEFAULT_CAPABILITIES,
	defineStore,
	type SecretsStore,
	type StoreContext,
} from "./store.js";

const TOKEN = "sbcanary-token-0d1e";

function managed(overrides: Partial<SecretsStore> = {}, capabilities = {}) {
	const rec = recordingStore(overrides);
	const events: StoreCallEvent[] = [];
	const store = wrapStore(rec.raw, {
		type: "test",
		capabilities: { ...DEFAULT_CAPABILITIES, ...capabilities },
		observe: (e) => events.push(e),
	});
	return { ...rec, store, events };
}

describe("validateStoreOptions", () => {
	const definition = defineStore({
		type: "acme",
		configSchema: schema((value) => {
			const v = (value ?? {}) as Record<string, unknown>;
			const issues = [];
			if (typeof v.region !== "string") issues.push({ message: "Required", path: ["region"] });
			if (v.port !== undefined && typeof v.port !== "number")
				issues.push({ message: "Expected a number", path: [{ key: "port" }] });
			if (v.auth !== undefined) issues.push({ message: "Unknown key", path: ["auth", "token"] });
			if (Array.isArray(value)) issues.push({ message: "Expected an object" });
			return issues;
		}),
		create: () => recordingStore().raw,
	});

	it("lists every problem at once, by path, without quoting option values", async () => {
		const error = await validateStoreOptions(definition, {
			port: "80",
			auth: { token: TOKEN },
		}).catch((e) => e);
		expect(error).toBeInstanceOf(StoreConfigError);
		expect(error.message).toBe(
			"[store-acme] Invalid options (3 problems):\n  - region: Required\n  - port: Expected a number\n  - auth.token: Unknown key",
		);
		expect(error.details.issues).toHaveLength(3);
		expect(`${JSON.stringify(error)}${inspect(error, { depth: Infinity })}`).not.toContain(TOKEN);
	});

	it("names the options themselves when an issue has no path, and returns the value when valid", async () => {
		const error = await validateStoreOptions(definition, []).catch((e) => e);
		expect(error.message).toMatch(/\(options\): Expected an object/);
		expect(await validateStoreOptions(definition, { region: "eu" })).toEqual({ region: "eu" });
	});
});

describe("createStore", () => {
	it("hands the store its validated options and a context", async () => {
		let seen: { options: unknown; context: StoreContext } | undefined;
		const definition = defineStore({
			type: "acme",
			configSchema: schema(),
			capabilities: { maxValueBytes: 1000, bulkGet: true },
			create(options, context) {
				seen = { options, context };
				return { ...recordingStore().raw, capabilities: { maxValueBytes: 500 } };
			},
		});
		const store = await createStore(
			definition,
			{ region: "eu" },
			{ deploymentId: "dep-1", dataDir: "/tmp/x", name: "primary" },
		);
		expect(seen?.options).toEqual({ region: "eu" });
		expect(seen?.context).toMatchObject({ deploymentId: "dep-1", dataDir: "/tmp/x" });
		expect(typeof seen?.context.logger.warn).toBe("function");
		expect(store).toMatchObject({ name: "primary", type: "acme" });
		// Per-instance overrides win over the definition's declaration.
		expect(store.capabilities).toMatchObject({ maxValueBytes: 500, bulkGet: true });
		const plain = await createStore(definition, {});
		expect(seen?.context.deploymentId).toBe("strongbox");
		expect(plain.name).toBe("acme");
	});

	it("turns a failing create into StoreConfigError with a safe cause; typed errors pass", async () => {
		const failing = defineStore({
			type: "acme",
			configSchema: schema(),
			create() {
				throw Object.assign(new Error("bad credentials"), {
					config: { headers: { Authorization: TOKEN } },
				});
			},
		});
		const error = await createStore(failing, {}).catch((e) => e);
		expect(error).toBeInstanceOf(StoreConfigError);
		expect(error.message).toBe("[store-acme] Could not create the store.");
		expect(error.cause.message).toBe("bad credentials");
		expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain(TOKEN);
		const typed = new StoreConfigError("[store-acme] Missing required option `region`.");
		const passing = defineStore({
			type: "acme",
			configSchema: schema(),
			create: async () => {
				throw typed;
			},
		});
		await expect(createStore(passing, {})).rejects.toBe(typed);
	});
});

describe("wrapStore", () => {
	it("initialises once, even under concurrent first calls", async () => {
		const { store, calls } = managed();
		await Promise.all([
			store.get(randomUUID()),
			store.get(randomUUID()),
			store.verify(),
			store.init(),
		]);
		expect(calls.init).toBe(1);
	});

	it("retries a failed init on the next call", async () => {
		let failures = 1;
		const { store, calls } = managed({
			async init() {
				if (failures-- > 0) throw new StoreUnavailableError("not yet");
			},
		});
		await expect(store.get(randomUUID())).rejects.toBeInstanceOf(StoreUnavailableError);
		expect(await store.get(randomUUID())).toBeUndefined();
		expect(calls.init).toBe(2);
		expect(await store.get(randomUUID())).toBeUndefined();
		expect(calls.init).toBe(2);
	});

	it("closes once, refuses every use after close, and lets an init in flight settle first", async () => {
		let release: () => void = () => {};
		const { store, calls } = managed({
			init: () =>
				new Promise<void>((resolve) => {
					release = resolve;
				}),
		});
		const pending = store.get(randomUUID());
		const closing = store.close();
		expect(store.close()).toBe(closing);
		expect(calls.close).toBeUndefined();
		release();
		await closing;
		await pending.catch(() => {});
		expect(calls.close).toBe(1);
		expect(store.closed).toBe(true);
		const id = randomUUID();
		for (const call of [
			() => store.get(id),
			() => store.set(id, { a: "b" }, { version: 1 }),
			() => store.delete(id),
			() => store.getMany([id]),
			() => store.verify(),
			() => store.init(),
		]) {
			await expect(call()).rejects.toBeInstanceOf(StoreClosedError);
		}
		await store.close();
		expect(calls.close).toBe(1);
	});

	it("checks the size before the back-end is touched", async () => {
		const { store, calls } = managed({}, { maxValueBytes: 20 });
		const id = randomUUID();
		await store.set(id, { v: "x".repeat(12) }, { version: 1 });
		await expect(store.set(id, { v: "x".repeat(13) }, { version: 2 })).rejects.toBeInstanceOf(
			PayloadTooLargeError,
		);
		expect(calls.set).toBe(1);
		expect(await store.get(id)).toEqual({ values: { v: "x".repeat(12) }, version: 1 });
	});

	it("validates ids, values and versions before the back-end is touched", async () => {
		const { store, calls } = managed();
		const id = randomUUID();
		const refused = [
			() => store.set("not-a-uuid", { a: "b" }, { version: 1 }),
			() => store.set(id, { "a.b": "c" }, { version: 1 }),
			() => store.set(id, { a: 1 } as never, { version: 1 }),
			() => store.set(id, { a: "b" }, { version: 0 }),
			() => store.set(id, { a: "b" }, { version: 1.5 }),
			() => store.set(id, { a: "b" }, undefined as never),
			() => store.get(id.toUpperCase()),
			() => store.delete("../x"),
			() => store.getMany([id, "x"]),
		];
		for (const call of refused) await expect(call()).rejects.toBeInstanceOf(ValidationError);
		expect(calls.set ?? 0).toBe(0);
		expect(calls.get ?? 0).toBe(0);
	});

	it("turns unknown errors into StoreError with a safe cause; typed errors pass as they are", async () => {
		const axiosLike = Object.assign(new Error("Request failed with status code 500"), {
			config: { headers: { "X-Vault-Token": TOKEN } },
		});
		const conflict = new ConflictError("typed");
		const { store, events } = managed({
			async get() {
				throw axiosLike;
			},
			async delete() {
				throw conflict;
			},
		});
		const error = await store.get(randomUUID()).catch((e) => e);
		expect(error).toBeInstanceOf(StoreError);
		expect(error.code).toBe("STORE_ERROR");
		expect(error.message).toBe("[store-test] Unexpected failure during `get`.");
		expect(error.store).toBe("test");
		expect(error.cause.message).toBe("Request failed with status code 500");
		expect(
			`${inspect(error, { depth: Infinity, showHidden: true })}${JSON.stringify(error)}`,
		).not.toContain(TOKEN);
		await expect(store.delete(randomUUID())).rejects.toBe(conflict);
		expect(events.filter((e) => e.error).map((e) => [e.op, e.error])).toEqual([
			["get", "STORE_ERROR"],
			["delete", "CONFLICT"],
		]);
	});

	it("reads in bulk by chunks of maxBatchSize when the store declares bulkGet", async () => {
		const chunks: number[] = [];
		const rec = managed({}, { bulkGet: true, maxBatchSize: 3 });
		rec.raw.getMany = async (ids) => {
			chunks.push(ids.length);
			return new Map(
				ids.flatMap((id) => (rec.data.has(id) ? [[id, rec.data.get(id)!] as const] : [])),
			);
		};
		const ids = Array.from({ length: 7 }, () => randomUUID());
		await rec.store.set(ids[0]!, { a: "0" }, { version: 1 });
		await rec.store.set(ids[6]!, { a: "6" }, { version: 2 });
		const found = await rec.store.getMany([...ids, ids[0]!]);
		expect(chunks).toEqual([3, 3, 1]);
		expect([...found.entries()]).toEqual([
			[ids[0], { values: { a: "0" }, version: 1 }],
			[ids[6], { values: { a: "6" }, version: 2 }],
		]);
		expect((await rec.store.getMany([])).size).toBe(0);
	});

	it("reads one id at a time, at most 8 at once, without bulkGet", async () => {
		let inFlight = 0;
		let most = 0;
		const rec = managed({
			async get() {
				inFlight++;
				most = Math.max(most, inFlight);
				await new Promise((resolve) => setImmediate(resolve));
				inFlight--;
				return { values: { a: "b" }, version: 1 };
			},
		});
		const ids = Array.from({ length: 30 }, () => randomUUID());
		expect((await rec.store.getMany(ids)).size).toBe(30);
		expect(rec.calls.get).toBe(30);
		expect(rec.calls.getMany).toBeUndefined();
		expect(most).toBe(8);
	});

	it("lists ids only when the store declares it", async () => {
		const without = managed();
		await expect(async () => {
			for await (const _ of without.store.listIds()) break;
		}).rejects.toThrow(/cannot list its ids/);
		const withIds = managed({}, { listIds: true });
		const id = randomUUID();
		await withIds.store.set(id, { a: "b" }, { version: 1 });
		const listed: string[] = [];
		for await (const x of withIds.store.listIds()) listed.push(x);
		expect(listed).toEqual([id]);
	});

	it("reports every call to observe", async () => {
		const { store, events } = managed();
		await store.set(randomUUID(), { a: "b" }, { version: 1 });
		await store.verify();
		await store.close();
		expect(events.map((e) => e.op)).toEqual(["init", "set", "verify", "close"]);
		expect(
			events.every((e) => e.store === "test" && e.durationMs >= 0 && e.error === undefined),
		).toBe(true);
	});
});
