/**
 * Store checks of the everyday contract: read, write, overwrite, delete, odd values,
 * the declared size limit, concurrency and idempotency.
 */
import { PayloadTooLargeError, type SecretValues, valuesSize } from "@strongbox/core";
import { expect } from "vitest";
import { TRICKY_KEYS, TRICKY_VALUES, valuesOfSize } from "./samples.js";
import type { StoreCheck, StoreCheckContext } from "./store-context.js";

async function rawRead(ctx: StoreCheckContext, id: string) {
	return ctx.options.raw ? await ctx.options.raw.read(id) : undefined;
}

/** Round trip: what is written is read back, values and version. */
export const roundTrip: StoreCheck = {
	name: "round trip: values and version come back as written",
	async run(ctx) {
		const id = ctx.id();
		const values = { username: "app", password: ctx.canary(), port: "5432" };
		await ctx.store.set(id, values, { version: 1 });
		expect(await ctx.store.get(id)).toEqual({ values, version: 1 });
		if (ctx.options.raw) {
			expect(await rawRead(ctx, id), "raw.read finds nothing after a write").toBeDefined();
		}
	},
};

/** Overwrite: the new write replaces the whole map (not a merge), at the new version. */
export const overwrite: StoreCheck = {
	name: "overwrite: a new version replaces the whole values map",
	async run(ctx) {
		const id = ctx.id();
		await ctx.store.set(id, { a: "1", b: "2" }, { version: 1 });
		// Renames bump the catalog version without rewriting values, so versions may skip.
		await ctx.store.set(id, { b: "two", c: "3" }, { version: 3 });
		expect(await ctx.store.get(id)).toEqual({ values: { b: "two", c: "3" }, version: 3 });
	},
};

/** A missing id reads as `undefined`, never an error. */
export const getMissing: StoreCheck = {
	name: "get of a missing id resolves to undefined",
	async run(ctx) {
		expect(await ctx.store.get(ctx.id())).toBeUndefined();
	},
};

/** Deleting nothing is `false`, never an error. */
export const deleteMissing: StoreCheck = {
	name: "delete of a missing id resolves to false without error",
	async run(ctx) {
		expect(await ctx.store.delete(ctx.id())).toBe(false);
	},
};

/** Delete removes the values, and the back-end holds nothing afterwards. */
export const deleteThenGet: StoreCheck = {
	name: "delete removes the values; get afterwards is undefined",
	async run(ctx) {
		const id = ctx.id();
		await ctx.store.set(id, { k: ctx.canary() }, { version: 1 });
		expect(await ctx.store.delete(id)).toBe(true);
		expect(await ctx.store.get(id)).toBeUndefined();
		expect(await ctx.store.delete(id)).toBe(false);
		if (ctx.options.raw) expect(await rawRead(ctx, id), "raw.read after delete").toBeUndefined();
	},
};

/** Unicode, control characters, JSON look-alikes, empty strings: byte-for-byte round trip. */
export const trickyValues: StoreCheck = {
	name: "unicode, control characters, quotes, backslashes and empty values round-trip exactly",
	async run(ctx) {
		const id = ctx.id();
		await ctx.store.set(id, TRICKY_VALUES, { version: 1 });
		const got = await ctx.store.get(id);
		expect(got?.version).toBe(1);
		for (const [key, value] of Object.entries(TRICKY_VALUES)) {
			expect(got?.values[key], `value of ${key}`).toBe(value);
		}
		expect(Object.keys(got?.values ?? {}).sort()).toEqual(Object.keys(TRICKY_VALUES).sort());
	},
};

/** Splits a values map into maps that each fit `max` bytes, so small limits still get every key. */
function fitting(values: SecretValues, max: number): SecretValues[] {
	const out: SecretValues[] = [{}];
	for (const [key, value] of Object.entries(values)) {
		const last = out[out.length - 1]!;
		if (valuesSize({ ...last, [key]: value }) > max && Object.keys(last).length > 0) {
			out.push({ [key]: value });
		} else {
			last[key] = value;
		}
	}
	return out;
}

/** Keys at the edges of the alphabet, many keys, and an empty map. */
export const trickyKeys: StoreCheck = {
	name: "keys at the edge of the alphabet, 200 keys and an empty map round-trip",
	async run(ctx) {
		const all: SecretValues = Object.fromEntries(TRICKY_KEYS.map((k, i) => [k, `v${i}`]));
		for (let i = 0; i < 190; i++) all[`key_${i}`] = String(i);
		for (const values of fitting(all, ctx.capabilities.maxValueBytes)) {
			const id = ctx.id();
			await ctx.store.set(id, values, { version: 1 });
			const got = await ctx.store.get(id);
			expect(got?.values).toEqual(values);
			// Own properties, not inherited ones: `constructor` must be the stored string.
			for (const key of Object.keys(values))
				expect(Object.hasOwn(got?.values ?? {}, key)).toBe(true);
		}
		const empty = ctx.id();
		await ctx.store.set(empty, {}, { version: 1 });
		expect(await ctx.store.get(empty)).toEqual({ values: {}, version: 1 });
	},
};

function sizeCheck(multibyte: boolean): StoreCheck {
	return {
		name: `a values map of exactly maxValueBytes (${multibyte ? "multi-byte UTF-8" : "ASCII"}) is accepted and round-trips`,
		async run(ctx) {
			const max = ctx.capabilities.maxValueBytes;
			expect(max, "the suite needs maxValueBytes ≥ 64").toBeGreaterThanOrEqual(64);
			const id = ctx.id();
			const values = valuesOfSize(max, ctx.canary(), multibyte);
			expect(valuesSize(values)).toBe(max);
			await ctx.store.set(id, values, { version: 1 });
			const got = await ctx.store.get(id);
			expect(got?.version).toBe(1);
			// Compared as a boolean: a diff of two 64 KiB strings helps nobody.
			expect(got?.values.v === values.v, "the value came back altered").toBe(true);
		},
	};
}

/** The exact limit passes (ASCII). */
export const sizeLimitExact = sizeCheck(false);
/** The exact limit passes (multi-byte: the limit is bytes, not characters). */
export const sizeLimitExactMultibyte = sizeCheck(true);

/** One byte over: `PayloadTooLargeError`, and nothing written. */
export const sizeLimitExceeded: StoreCheck = {
	name: "one byte over maxValueBytes fails with PayloadTooLargeError before anything is written",
	async run(ctx) {
		const id = ctx.id();
		const values = valuesOfSize(ctx.capabilities.maxValueBytes + 1, ctx.canary());
		await ctx.rejects(ctx.store.set(id, values, { version: 1 }), PayloadTooLargeError);
		expect(await ctx.store.get(id)).toBeUndefined();
		if (ctx.options.raw) expect(await rawRead(ctx, id), "raw.read after refusal").toBeUndefined();
		// An existing secret is left as it was by a refused overwrite.
		const existing = ctx.id();
		await ctx.store.set(existing, { k: "kept" }, { version: 1 });
		await ctx.rejects(ctx.store.set(existing, values, { version: 2 }), PayloadTooLargeError);
		expect(await ctx.store.get(existing)).toEqual({ values: { k: "kept" }, version: 1 });
	},
};

/** Writes to different ids do not interfere. */
export const concurrentWrites: StoreCheck = {
	name: "20 concurrent writes to different ids all land",
	async run(ctx) {
		const ids = Array.from({ length: 20 }, () => ctx.id());
		await Promise.all(ids.map((id, i) => ctx.store.set(id, { n: String(i) }, { version: i + 1 })));
		const got = await Promise.all(ids.map((id) => ctx.store.get(id)));
		got.forEach((stored, i) => {
			expect(stored, `id #${i}`).toEqual({ values: { n: String(i) }, version: i + 1 });
		});
	},
};

/** The same (id, version) twice: a retry after a timeout must not fail or duplicate. */
export const idempotentWrite: StoreCheck = {
	name: "writing the same (id, version) twice is idempotent",
	async run(ctx) {
		const id = ctx.id();
		const values = { k: "v", other: "w" };
		await ctx.store.set(id, values, { version: 1 });
		await ctx.store.set(id, values, { version: 1 });
		expect(await ctx.store.get(id)).toEqual({ values, version: 1 });
		await ctx.store.set(id, { k: "v2" }, { version: 2 });
		await ctx.store.set(id, { k: "v2" }, { version: 2 });
		expect(await ctx.store.get(id)).toEqual({ values: { k: "v2" }, version: 2 });
		expect(await ctx.store.delete(id)).toBe(true);
		expect(await ctx.store.get(id)).toBeUndefined();
	},
};

/** `verify()` succeeds against a healthy back-end. */
export const verifyPasses: StoreCheck = {
	name: "verify() passes against a healthy back-end",
	async run(ctx) {
		await ctx.store.verify();
	},
};
