import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreConfigError } from "@strongbox/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
	generateKey,
	keyCheck,
	keyRingIssues,
	mergeRings,
	parseKeyRing,
	readKeyFile,
	sameCheck,
} from "./keyring.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe("key ring", () => {
	it("generates 32-byte base64 keys", () => {
		const key = generateKey();
		expect(Buffer.from(key, "base64")).toHaveLength(32);
		expect(key).not.toBe(generateKey());
	});

	it("parses a ring string; the first key is first", () => {
		const a = generateKey();
		const b = Buffer.from(generateKey(), "base64");
		const ring = parseKeyRing(` new:${a} ,\n old:${b.toString("hex")}`);
		expect(ring.map((k) => k.id)).toEqual(["new", "old"]);
		expect(ring[0]!.key).toEqual(Buffer.from(a, "base64"));
		expect(ring[1]!.key).toEqual(b);
		const urlSafe = Buffer.from(a, "base64").toString("base64url");
		expect(parseKeyRing(`u:${urlSafe}`)[0]!.key).toEqual(Buffer.from(a, "base64"));
	});

	it("parses an array of keys given as text or bytes", () => {
		const bytes = new Uint8Array(32).fill(7);
		const ring = parseKeyRing([
			{ id: "a", key: bytes },
			{ id: "b", key: generateKey() },
		]);
		expect(ring[0]!.key).toEqual(Buffer.from(bytes));
	});

	it("lists every problem without quoting any key", () => {
		const secretish = "c2hvcnQta2V5LW1hdGVyaWFs";
		const issues = keyRingIssues(
			`ok:${generateKey()},bad.id:${generateKey()},short:${secretish},ok:${generateKey()},nocolon`,
		);
		const text = JSON.stringify(issues);
		expect(issues.map((i) => i.path)).toEqual([
			"keys[1].id",
			"keys[2].key",
			"keys[3].id",
			"keys[4]",
		]);
		expect(text.includes(secretish)).toBe(false);
		expect(keyRingIssues("")).toEqual([{ path: "keys", message: "holds no key" }]);
		expect(keyRingIssues([])).toEqual([{ path: "keys", message: "holds no key" }]);
		expect(keyRingIssues([{ id: "a", key: new Uint8Array(16) }])[0]!.path).toBe("keys[0].key");
		const error = (() => {
			try {
				parseKeyRing(`x:${secretish}`);
			} catch (e) {
				return e;
			}
		})();
		expect(error).toBeInstanceOf(StoreConfigError);
		expect(String((error as Error).message).includes(secretish)).toBe(false);
	});

	it("never echoes a key pasted where an id belongs", () => {
		const key = generateKey().replace(/[+/=]/g, "A").slice(0, 43);
		const issues = keyRingIssues(`${key}:`);
		expect(JSON.stringify(issues).includes(key)).toBe(false);
	});

	it("merges rings; the same id twice must be the same key", () => {
		const a = parseKeyRing(`a:${generateKey()}`);
		const b = parseKeyRing(`b:${generateKey()}`);
		expect(mergeRings(a, b, a).map((k) => k.id)).toEqual(["a", "b"]);
		expect(() => mergeRings(a, parseKeyRing(`a:${generateKey()}`))).toThrow(StoreConfigError);
	});

	it("derives a check value that tells keys apart without revealing them", () => {
		const [a] = parseKeyRing(`k:${generateKey()}`);
		const [b] = parseKeyRing(`k:${generateKey()}`);
		expect(sameCheck(keyCheck(a!), keyCheck(a!))).toBe(true);
		expect(sameCheck(keyCheck(a!), keyCheck(b!))).toBe(false);
		expect(sameCheck(keyCheck(a!), "short")).toBe(false);
		expect(keyCheck(a!).includes(a!.key.toString("base64"))).toBe(false);
	});

	describe("key files", () => {
		let dir: string;
		beforeAll(async () => {
			dir = await mkdtemp(join(tmpdir(), "strongbox-keys-"));
		});
		afterAll(async () => {
			await rm(dir, { recursive: true, force: true });
		});

		it("reads a ring with comments and new lines", async () => {
			const file = join(dir, "ring.key");
			await writeFile(file, `# rotated 2026-01\nk2:${generateKey()}\n\nk1:${generateKey()}\n`, {
				mode: 0o600,
			});
			expect((await readKeyFile(file, silent)).map((k) => k.id)).toEqual(["k2", "k1"]);
		});

		it("warns when the file is readable by others", async () => {
			const file = join(dir, "open.key");
			await writeFile(file, `k:${generateKey()}`, { mode: 0o644 });
			const warnings: string[] = [];
			await readKeyFile(file, { ...silent, warn: (m: string) => warnings.push(m) });
			expect(warnings.join()).toContain("chmod 600");
		});

		it("fails with StoreConfigError naming a missing or invalid file", async () => {
			const missing = join(dir, "missing.key");
			await expect(readKeyFile(missing, silent)).rejects.toThrow(missing);
			const bad = join(dir, "bad.key");
			await writeFile(bad, "k:tooshort", { mode: 0o600 });
			await expect(readKeyFile(bad, silent)).rejects.toThrow(/keyFile\[0\]\.key/);
		});
	});
});
