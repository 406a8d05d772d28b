import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { StoreError } from "./errors.js";
import {
	decodePayload,
	encodePayload,
	OWNER_FIELD,
	PAYLOAD_OVERHEAD,
	VERSION_FIELD,
} from "./payload.js";
import { valuesSize } from "./validation.js";

const CANARY = "sbcanary-payload-77";

describe("payload", () => {
	it("round-trips values, version and owner", () => {
		const values = { user: "app", password: CANARY, empty: "", json: '{"$version":"9"}' };
		const text = encodePayload(values, 12, "deployment-1");
		expect(JSON.parse(text)).toEqual({
			[VERSION_FIELD]: "12",
			[OWNER_FIELD]: "deployment-1",
			...values,
		});
		expect(decodePayload(text)).toEqual({ values, version: 12, owner: "deployment-1" });
	});

	it("omits the owner when none is given", () => {
		const text = encodePayload({ a: "1" }, 1);
		expect(JSON.parse(text)).toEqual({ $version: "1", a: "1" });
		expect(decodePayload(text)).toEqual({ values: { a: "1" }, version: 1, owner: undefined });
	});

	it("reads a payload written by another tool as version 0", () => {
		expect(decodePayload('{"a":"1"}')).toEqual({
			values: { a: "1" },
			version: 0,
			owner: undefined,
		});
		expect(decodePayload('{"$version":"x","a":"1"}').version).toBe(0);
	});

	it.each([
		["not JSON", `password=${CANARY}`],
		["an array", `["${CANARY}"]`],
		["a string", `"${CANARY}"`],
		["null", "null"],
		["a non-string value", `{"a":1,"b":"${CANARY}"}`],
		["a nested object", `{"a":{"b":"${CANARY}"}}`],
	])("refuses %s with a StoreError that never quotes the payload", (_label, text) => {
		let error: unknown;
		try {
			decodePayload(text, "aws");
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(StoreError);
		expect((error as StoreError).store).toBe("aws");
		expect(
			`${String(error)}${JSON.stringify(error)}${inspect(error, { depth: Infinity, showHidden: true })}`,
		).not.toContain(CANARY);
	});

	it(`adds at most PAYLOAD_OVERHEAD (${PAYLOAD_OVERHEAD}) bytes to valuesSize`, () => {
		const owner = "d".repeat(64);
		for (const values of [{}, { a: "1" }, { ["k".repeat(255)]: "é".repeat(1000) }]) {
			const bytes = Buffer.byteLength(encodePayload(values, Number.MAX_SAFE_INTEGER, owner));
			expect(bytes - valuesSize(values)).toBeLessThanOrEqual(PAYLOAD_OVERHEAD);
		}
	});
});
