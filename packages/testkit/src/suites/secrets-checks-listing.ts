/**
 * Secrets checks of listings: name operators (case-sensitive, `%` and `_` literal),
 * scope/workspace/owner filters, date ranges, sorting, paging, and no values ever.
 * Timestamps are never assumed distinct (no sleeps): range checks assert the bounds'
 * semantics on whatever times the implementation recorded.
 */
import type { SecretMetadata, Secrets } from "@strongbox/core";
import { expect } from "vitest";
import type { SecretsCheck, SecretsCheckContext } from "./secrets-context.js";

function names(items: SecretMetadata[]): string[] {
	return items.map((s) => s.name).sort();
}

async function create(who: Secrets, names: string[]): Promise<SecretMetadata[]> {
	const out: SecretMetadata[] = [];
	for (const name of names) out.push(await who.createSecret({ name, values: { k: "v" } }));
	return out;
}

/** Every name operator. */
export const nameOperators: SecretsCheck = {
	name: "name filter: equals (also bare), contains, startswith, endswith, object form",
	async run({ alice, prefix: t }) {
		const db = `${t}-db`;
		const replica = `${t}-db-replica`;
		const app = `app-${t}-db`;
		const cache = `${t}-cache`;
		await create(alice, [db, replica, app, cache]);
		const q = async (name: string | { op: "contains"; value: string }) =>
			names((await alice.listSecrets({ name, size: 100 })).items);
		expect(await q(`equals:${db}`)).toEqual([db]);
		expect(await q(db)).toEqual([db]);
		expect(await q(`startswith:${db}`)).toEqual([db, replica].sort());
		expect(await q(`endswith:${db}`)).toEqual([db, app].sort());
		expect(await q(`contains:${db}`)).toEqual([db, replica, app].sort());
		expect(await q(`contains:${t}`)).toEqual([db, replica, app, cache].sort());
		expect(await q({ op: "contains", value: `${t}-d` })).toEqual([db, replica, app].sort());
		expect(await q(`equals:${t}`)).toEqual([]);
	},
};

/** `%` and `_` are literal, matching is case-sensitive. */
export const literalWildcards: SecretsCheck = {
	name: "name filter: % and _ are literal and matching is case-sensitive",
	async run({ alice, prefix: t }) {
		const underscored = `${t}_x`;
		const dashed = `${t}-x`;
		const upper = `${t.toUpperCase()}-X`;
		await create(alice, [underscored, dashed, upper]);
		const q = async (name: string) => names((await alice.listSecrets({ name, size: 100 })).items);
		expect(await q(`startswith:${t}_`)).toEqual([underscored]);
		expect(await q(`equals:${t}_x`)).toEqual([underscored]);
		expect(await q(`contains:${t}%`)).toEqual([]);
		expect(await q(`startswith:${t}%x`)).toEqual([]);
		expect(await q(`endswith:%-x`)).toEqual([]);
		expect(await q(`contains:${t.slice(0, 3)}_`)).toEqual([]);
		expect(await q(`startswith:${t}`)).toEqual([dashed, underscored].sort());
		expect(await q(`startswith:${t.toUpperCase()}`)).toEqual([upper]);
		expect(await q(`equals:${t}-X`)).toEqual([]);
		expect(await q(`contains:${t.toUpperCase()}-x`)).toEqual([]);
	},
};

/** scope, workspace and owner filters combined with visibility. */
export const scopeFilters: SecretsCheck = {
	name: "scope, workspace and owner filters, combined with what each caller may see",
	async run({ alice, bob, carol, name, list }) {
		const [w] = await create(alice, [name("w")]);
		const u = await alice.createSecret({ name: name("u"), values: { k: "v" }, scope: "user" });
		const b = await bob.createSecret({ name: name("b"), values: { k: "v" }, scope: "user" });
		const c = await carol.createSecret({ name: name("c"), values: { k: "v" } });
		const ids = async (...args: Parameters<typeof list>) =>
			(await list(...args)).items.map((s) => s.id).sort();
		const sorted = (...xs: { id: string }[]) => xs.map((x) => x.id).sort();
		expect(await ids(alice)).toEqual(sorted(w!, u));
		expect(await ids(alice, { scope: "user" })).toEqual([u.id]);
		expect(await ids(alice, { scope: "workspace" })).toEqual([w!.id]);
		expect(await ids(alice, { owner: "alice" })).toEqual([u.id]);
		expect(await ids(alice, { owner: "bob" })).toEqual([]);
		expect(await ids(alice, { workspace: "ws-a" })).toEqual(sorted(w!, u));
		expect(await ids(alice, { workspace: "ws-b" })).toEqual([]);
		expect(await ids(bob)).toEqual(sorted(w!, b));
		expect(await ids(bob, { scope: "user", owner: "bob" })).toEqual([b.id]);
		expect(await ids(carol)).toEqual([c.id]);
		expect(await ids(carol, { workspace: "ws-b", scope: "workspace" })).toEqual([c.id]);
		const page = await list(alice, { scope: "user" });
		expect(page.items[0]).toMatchObject({ scope: "user", owner: "alice", workspace: "ws-a" });
	},
};

function offsetIso(date: Date, offsetMinutes: number): string {
	// The same instant written in another zone: 12:00Z is 14:00+02:00.
	const shifted = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, -1);
	const sign = offsetMinutes >= 0 ? "+" : "-";
	const abs = Math.abs(offsetMinutes);
	const hh = String(Math.floor(abs / 60)).padStart(2, "0");
	const mm = String(abs % 60).padStart(2, "0");
	return `${shifted}${sign}${hh}:${mm}`;
}

async function rangeSemantics(
	ctx: SecretsCheckContext,
	field: "createdAt" | "updatedAt",
	all: SecretMetadata[],
): Promise<void> {
	const after = field === "createdAt" ? "createdAfter" : "updatedAfter";
	const before = field === "createdAt" ? "createdBefore" : "updatedBefore";
	for (const pivot of all) {
		const at = pivot[field];
		const afterIds = (await ctx.list(ctx.alice, { [after]: at })).items.map((s) => s.id);
		const beforeIds = (await ctx.list(ctx.alice, { [before]: at.toISOString() })).items.map(
			(s) => s.id,
		);
		// Lower bound inclusive, upper bound exclusive: the two halves partition the set.
		expect(afterIds).toContain(pivot.id);
		expect(beforeIds).not.toContain(pivot.id);
		expect([...afterIds, ...beforeIds].sort()).toEqual(all.map((s) => s.id).sort());
		for (const s of all) {
			expect(afterIds.includes(s.id)).toBe(s[field].getTime() >= at.getTime());
		}
		const zoned = await ctx.list(ctx.alice, { [after]: offsetIso(at, 120) });
		expect(zoned.items.map((s) => s.id)).toContain(pivot.id);
		const zonedBefore = await ctx.list(ctx.alice, { [before]: offsetIso(at, -330) });
		expect(zonedBefore.items.map((s) => s.id)).not.toContain(pivot.id);
	}
	const future = new Date(Date.now() + 86_400_000).toISOString();
	expect((await ctx.list(ctx.alice, { [after]: future })).total).toBe(0);
	expect((await ctx.list(ctx.alice, { [before]: "2000-01-01T00:00:00Z" })).total).toBe(0);
	const window = await ctx.list(ctx.alice, {
		[after]: "2000-01-01T00:00:00+00:00",
		[before]: future,
	});
	expect(window.total).toBe(all.length);
}

/** created/updated ranges. */
export const dateRanges: SecretsCheck = {
	name: "created/updated ranges: lower bound inclusive, upper exclusive, any time zone",
	async run(ctx) {
		const created = await create(ctx.alice, [ctx.name("a"), ctx.name("b"), ctx.name("c")]);
		await ctx.alice.updateSecret(created[0]!.id, { values: { k: "updated" } });
		// Read back so the bounds are the times the implementation stored.
		const stored = await Promise.all(created.map((s) => ctx.alice.getSecretMetadata(s.id)));
		await rangeSemantics(ctx, "createdAt", stored);
		await rangeSemantics(ctx, "updatedAt", stored);
	},
};

/** Sorting by each field, both ways. */
export const sorting: SecretsCheck = {
	name: "sort by name, createdAt and updatedAt, ascending and descending (default createdAt asc)",
	async run({ alice, prefix: t, list }) {
		const made = await create(alice, [`${t}-b`, `${t}-c`, `${t}-a`]);
		await alice.updateSecret(made[1]!.id, { values: { k: "later" } });
		const by = async (sortBy?: "name" | "createdAt" | "updatedAt", sortOrder?: "asc" | "desc") =>
			(
				await list(alice, {
					...(sortBy ? { sortBy } : {}),
					...(sortOrder ? { sortOrder } : {}),
				})
			).items;
		expect((await by("name")).map((s) => s.name)).toEqual([`${t}-a`, `${t}-b`, `${t}-c`]);
		expect((await by("name", "asc")).map((s) => s.name)).toEqual([`${t}-a`, `${t}-b`, `${t}-c`]);
		expect((await by("name", "desc")).map((s) => s.name)).toEqual([`${t}-c`, `${t}-b`, `${t}-a`]);
		for (const field of ["createdAt", "updatedAt"] as const) {
			for (const order of ["asc", "desc"] as const) {
				const times = (await by(field, order)).map((s) => s[field].getTime());
				expect(times).toHaveLength(3);
				const expected = [...times].sort((x, y) => (order === "asc" ? x - y : y - x));
				expect(times, `${field} ${order}`).toEqual(expected);
			}
		}
		const defaults = (await by()).map((s) => s.createdAt.getTime());
		expect(defaults).toEqual([...defaults].sort((x, y) => x - y));
	},
};

/** Pages, totals, past-the-end. */
export const paging: SecretsCheck = {
	name: "paging: total and totalPages, every item once, a page past the end is empty with totals",
	async run({ alice, name, list }) {
		const made = await create(
			alice,
			Array.from({ length: 5 }, (_, i) => name(`p${i}`)),
		);
		const seen: string[] = [];
		for (let page = 1; page <= 3; page++) {
			const p = await list(alice, { sortBy: "name", size: 2, page });
			expect(p).toMatchObject({ page, size: 2, total: 5, totalPages: 3 });
			expect(p.items).toHaveLength(page < 3 ? 2 : 1);
			seen.push(...p.items.map((s) => s.id));
		}
		expect(seen.sort()).toEqual(made.map((s) => s.id).sort());
		const past = await list(alice, { size: 2, page: 4 });
		expect(past).toMatchObject({ items: [], page: 4, size: 2, total: 5, totalPages: 3 });
		const none = await list(alice, { name: `equals:${name("none")}` });
		expect(none).toMatchObject({ items: [], total: 0, totalPages: 0, page: 1, size: 20 });
	},
};

/** Default and maximum page size. */
export const pageSizes: SecretsCheck = {
	name: "page size defaults to 20 and may be up to 1000",
	async run({ alice, name, list }) {
		await Promise.all(
			Array.from({ length: 21 }, (_, i) =>
				alice.createSecret({ name: name(`s${i}`), values: { k: "v" } }),
			),
		);
		const first = await list(alice);
		expect(first).toMatchObject({ page: 1, size: 20, total: 21, totalPages: 2 });
		expect(first.items).toHaveLength(20);
		const all = await list(alice, { size: 1000 });
		expect(all).toMatchObject({ size: 1000, total: 21, totalPages: 1 });
		expect(all.items).toHaveLength(21);
	},
};

/** No values in listings. */
export const listingsHaveNoValues: SecretsCheck = {
	name: "listings never include values",
	async run({ alice, name, canary, list, noLeak }) {
		await alice.createSecret({ name: name(), values: { password: canary() } });
		await alice.createSecret({ name: name(), values: { token: canary() }, scope: "user" });
		const page = await list(alice);
		expect(page.items).toHaveLength(2);
		for (const item of page.items) {
			expect("values" in item, "a listed item carries values").toBe(false);
			expect(item.keys.length).toBe(1);
		}
		noLeak(page, "listing");
	},
};
