import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { DecryptionError } from "@strongbox/core";
import { describe, expect, it } from "vitest";
import { createCipher, keyIdOf } from "./crypto.js";

const key = randomBytes(32).toString("base64");
const id = "0b6f4a52-5a0e-4a5e-9a43-0f6f0c9c1a11";
const other = "7d1c2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e";
const canary = "canary-c2VjcmV0-value";

function expectDecryptionError(fn: () => unknown): void {
	let error: unknown;
	try {
		fn();
	} catch (e) {
		error = e;
	}
	expect(error).toBeInstanceOf(DecryptionError);
	expect(inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })).not.toContain(
		canary,
	);
}

describe("cipher", () => {
	it("round-trips values, with a fresh nonce for every seal", () => {
		const cipher = createCipher(key, "dep-a");
		const a = cipher.seal(id, 3, { password: canary, empty: "" });
		const b = cipher.seal(id, 3, { password: canary, empty: "" });
		expect(a.nonce).not.toBe(b.nonce);
		expect(a.data).not.toBe(b.data);
		expect(a.version).toBe(3);
		expect(cipher.open(id, a)).toEqual({ password: canary, empty: "" });
		expect(JSON.stringify(a)).not.toContain(canary);
	});

	it("binds an entry to its secret id, version, deployment and key", () => {
		const cipher = createCipher(key, "dep-a");
		const entry = cipher.seal(id, 1, { password: canary });
		// Copied to another secret, relabelled with another version, read by another deployment.
		expectDecryptionError(() => cipher.open(other, entry));
		expectDecryptionError(() => cipher.open(id, { ...entry, version: 2 }));
		expectDecryptionError(() => createCipher(key, "dep-b").open(id, entry));
		const otherKey = createCipher(randomBytes(32).toString("base64"), "dep-a");
		expectDecryptionError(() => otherKey.open(id, { ...entry, keyId: otherKey.keyId }));
	});

	it("detects a flipped bit and a truncated entry", () => {
		const cipher = createCipher(key, "dep-a");
		const entry = cipher.seal(id, 1, { password: canary });
		const bytes = Buffer.from(entry.data, "base64");
		bytes[0] = bytes[0]! ^ 1;
		expectDecryptionError(() => cipher.open(id, { ...entry, data: bytes.toString("base64") }));
		const short = Buffer.from(entry.data, "base64").subarray(0, 10).toString("base64");
		expectDecryptionError(() => cipher.open(id, { ...entry, data: short }));
	});

	it("derives a stable public key id that differs between keys", () => {
		const bytes = Buffer.from(key, "base64");
		expect(keyIdOf(bytes)).toMatch(/^[0-9a-f]{16}$/);
		expect(createCipher(key, "x").keyId).toBe(keyIdOf(bytes));
		expect(keyIdOf(randomBytes(32))).not.toBe(keyIdOf(bytes));
		expect(keyIdOf(bytes)).not.toContain(bytes.toString("hex").slice(0, 16));
	});
});
