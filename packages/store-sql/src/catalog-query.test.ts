import { describe, expect, it } from "vitest";
import { escapeLike, prefixUpperBound } from "./catalog-query.js";

describe("listing helpers", () => {
	it("escapes LIKE wildcards and the escape character", () => {
		expect(escapeLike("a%b_c!d\\e")).toBe("a!%b!_c!!d\\e");
	});

	it("finds the first string after every string with a prefix", () => {
		expect(prefixUpperBound("db")).toBe("dc");
		expect(prefixUpperBound("a-")).toBe("a.");
		expect(prefixUpperBound("z\u{10FFFF}")).toBe("{");
		expect(prefixUpperBound("\u{10FFFF}")).toBeUndefined();
		expect(prefixUpperBound("a\uD7FF")).toBe("a\uE000");
	});
});
