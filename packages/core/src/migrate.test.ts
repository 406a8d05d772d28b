import { describe, expect, it } from "vitest";
import { StoreConfigError, ValidationError } from "./errors.js";
import { createMemoryStore, memoryCatalog } from "./memory.js";
import { type MigrationProgress, migrateSecrets } from "./migrate.js";
import type { ManagedStore } from "./runtime.js";
import { createSecrets } from "./secrets.js";

const CANARY = "canary-migrate-91ac";

/** A store that delegates to `store`, with hooks on writes and reads. */
function hooked(
	store: ManagedStore,
	hooks: {
		afterSet?: (id: string) => Promise<void>;
		get?: ManagedStore["get"];
	},
): ManagedStore & { sets: number } {
	const out = {
		sets: 0,
		name: store.name,
		type: store.type,
		capabilities: store.capabilities,
		get closed() {
			return store.closed;
		},
		init: () => store.init(),
		async set(id: string, values: Record<string, string>, meta: { version: number }) {
			out.sets++;
			await store.set(id, values, meta);
			await hooks.afterSet?.(id);
		},
		get: hooks.get ?? ((id: string) => store.get(id)),
		getMany: (ids: readonly string[]) => store.getMany(ids),
		delete: (id: string) => store.delete(id),
		listIds: () => store.listIds(),
		verify: () => store.verify(),
		close: () => store.close(),
	};
	return out;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A store whose every call first yields to the event loop a varying number of times,
 * like a back-end over the network, so that concurrent flows overtake each other.
 */
function delayed(store: ManagedStore): ManagedStore {
	const slow =
		<A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
		async (...args: A): Promise<R> => {
			for (let i = Math.floor(Math.random() * 4); i >= 0; i--) await tick();
			return fn(...args);
		};
	return {
		name: store.name,
		type: store.type,
		capabilities: store.capabilities,
		get closed() {
			return store.closed;
		},
		init: () => store.init(),
		set: slow((id: string, values: Record<string, string>, meta: { version: number }) =>
			store.set(id, values, meta),
		),
		get: slow((id: string) => store.get(id)),
		getMany: slow((ids: readonly string[]) => store.getMany(ids)),
		delete: slow((id: string) => store.delete(id)),
		listIds: () => store.listIds(),
		verify: () => store.verify(),
		close: () => store.close(),
	};
}

/**
 * `count` secrets written through a runtime on store `source`, then the runtime of the
 * recommended set-up: new writes to the target, the source kept for reading.
 */
async function setup(
	count: number,
	options: {
		target?: (plain: ManagedStore) => ManagedStore;
		targetMax?: number;
		slow?: boolean;
	} = {},
) {
	const catalog = memoryCatalog();
	const source = createMemoryStore({ name: "source" });
	const plainTarget = createMemoryStore({
		name: "target",
		...(options.targetMax ? { maxValueBytes: options.targetMax } : {}),
	});
	const before = createSecrets({ catalog, store: source });
	const ids: string[] = [];
	for (let i = 0; i < count; i++) {
		const secret = await before.createSecret({
			name: `app-${i}`,
			values: { user: `u${i}`, password: `${CANARY}-${i}` },
			...(i % 3 === 0 ? { scope: "user" as const } : {}),
		});
		ids.push(secret.id);
	}
	let target = options.target ? options.target(plainTarget) : plainTarget;
	if (options.slow) target = delayed(target);
	const runtime = createSecrets({
		catalog,
		store: target,
		stores: [options.slow ? delayed(source) : source],
	});
	return { catalog, source, plainTarget, target, runtime, ids };
}

describe("migrateSecrets", () => {
	it("moves every secret, verified, and switches each row", async () => {
		const { catalog, source, plainTarget, target, runtime, ids } = await setup(30);
		const progress: MigrationProgress[] = [];
		const report = await migrateSecrets(runtime, {
			from: "source",
			to: target,
			onProgress: (p) => progress.push(p),
		});
		expect(report).toEqual({
			moved: 30,
			skipped: 0,
			failed: [],
			dryRun: false,
			aborted: false,
			sourceDeleted: 0,
		});
		expect(progress.map((p) => p.done)).toEqual(ids.map((_, i) => i + 1));
		expect(progress.every((p) => p.total === 30 && p.outcome === "moved")).toBe(true);
		for (const id of ids) {
			const row = (await catalog.get(id))!;
			expect(row.backend).toBe("target");
			expect(plainTarget.control.data.get(id)).toEqual(source.control.data.get(id));
			expect((await runtime.getSecret(id)).backend).toBe("target");
		}
		expect(JSON.stringify([report, progress])).not.toContain(CANARY);
	});

	it("deletes source copies only when asked, after the switch", async () => {
		const { source, target, runtime, ids } = await setup(5);
		const report = await migrateSecrets(runtime, {
			from: "source",
			to: target,
			deleteSource: true,
		});
		expect(report).toMatchObject({ moved: 5, sourceDeleted: 5, failed: [] });
		expect(source.control.data.size).toBe(0);
		for (const id of ids) expect((await runtime.getSecret(id)).values.user).toMatch(/^u\d$/);
	});

	it("keeps every read working and loses no write while it runs", async () => {
		const { runtime, target, ids, source, plainTarget } = await setup(40, { slow: true });
		const last = new Map<string, string>();
		const backendsRead = new Set<string>();
		let done = false;
		let reads = 0;
		const failures: unknown[] = [];
		// Every secret has a read in flight at every moment, whichever one is being moved.
		const read = async (i: number) => {
			const id = ids[i]!;
			try {
				backendsRead.add((await runtime.getSecret(id)).backend);
				await runtime.getSecretByName(`app-${i}`, { scope: i % 3 === 0 ? "user" : "workspace" });
				await runtime.getSecrets([id, ids[(i + 7) % ids.length]!]);
				reads += 3;
			} catch (error) {
				failures.push(error);
			}
		};
		const reader = (async () => {
			while (!done) {
				await tick();
				await Promise.all(ids.map((_, i) => read(i)));
			}
		})();
		// Eight writers, each on its own secrets, so that writes race the switch of each secret.
		const lanes = 8;
		const writer = Promise.all(
			Array.from({ length: lanes }, async (_, lane) => {
				for (let i = 0; !done; i++) {
					await tick();
					const id = ids[(i * lanes + lane) % ids.length]!;
					try {
						await runtime.updateSecret(id, { values: { counter: `${lane}-${i}` } });
						last.set(id, `${lane}-${i}`);
					} catch (error) {
						failures.push(error);
					}
				}
			}),
		);
		const report = await migrateSecrets(runtime, {
			from: "source",
			to: target,
			deleteSource: true,
			maxAttempts: 50,
		});
		done = true;
		await Promise.all([reader, writer]);
		expect(failures).toEqual([]);
		// The loops really ran while secrets were on both back-ends.
		expect(backendsRead).toEqual(new Set(["source", "target"]));
		expect(reads).toBeGreaterThan(0);
		expect(last.size).toBeGreaterThan(0);
		expect(report).toMatchObject({ moved: 40, failed: [] });
		for (const [id, counter] of last) {
			expect((await runtime.getSecret(id)).values.counter).toBe(counter);
		}
		expect(source.control.data.size).toBe(0);
		expect(plainTarget.control.data.size).toBe(40);
	});

	it("retries a secret written between its copy and its switch, and keeps the write", async () => {
		let runtimeRef: ReturnType<typeof createSecrets> | undefined;
		let victim: string | undefined;
		const { runtime, target, ids } = await setup(3, {
			target: (plain) =>
				hooked(plain, {
					async afterSet(id) {
						if (id === victim) {
							victim = undefined;
							// Lands on the source: the row still names it.
							await runtimeRef!.updateSecret(id, { values: { password: "changed" } });
						}
					},
				}),
		});
		runtimeRef = runtime;
		victim = ids[1];
		const report = await migrateSecrets(runtime, {
			from: "source",
			to: target,
			deleteSource: true,
		});
		expect(report).toMatchObject({ moved: 3, failed: [] });
		expect((await runtime.getSecret(ids[1]!)).values).toEqual({ user: "u1", password: "changed" });
		expect((await runtime.getSecret(ids[1]!)).version).toBe(2);
		expect((target as ManagedStore & { sets: number }).sets).toBe(4);
	});

	it("a write or a delete racing a switch goes where the row points once it begins", async () => {
		const catalog = memoryCatalog();
		const source = createMemoryStore({ name: "source" });
		const target = createMemoryStore({ name: "target" });
		let racing: string | undefined;
		// The migration switches the secret between the writer's row read and its beginWrite
		// (or markDeleting): exactly what a concurrent `migrateSecrets` may do.
		const switchFirst = async (id: string) => {
			if (id !== racing) return;
			racing = undefined;
			const stored = (await source.get(id))!;
			await target.set(id, stored.values, { version: stored.version });
			expect(await catalog.setBackend(id, stored.version, "target")).toBe(true);
		};
		const racy = {
			...catalog,
			async beginWrite(id: string, change: Parameters<typeof catalog.beginWrite>[1]) {
				await switchFirst(id);
				return catalog.beginWrite(id, change);
			},
			async markDeleting(id: string, fromVersion?: number) {
				await switchFirst(id);
				return catalog.markDeleting(id, fromVersion);
			},
		};
		const runtime = createSecrets({ catalog: racy, store: source, stores: [target] });
		const a = await runtime.createSecret({ name: "a", values: { k: "1" } });
		racing = a.id;
		await runtime.updateSecret(a.id, { values: { k: "2" } });
		expect(target.control.data.get(a.id)).toEqual({ values: { k: "2" }, version: 2 });
		expect((await runtime.getSecret(a.id)).values.k).toBe("2");
		const b = await runtime.createSecret({ name: "b", values: { k: "1" } });
		racing = b.id;
		await runtime.deleteSecret(b.id);
		expect(target.control.data.has(b.id)).toBe(false);
	});

	it("resumes after an abort: nothing lost or duplicated, and a finished run re-runs as a no-op", async () => {
		const { catalog, source, plainTarget, target, runtime, ids } = await setup(20);
		const controller = new AbortController();
		const first = await migrateSecrets(runtime, {
			from: "source",
			to: target,
			deleteSource: true,
			signal: controller.signal,
			onProgress: (p) => {
				if (p.done === 8) controller.abort();
			},
		});
		expect(first).toMatchObject({ aborted: true, moved: 8, failed: [] });
		for (const id of ids) await runtime.getSecret(id);
		const second = await migrateSecrets(runtime, {
			from: "source",
			to: target,
			deleteSource: true,
		});
		expect(second).toMatchObject({
			aborted: false,
			moved: 12,
			skipped: 0,
			failed: [],
			sourceDeleted: 12,
		});
		expect(plainTarget.control.data.size).toBe(20);
		expect(source.control.data.size).toBe(0);
		for (const id of ids) expect((await catalog.get(id))!.backend).toBe("target");
		const sets = plainTarget.control.data.get(ids[0]!);
		const third = await migrateSecrets(runtime, { from: "source", to: target, deleteSource: true });
		expect(third).toEqual({
			moved: 0,
			skipped: 0,
			failed: [],
			dryRun: false,
			aborted: false,
			sourceDeleted: 0,
		});
		expect(plainTarget.control.data.get(ids[0]!)).toBe(sets);
	});

	it("with deleteSource, a re-run removes source copies a crash left after the switch", async () => {
		const { catalog, source, plainTarget, target, runtime, ids } = await setup(3);
		// A crash between the switch and the delete: the copy is verified and the row switched.
		const stored = source.control.data.get(ids[0]!)!;
		await plainTarget.set(ids[0]!, stored.values, { version: stored.version });
		expect(await catalog.setBackend(ids[0]!, stored.version, "target")).toBe(true);
		const report = await migrateSecrets(runtime, {
			from: "source",
			to: target,
			deleteSource: true,
		});
		expect(report).toMatchObject({ moved: 2, failed: [], sourceDeleted: 3 });
		expect(source.control.data.size).toBe(0);
		expect((await runtime.getSecret(ids[0]!)).values.user).toBe("u0");
	});

	it("a dry run reads and reports, and writes nothing", async () => {
		const { catalog, source, plainTarget, target, runtime, ids } = await setup(4, {
			targetMax: 60,
		});
		await runtime.updateSecret(ids[2]!, { values: { big: "x".repeat(100) } });
		const report = await migrateSecrets(runtime, {
			from: "source",
			to: target,
			dryRun: true,
			deleteSource: true,
		});
		expect(report).toMatchObject({
			dryRun: true,
			moved: 3,
			failed: [{ id: ids[2], name: "app-2", reason: "PAYLOAD_TOO_LARGE" }],
			sourceDeleted: 0,
		});
		expect(plainTarget.control.data.size).toBe(0);
		expect(source.control.data.size).toBe(4);
		for (const id of ids) expect((await catalog.get(id))!.backend).toBe("source");
	});

	it("reports a read-back mismatch as failed and leaves the secret on the source", async () => {
		const { catalog, source, plainTarget, target, runtime, ids } = await setup(3, {
			target: (plain) =>
				hooked(plain, {
					async get(id) {
						const stored = await plain.get(id);
						// A target that corrupts one secret on its way back.
						return stored && id === corrupt
							? { ...stored, values: { ...stored.values, user: "x" } }
							: stored;
					},
				}),
		});
		const corrupt = ids[1];
		const report = await migrateSecrets(runtime, {
			from: "source",
			to: target,
			deleteSource: true,
		});
		expect(report).toMatchObject({
			moved: 2,
			failed: [{ id: ids[1], name: "app-1", reason: "checksum-mismatch" }],
		});
		expect((await catalog.get(ids[1]!))!.backend).toBe("source");
		expect(source.control.data.has(ids[1]!)).toBe(true);
		expect(plainTarget.control.data.has(ids[1]!)).toBe(false);
		expect((await runtime.getSecret(ids[1]!)).values.user).toBe("u1");
		expect(JSON.stringify(report)).not.toContain(CANARY);
	});

	it("gives up on a secret whose write stays in flight, and says why", async () => {
		const { catalog, target, runtime, ids } = await setup(2);
		await catalog.beginWrite(ids[0]!, { fromVersion: 1, keys: ["user"], now: new Date() });
		const report = await migrateSecrets(runtime, { from: "source", to: target, maxAttempts: 2 });
		expect(report).toMatchObject({
			moved: 1,
			failed: [{ id: ids[0], name: "app-0", reason: "write-in-flight" }],
		});
	});

	it("reports a source outage per secret, by error code", async () => {
		const { source, target, runtime, catalog, ids } = await setup(2);
		source.control.unavailable = true;
		const report = await migrateSecrets(runtime, { from: "source", to: target });
		expect(report.failed.map((f) => f.reason)).toEqual(["STORE_UNAVAILABLE", "STORE_UNAVAILABLE"]);
		for (const id of ids) expect((await catalog.get(id))!.backend).toBe("source");
	});

	it("moves only what the filter selects, and skips secrets deleted meanwhile", async () => {
		const { catalog, target, runtime, ids } = await setup(6);
		const report = await migrateSecrets(runtime, {
			from: "source",
			to: target,
			only: { name: "endswith:-1", scope: "workspace" },
		});
		expect(report).toMatchObject({ moved: 1, failed: [] });
		expect((await catalog.get(ids[1]!))!.backend).toBe("target");
		expect((await catalog.get(ids[2]!))!.backend).toBe("source");
		// The last secret in the run's (id) order is deleted while the run is under way.
		const victim = ids
			.filter((id) => id !== ids[1])
			.sort()
			.at(-1)!;
		let deletion: Promise<void> | undefined;
		const next = await migrateSecrets(runtime, {
			from: "source",
			to: target,
			onProgress: () => {
				deletion ??= runtime
					.as({ user: "x", workspace: "default", system: true })
					.deleteSecret(victim);
			},
		});
		await deletion;
		expect(next).toMatchObject({ moved: 4, skipped: 1, failed: [] });
	});

	it("checks its options", async () => {
		const { target, runtime, source } = await setup(0);
		await expect(migrateSecrets(runtime, { from: "source", to: source })).rejects.toBeInstanceOf(
			StoreConfigError,
		);
		await expect(
			migrateSecrets(runtime, { from: "source", to: createMemoryStore({ name: "target" }) }),
		).rejects.toThrow(/not this runtime's store/);
		await expect(migrateSecrets(runtime, { from: "elsewhere", to: target })).rejects.toBeInstanceOf(
			StoreConfigError,
		);
		await expect(
			migrateSecrets(runtime, { from: "source", to: target, only: { page: 2 } as never }),
		).rejects.toBeInstanceOf(ValidationError);
		await expect(
			migrateSecrets(runtime, { from: "source", to: target, only: { name: "bad:x" } }),
		).rejects.toBeInstanceOf(ValidationError);
		await expect(
			migrateSecrets(runtime, { from: "source", to: target, maxAttempts: 0 }),
		).rejects.toBeInstanceOf(ValidationError);
	});
});
