import { DecryptionError } from "@strongbox/core";
import { describe, expect, it } from "vitest";
import { createCipher } from "./crypto.js";
import { generateKey, parseKeyRing } from "./keyring.js";

const ID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const OTHER = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

describe("envelopes", () => {
	const ring = parseKeyRing(`k1:${generateKey()}`);
	const cipher = createCipher(ring, false, "dep");

	it("round-trips values and names the key and format", () => {
		const values = { a: "1", "b-c": 'é\u0000"\\', empty: "" };
		const sealed = cipher.seal(ID, 3, values);
		expect(sealed.keyId).toBe("k1");
		expect(sealed.envelope).toMatch(/^v1\.k1\.[A-Za-z0-9_-]+$/);
		expect(cipher.keyIdOf(sealed.envelope)).toBe("k1");
		expect(cipher.open(ID, 3, sealed.envelope)).toEqual(values);
	});

	it("uses a fresh nonce for every write", () => {
		const nonces = new Set<string>();
		for (let i = 0; i < 2000; i++) {
			const sealed = Buffer.from(cipher.seal(ID, 1, { a: "same" }).envelope.slice(6), "base64url");
			nonces.add(sealed.subarray(0, 12).toString("hex"));
		}
		expect(nonces.size).toBe(2000);
	});

	it("fails every single-byte change, and a different id, version, key id or deployment", () => {
		const { envelope } = cipher.seal(ID, 1, { a: "secret-value" });
		const bytes = Buffer.from(envelope.slice(6), "base64url");
		for (let i = 0; i < bytes.length; i++) {
			const copy = Buffer.from(bytes);
			copy[i] = copy[i]! ^ 0x01;
			expect(() => cipher.open(ID, 1, `v1.k1.${copy.toString("base64url")}`)).toThrow(
				DecryptionError,
			);
		}
		expect(() => cipher.open(OTHER, 1, envelope)).toThrow(DecryptionError);
		expect(() => cipher.open(ID, 2, envelope)).toThrow(DecryptionError);
		expect(() => createCipher(ring, false, "other").open(ID, 1, envelope)).toThrow(DecryptionError);
		expect(() => cipher.open(ID, 1, envelope.slice(0, 20))).toThrow(DecryptionError);
		expect(() => cipher.open(ID, 1, "v9.k1.xyz")).toThrow(DecryptionError);
	});

	it("names the secret and key, never the values or the key, when it fails", () => {
		const other = createCipher(parseKeyRing(`k1:${generateKey()}`), false, "dep");
		const { envelope } = other.seal(ID, 1, { a: "secret-value" });
		try {
			cipher.open(ID, 1, envelope);
			expect.fail("decrypted with the wrong key");
		} catch (error) {
			const e = error as DecryptionError;
			expect(e).toBeInstanceOf(DecryptionError);
			expect(e.details).toMatchObject({ id: ID, keyId: "k1" });
			expect(JSON.stringify(e.toJSON())).not.toContain("secret-value");
			expect(e.message).not.toContain(ring[0]!.key.toString("base64"));
		}
	});

	it("writes and reads plaintext only when allowed", () => {
		const insecure = createCipher([], true, "dep");
		const sealed = insecure.seal(ID, 1, { a: "b" });
		expect(sealed).toEqual({ keyId: "", envelope: 'v0.{"a":"b"}' });
		expect(insecure.open(ID, 1, sealed.envelope)).toEqual({ a: "b" });
		expect(() => cipher.open(ID, 1, sealed.envelope)).toThrow(/stored without encryption/);
		expect(() => insecure.open(ID, 1, 'v0.{"a":1}')).toThrow(/non-string/);
	});
});
