import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { PayloadTooLargeError, ValidationError } from "./errors.js";
import {
	assertSize,
	isSecretId,
	LIMITS,
	nameIssues,
	normalizeFilter,
	scopeIssues,
	userIssues,
	validateName,
	validatePatch,
	validateValues,
	valuesSize,
	versionIssues,
	workspaceIssues,
} from "./validation.js";

const CANARY = "sbcanary5f2d9e1c";

/** Runs `fn`, expects a ValidationError, and checks that the canary is echoed nowhere. */
function refused(fn: () => unknown): ValidationError {
	let error: unknown;
	try {
		fn();
	} catch (e) {
		error = e;
	}
	expect(error).toBeInstanceOf(ValidationError);
	const e = error as ValidationError;
	for (const text of [e.message, String(e), JSON.stringify(e), inspect(e, { depth: Infinity })]) {
		expect(text).not.toContain(CANARY);
	}
	return e;
}

describe("names", () => {
	it.each(["a", "A-b_9", "n".repeat(255), "0"])("accepts %j", (name) => {
		expect(nameIssues(name)).toEqual([]);
		expect(() => validateName(name)).not.toThrow();
	});

	it.each([
		["empty", ""],
		["256 characters", "n".repeat(256)],
		["a dot", "."],
		["a dot inside", "a.b"],
		["a space", "a b"],
		["a slash", "a/b"],
		["unicode", "ünï"],
		["emoji", "db🔐"],
		["a newline", "db\n"],
	])("refuses %s", (_label, name) => {
		const e = refused(() => validateName(name));
		expect(e.issues).toHaveLength(1);
		expect(e.issues[0]!.path).toBe("name");
	});

	it.each([42, null, undefined, {}, ["db"]])("refuses the non-string %j", (name) => {
		expect(refused(() => validateName(name)).issues[0]!.message).toMatch(/must be a string/);
	});

	it("never echoes the name", () => {
		refused(() => validateName(`${CANARY} with space`));
		refused(() => validateName(CANARY.repeat(20)));
	});
});

describe("values", () => {
	it("accepts a map of strings, empty strings and an empty map", () => {
		expect(() => validateValues({ a: "1", b: "", "k-_9": "x" })).not.toThrow();
		expect(() => validateValues({})).not.toThrow();
		expect(() => validateValues(Object.assign(Object.create(null), { a: "1" }))).not.toThrow();
		expect(() => validateValues({ ["k".repeat(255)]: "v" })).not.toThrow();
	});

	it.each([
		["null", null],
		["a string", CANARY],
		["an array", [CANARY]],
		["a Date", new Date()],
		["a Map", new Map([["a", CANARY]])],
		[
			"a class instance",
			new (class Values {
				a = CANARY;
			})(),
		],
	])("refuses %s as the values map", (_label, values) => {
		expect(refused(() => validateValues(values)).issues[0]!.path).toBe("values");
	});

	it.each([
		["a number", 1],
		["a boolean", true],
		["null", null],
		["an object", { nested: CANARY }],
		["an array", [CANARY]],
		["undefined", undefined],
	])("refuses %s as a value", (_label, value) => {
		const e = refused(() => validateValues({ k: value }));
		expect(e.issues[0]).toMatchObject({
			path: "values.k",
			message: expect.stringMatching(/must be a string/),
		});
	});

	it("refuses a lone surrogate", () => {
		refused(() => validateValues({ k: `${CANARY}\uD800` }));
	});

	it.each([
		["empty", ""],
		["256 characters", "k".repeat(256)],
		["a dot (separates name and key in references)", "a.b"],
		["a dollar (reserved payload fields)", "$version"],
		["a space", "a b"],
		["unicode", "ключ"],
		["the reserved __proto__", "__proto__"],
	])("refuses a key with %s", (_label, key) => {
		const values = JSON.parse(JSON.stringify({ [key]: "v" })) as Record<string, string>;
		expect(Object.keys(values)).toEqual([key]);
		refused(() => validateValues(values));
	});

	it("never echoes an invalid key, which may be a pasted value", () => {
		const e = refused(() => validateValues({ ok: "v", [`${CANARY}=secret`]: "v" }));
		expect(e.issues[0]!.path).toBe("values[1]");
	});

	it("lists every problem at once, up to 20", () => {
		const e = refused(() => validateValues({ a: 1, b: 2, "c.d": "x" }));
		expect(e.issues).toHaveLength(3);
		expect(e.message).toMatch(/3 problems/);
		const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
		expect(refused(() => validateValues(many)).issues).toHaveLength(20);
	});

	it(`refuses more than ${LIMITS.maxKeys} keys`, () => {
		const values = Object.fromEntries(
			Array.from({ length: LIMITS.maxKeys + 1 }, (_, i) => [`k${i}`, "v"]),
		);
		expect(refused(() => validateValues(values)).issues[0]!.message).toMatch(/at most 1000/);
		delete values.k0;
		expect(() => validateValues(values)).not.toThrow();
	});

	it("a patch may remove a key with null, a full map may not", () => {
		expect(() => validatePatch({ a: null, b: "x" })).not.toThrow();
		refused(() => validateValues({ a: null }));
		expect(refused(() => validatePatch({ a: 1 })).issues[0]!.message).toMatch(/string or null/);
	});
});

describe("scopes, workspaces, users, ids, versions", () => {
	it("scope is workspace or user", () => {
		expect(scopeIssues("workspace")).toEqual([]);
		expect(scopeIssues("user")).toEqual([]);
		expect(scopeIssues("global")).toHaveLength(1);
		expect(scopeIssues(undefined)).toHaveLength(1);
	});

	it("workspaces are 1–64 of letters, digits, - and _", () => {
		expect(workspaceIssues("ws-a_1")).toEqual([]);
		expect(workspaceIssues("w".repeat(64))).toEqual([]);
		for (const bad of ["", "w".repeat(65), "a b", "a.b", 1])
			expect(workspaceIssues(bad)).toHaveLength(1);
	});

	it("users may also hold . @ and :", () => {
		expect(userIssues("alice@example.com")).toEqual([]);
		expect(userIssues("oidc:alice.smith")).toEqual([]);
		for (const bad of ["", "u".repeat(256), "a b", "a/b", null])
			expect(userIssues(bad)).toHaveLength(1);
	});

	it("ids are lower-case UUIDs", () => {
		expect(isSecretId("0b6f7c3e-4a1d-4c8e-9f2a-1b2c3d4e5f60")).toBe(true);
		for (const bad of [
			"0B6F7C3E-4A1D-4C8E-9F2A-1B2C3D4E5F60",
			"0b6f7c3e4a1d4c8e9f2a1b2c3d4e5f60",
			"0b6f7c3e-4a1d-4c8e-9f2a-1b2c3d4e5f60x",
			"",
			42,
			null,
		]) {
			expect(isSecretId(bad)).toBe(false);
		}
	});

	it("expectedVersion is absent or a non-negative integer", () => {
		expect(versionIssues(undefined)).toEqual([]);
		expect(versionIssues(0)).toEqual([]);
		expect(versionIssues(7)).toEqual([]);
		for (const bad of [-1, 1.5, "1", null, Number.NaN, 2 ** 60])
			expect(versionIssues(bad)).toHaveLength(1);
	});
});

describe("sizes", () => {
	it("measures UTF-8 bytes of the JSON text, escapes included", () => {
		expect(valuesSize({})).toBe(2);
		expect(valuesSize({ v: "" })).toBe(8);
		expect(valuesSize({ v: "é" })).toBe(10);
		expect(valuesSize({ v: "😀" })).toBe(12);
		expect(valuesSize({ v: '"' })).toBe(10);
		expect(valuesSize({ v: "\n" })).toBe(10);
		expect(valuesSize({ v: "\u0000" })).toBe(14);
	});

	it("the limit itself passes, one byte more is PayloadTooLargeError without the value", () => {
		const at = { v: `${CANARY}${"x".repeat(100 - 8 - CANARY.length)}` };
		expect(valuesSize(at)).toBe(100);
		expect(() => assertSize(at, 100)).not.toThrow();
		let error: unknown;
		try {
			assertSize({ v: `${at.v}x` }, 100, "aws");
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(PayloadTooLargeError);
		const e = error as PayloadTooLargeError;
		expect(e).toMatchObject({ store: "aws", status: 413, details: { size: 101, limit: 100 } });
		expect(e.message).toMatch(/101 bytes; the limit is 100 bytes \(store `aws`\)/);
		expect(JSON.stringify(e) + inspect(e)).not.toContain(CANARY);
	});
});

describe("filters", () => {
	it("applies defaults", () => {
		expect(normalizeFilter()).toEqual({ sortBy: "createdAt", sortOrder: "asc", page: 1, size: 20 });
		expect(normalizeFilter({})).toEqual(normalizeFilter());
	});

	it("parses name operators, a bare name and the object form", () => {
		expect(normalizeFilter({ name: "db" }).name).toEqual({ op: "equals", value: "db" });
		for (const op of ["equals", "contains", "startswith", "endswith"] as const) {
			expect(normalizeFilter({ name: `${op}:db_%` }).name).toEqual({ op, value: "db_%" });
			expect(normalizeFilter({ name: { op, value: "x" } }).name).toEqual({ op, value: "x" });
		}
	});

	it.each([
		["an unknown operator", { name: "like:db" }],
		["an empty value", { name: "contains:" }],
		["an empty name", { name: "" }],
		["a 256-character value", { name: "x".repeat(256) }],
		["an unknown object operator", { name: { op: "regex", value: "x" } }],
		["an unknown field", { bogus: 1 }],
		["a bad scope", { scope: "all" }],
		["a bad workspace", { workspace: "a b" }],
		["a bad owner", { owner: "a b" }],
		["a bad sortBy", { sortBy: "id" }],
		["a bad sortOrder", { sortOrder: "up" }],
		["page 0", { page: 0 }],
		["a fractional page", { page: 1.5 }],
		["a page past the limit", { page: LIMITS.maxPage + 1 }],
		["size 0", { size: 0 }],
		["size 1001", { size: 1001 }],
		["a date without a zone", { createdAfter: "2026-01-01T00:00:00" }],
		["a date without a time", { createdBefore: "2026-01-01" }],
		["a word for a date", { updatedAfter: "yesterday" }],
		["an impossible hour", { updatedBefore: "2026-01-31T25:00:00Z" }],
		["an impossible day", { updatedBefore: "2026-02-29T10:00:00Z" }],
		["day zero", { createdAfter: "2026-03-00T10:00:00Z" }],
		["an invalid Date object", { createdAfter: new Date(Number.NaN) }],
		["a number for a date", { createdAfter: 1767225600000 }],
		["a filter that is not an object", "name=db"],
	])("refuses %s", (_label, filter) => {
		refused(() => normalizeFilter(filter as never));
	});

	it("accepts ISO dates with any zone, and Date objects", () => {
		const f = normalizeFilter({
			createdAfter: "2026-01-01T12:00:00Z",
			createdBefore: "2026-01-01T14:00:00.250+02:00",
			updatedAfter: "2026-01-01T06:30:00-0530",
			updatedBefore: new Date("2026-01-02T00:00:00Z"),
		});
		expect(
			normalizeFilter({ createdAfter: "2028-02-29T00:00:00Z" }).createdAfter?.getUTCDate(),
		).toBe(29);
		expect(f.createdAfter?.toISOString()).toBe("2026-01-01T12:00:00.000Z");
		expect(f.createdBefore?.toISOString()).toBe("2026-01-01T12:00:00.250Z");
		expect(f.updatedAfter?.toISOString()).toBe("2026-01-01T12:00:00.000Z");
		expect(f.updatedBefore?.toISOString()).toBe("2026-01-02T00:00:00.000Z");
	});

	it("accepts page and size as digit strings (query strings) within the limits", () => {
		expect(normalizeFilter({ page: "3" as never, size: "1000" as never })).toMatchObject({
			page: 3,
			size: 1000,
		});
	});

	it("lists every problem at once and never echoes the filter value", () => {
		const e = refused(() =>
			normalizeFilter({ name: `like:${CANARY}`, size: 0, page: 0, bogus: CANARY } as never),
		);
		expect(e.issues.map((i) => i.path).sort()).toEqual(["bogus", "name", "page", "size"]);
	});
});
