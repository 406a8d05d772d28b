import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { StoreConfigError, StoreUnavailableError } from "./errors.js";
import { createMemoryStore, memoryBackend, memoryStore } from "./memory.js";
import { createStore } from "./runtime.js";

describe("memory store", () => {
	it("keeps values per store object by default", async () => {
		const a = await createStore(memoryStore, {});
		const b = await createStore(memoryStore, {});
		const id = randomUUID();
		await a.set(id, { k: "v" }, { version: 1 });
		expect(await b.get(id)).toBeUndefined();
	});

	it("shares a named back-end between store objects, per deployment", async () => {
		const backend = `test-${randomUUID()}`;
		const first = await createStore(memoryStore, { backend }, { deploymentId: "one" });
		const again = await createStore(memoryStore, { backend }, { deploymentId: "one" });
		const other = await createStore(memoryStore, { backend }, { deploymentId: "two" });
		const id = randomUUID();
		await first.set(id, { k: "v" }, { version: 3 });
		expect(await again.get(id)).toEqual({ values: { k: "v" }, version: 3 });
		expect(await other.get(id)).toBeUndefined();
		expect(await other.delete(id)).toBe(false);
		const listed: string[] = [];
		for await (const x of other.listIds()) listed.push(x);
		expect(listed).toEqual([]);
		expect(memoryBackend(backend).data.get(id)).toMatchObject({ deployment: "one", version: 3 });
		memoryBackend(backend).unavailable = true;
		await expect(again.get(id)).rejects.toBeInstanceOf(StoreUnavailableError);
		memoryBackend(backend).unavailable = false;
		expect(await again.delete(id)).toBe(true);
		expect(await first.get(id)).toBeUndefined();
	});

	it("returns copies, so callers cannot change what it holds", async () => {
		const store = createMemoryStore();
		const id = randomUUID();
		const values = { k: "v" };
		await store.set(id, values, { version: 1 });
		values.k = "changed";
		const got = await store.get(id);
		got!.values.k = "changed too";
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
	});

	it("validates its options, listing every problem", async () => {
		const error = await createStore(memoryStore, {
			maxValueBytes: 0,
			backend: "a b",
			extra: 1,
		}).catch((e) => e);
		expect(error).toBeInstanceOf(StoreConfigError);
		expect(error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual([
			"backend",
			"extra",
			"maxValueBytes",
		]);
		expect(
			(await createStore(memoryStore, { maxValueBytes: 100 })).capabilities.maxValueBytes,
		).toBe(100);
	});

	it("createMemoryStore exposes its fault switch and raw data", async () => {
		const store = createMemoryStore({ name: "mem2", maxValueBytes: 50 });
		expect(store).toMatchObject({ name: "mem2", type: "memory" });
		expect(store.capabilities).toMatchObject({ maxValueBytes: 50, bulkGet: true, listIds: true });
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(store.control.data.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		store.control.unavailable = true;
		await expect(store.verify()).rejects.toBeInstanceOf(StoreUnavailableError);
	});
});
