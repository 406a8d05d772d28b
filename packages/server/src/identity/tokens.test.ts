import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { digestsEqual, generateToken, hashToken, isTokenShaped, TOKEN_PATTERN } from "./tokens.js";

describe("tokens", () => {
	it("are unique, shaped `sbx_` + 43 base64url characters, and hash to SHA-256 hex", () => {
		const seen = new Set(Array.from({ length: 1000 }, generateToken));
		expect(seen.size).toBe(1000);
		for (const token of seen) expect(token).toMatch(TOKEN_PATTERN);
		const token = generateToken();
		expect(hashToken(token)).toBe(createHash("sha256").update(token).digest("hex"));
		expect(isTokenShaped(token)).toBe(true);
		expect(isTokenShaped(`${token}=`)).toBe(false);
		expect(isTokenShaped(token.slice(0, -1))).toBe(false);
	});

	it("digests compare in constant time, and anything but two 64-digit hex digests is unequal without throwing", () => {
		const a = hashToken("a");
		expect(digestsEqual(a, hashToken("a"))).toBe(true);
		expect(digestsEqual(a, hashToken("b"))).toBe(false);
		// timingSafeEqual would throw on a length mismatch: the shape check comes first.
		for (const other of ["", a.slice(0, 63), `${a}0`, a.toUpperCase(), "z".repeat(64), "00"]) {
			expect(digestsEqual(a, other)).toBe(false);
			expect(digestsEqual(other, a)).toBe(false);
		}
	});
});
