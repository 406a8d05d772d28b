import { describe, expect, it } from "vitest";
import { schema } from "../test/support.js";
import {
	DEFAULT_CAPABILITIES,
	defineStore,
	isStoreDefinition,
	STORE_CONTRACT_VERSION,
	STORE_DEFINITION_TYPE,
	type StoreDefinition,
} from "./store.js";

const create = () => {
	throw new Error("not called");
};

describe("defineStore", () => {
	it.each(["aws", "sql", "acme-kv", "s3", "a1-b2-c3", "x".repeat(64)])(
		"accepts the type id %j",
		(type) => {
			expect(defineStore({ type, configSchema: schema(), create }).type).toBe(type);
		},
	);

	it.each([
		["empty", ""],
		["upper case", "AWS"],
		["a leading digit", "1store"],
		["a leading dash", "-aws"],
		["a trailing dash", "aws-"],
		["a double dash", "aws--kv"],
		["an underscore", "aws_kv"],
		["a scope", "@acme/kv"],
		["65 characters", "x".repeat(65)],
		["a non-string", 42],
	])("refuses a type id with %s", (_label, type) => {
		expect(() => defineStore({ type: type as string, configSchema: schema(), create })).toThrow(
			TypeError,
		);
	});

	it("refuses a missing create function or a schema that is not a Standard Schema", () => {
		expect(() =>
			defineStore({ type: "a", configSchema: schema(), create: undefined as never }),
		).toThrow(/`create` must be a function/);
		expect(() => defineStore({ type: "a", configSchema: {} as never, create })).toThrow(
			/Standard Schema/,
		);
		expect(() => defineStore({ type: "a", configSchema: { parse() {} } as never, create })).toThrow(
			TypeError,
		);
	});

	it("fills default capabilities and keeps the declared ones", () => {
		expect(defineStore({ type: "a", configSchema: schema(), create }).capabilities).toEqual(
			DEFAULT_CAPABILITIES,
		);
		const d = defineStore({
			type: "a",
			configSchema: schema(),
			create,
			capabilities: { bulkGet: true, maxValueBytes: 25_000 },
		});
		expect(d.capabilities).toEqual({
			...DEFAULT_CAPABILITIES,
			bulkGet: true,
			maxValueBytes: 25_000,
		});
		expect(DEFAULT_CAPABILITIES).toMatchObject({
			maxValueBytes: 65_536,
			bulkGet: false,
			listIds: false,
			encryptsAtRest: false,
		});
	});

	it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
		"refuses maxValueBytes %d",
		(maxValueBytes) => {
			expect(() =>
				defineStore({ type: "a", configSchema: schema(), create, capabilities: { maxValueBytes } }),
			).toThrow(/maxValueBytes must be a positive integer/);
		},
	);

	it("brands and freezes the definition", () => {
		const secretOptions = ["token"];
		const d = defineStore({ type: "a", configSchema: schema(), create, secretOptions });
		expect(d.$$type).toBe(STORE_DEFINITION_TYPE);
		expect(d.version).toBe(STORE_CONTRACT_VERSION);
		expect(Object.isFrozen(d)).toBe(true);
		expect(Object.isFrozen(d.capabilities)).toBe(true);
		expect(Object.isFrozen(d.secretOptions)).toBe(true);
		secretOptions.push("password");
		expect(d.secretOptions).toEqual(["token"]);
		expect(defineStore({ type: "b", configSchema: schema(), create }).secretOptions).toEqual([]);
	});
});

describe("isStoreDefinition", () => {
	const good = defineStore({ type: "a", configSchema: schema(), create });

	it("accepts a definition made by defineStore", () => {
		expect(isStoreDefinition(good)).toBe(true);
	});

	it("refuses look-alikes, other contract versions and non-objects", () => {
		const copy = { ...good } as Record<string, unknown>;
		expect(isStoreDefinition(copy)).toBe(true);
		expect(isStoreDefinition({ ...copy, $$type: "something-else" })).toBe(false);
		expect(isStoreDefinition({ ...copy, version: 2 })).toBe(false);
		expect(isStoreDefinition({ ...copy, version: "1" })).toBe(false);
		expect(isStoreDefinition({ ...copy, create: "no" })).toBe(false);
		const { $$type: _, ...unbranded } = good as StoreDefinition;
		expect(isStoreDefinition(unbranded)).toBe(false);
		for (const value of [null, undefined, 42, "aws", () => good])
			expect(isStoreDefinition(value)).toBe(false);
	});
});
