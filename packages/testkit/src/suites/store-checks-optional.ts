/**
 * Store checks of the optional and failure behaviour: bulk reads, id listing, back-end
 * failures, closing, deployment isolation and encryption at rest.
 */
import { randomUUID } from "node:crypto";
import { StoreClosedError, StoreUnavailableError } from "@strongbox/core";
import { expect } from "vitest";
import { encodingsOf, rawText } from "./leaks.js";
import type { StoreCheck } from "./store-context.js";

/** Bulk read of present and missing ids. */
export const bulkGetMixed: StoreCheck = {
	name: "getMany returns the present ids with their versions and leaves missing ones out",
	async run(ctx) {
		const a = ctx.id();
		const b = ctx.id();
		await ctx.store.set(a, { k: "a" }, { version: 1 });
		await ctx.store.set(b, { k: "b" }, { version: 4 });
		const missing = [ctx.id(), ctx.id()];
		const found = await ctx.store.getMany([missing[0]!, a, missing[1]!, b]);
		expect(found.size).toBe(2);
		expect(found.get(a)).toEqual({ values: { k: "a" }, version: 1 });
		expect(found.get(b)).toEqual({ values: { k: "b" }, version: 4 });
		expect((await ctx.store.getMany(missing)).size).toBe(0);
		expect((await ctx.store.getMany([])).size).toBe(0);
	},
};

/** More ids than one back-end call takes: core splits them, the store must answer each chunk. */
export const bulkGetBeyondBatch: StoreCheck = {
	name: "getMany with more ids than maxBatchSize finds ids on both sides of the batch boundary",
	async run(ctx) {
		const batch = ctx.capabilities.maxBatchSize;
		const ids = Array.from({ length: batch + 5 }, () => ctx.id());
		// Only a few are written, on both sides of each boundary, to keep the check cheap.
		const present = [...new Set([0, batch - 1, batch, batch + 4])];
		await Promise.all(present.map((i) => ctx.store.set(ids[i]!, { i: String(i) }, { version: 1 })));
		const found = await ctx.store.getMany(ids);
		expect([...found.keys()].sort()).toEqual(present.map((i) => ids[i]!).sort());
		for (const i of present) {
			expect(found.get(ids[i]!)).toEqual({ values: { i: String(i) }, version: 1 });
		}
	},
};

/** `listIds` lists what is stored and not what was deleted. */
export const listIdsContains: StoreCheck = {
	name: "listIds lists the ids written and not the ids deleted",
	async run(ctx) {
		const kept = [ctx.id(), ctx.id()];
		const gone = ctx.id();
		for (const id of [...kept, gone]) await ctx.store.set(id, { k: "v" }, { version: 1 });
		await ctx.store.delete(gone);
		const listed = new Set<string>();
		for await (const id of ctx.store.listIds()) listed.add(id);
		for (const id of kept) expect(listed.has(id), `listed ${id}`).toBe(true);
		expect(listed.has(gone)).toBe(false);
	},
};

/** A back-end failure is `StoreUnavailableError` for every operation, and the store recovers. */
export const backendFailure: StoreCheck = {
	name: "a back-end failure is StoreUnavailableError (never undefined or not found) and the store recovers",
	async run(ctx) {
		const id = ctx.id();
		const secret = ctx.canary();
		await ctx.store.set(id, { k: secret }, { version: 1 });
		const restore = await ctx.failBackend();
		const U = StoreUnavailableError;
		await ctx.rejects(ctx.store.get(id), U, StoreClosedError);
		await ctx.rejects(ctx.store.get(ctx.id()), U, StoreClosedError);
		await ctx.rejects(ctx.store.set(id, { k: ctx.canary() }, { version: 2 }), U, StoreClosedError);
		await ctx.rejects(ctx.store.set(ctx.id(), { k: ctx.canary() }, { version: 1 }), U);
		await ctx.rejects(ctx.store.delete(id), U, StoreClosedError);
		await ctx.rejects(ctx.store.getMany([id, ctx.id()]), U, StoreClosedError);
		await ctx.rejects(ctx.store.verify(), U, StoreClosedError);
		await restore();
		const after = await ctx.store.get(id);
		// The failed write of version 2 must not have half-landed: either it never reached
		// the back-end, or it landed whole.
		expect(after === undefined ? undefined : after.version, "value after recovery").toBeOneOf([
			1, 2,
		]);
		if (after?.version === 1) expect(after.values).toEqual({ k: secret });
		await ctx.store.set(id, { k: "after" }, { version: 3 });
		expect(await ctx.store.get(id)).toEqual({ values: { k: "after" }, version: 3 });
		expect(await ctx.store.delete(id)).toBe(true);
		await ctx.store.verify();
	},
};

/** A store that starts while the back-end is down fails typed, then works once it is back. */
export const failureBeforeInit: StoreCheck = {
	name: "a store first used while the back-end is down fails typed, then works after recovery",
	async run(ctx) {
		const restore = await ctx.failBackend();
		const fresh = await ctx.openStore();
		await ctx.rejects(fresh.get(ctx.id()), StoreUnavailableError, StoreClosedError);
		await restore();
		const id = ctx.id();
		await fresh.set(id, { k: "v" }, { version: 1 });
		expect(await fresh.get(id)).toEqual({ values: { k: "v" }, version: 1 });
	},
};

/** Closing twice is harmless; any use after close is `StoreClosedError`. */
export const closeTwice: StoreCheck = {
	name: "close() twice is harmless and any use after close is StoreClosedError",
	async run(ctx) {
		const id = ctx.id();
		await ctx.store.set(id, { k: "v" }, { version: 1 });
		await ctx.store.close();
		await ctx.store.close();
		expect(ctx.store.closed).toBe(true);
		await ctx.rejects(ctx.store.get(id), StoreClosedError);
		await ctx.rejects(ctx.store.set(id, { k: ctx.canary() }, { version: 2 }), StoreClosedError);
		await ctx.rejects(ctx.store.delete(id), StoreClosedError);
		await ctx.rejects(ctx.store.getMany([id]), StoreClosedError);
		await ctx.rejects(ctx.store.verify(), StoreClosedError);
		// A store closed before its first use must release cleanly too.
		const unused = await ctx.openStore();
		await unused.close();
		await ctx.rejects(unused.get(id), StoreClosedError);
		// Values survive the store object: a new store still reads them.
		const reopened = await ctx.openStore();
		expect(await reopened.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		await reopened.delete(id);
	},
};

/** Two deployments sharing a back-end never see each other's values. */
export const deploymentIsolation: StoreCheck = {
	name: "a store of another deployment neither reads, lists nor deletes this deployment's values",
	async run(ctx) {
		const id = ctx.id();
		await ctx.store.set(id, { k: ctx.canary() }, { version: 1 });
		const other = await ctx.openStore({ deploymentId: `sbtest-other-${randomUUID()}` });
		expect(await other.get(id)).toBeUndefined();
		expect((await other.getMany([id])).size).toBe(0);
		expect(await other.delete(id)).toBe(false);
		if (other.capabilities.listIds) {
			for await (const listed of other.listIds()) expect(listed).not.toBe(id);
		}
		expect((await ctx.store.get(id))?.version).toBe(1);
	},
};

/** A store declaring `encryptsAtRest` never leaves a value readable in the raw back-end. */
export const encryptedAtRest: StoreCheck = {
	name: "no value is held in clear (nor hex or base64) by the raw back-end",
	async run(ctx) {
		const read = ctx.options.raw?.read;
		if (!read) throw new Error("This check needs the `raw.read` hook.");
		const id = ctx.id();
		const canary = ctx.canary();
		await ctx.store.set(id, { password: canary, other: `${canary}-2` }, { version: 1 });
		const raw = await read(id);
		expect(raw, "raw.read must return what the back-end holds for a written id").toBeDefined();
		const text = rawText(raw!);
		for (const form of encodingsOf(canary)) {
			expect(text.includes(form), "the raw back-end holds the value in a readable form").toBe(
				false,
			);
		}
	},
};
