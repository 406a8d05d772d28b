import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { createStore, StoreConfigError, validateStoreOptions } from "@strongbox/core";
import { afterAll, describe, expect, it } from "vitest";
import customTemplateStore from "./index.js";

const key = randomBytes(32).toString("base64");
const dirs: string[] = [];
afterAll(async () => {
	for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function configError(options: unknown): Promise<StoreConfigError> {
	const error = await validateStoreOptions(customTemplateStore, options).catch((e: unknown) => e);
	expect(error).toBeInstanceOf(StoreConfigError);
	return error as StoreConfigError;
}

describe("options", () => {
	it("accept a path and a base64 key (surrounding whitespace trimmed)", async () => {
		const options = await validateStoreOptions(customTemplateStore, {
			path: "./s.json",
			key: `${key}\n`,
			lockTimeoutMs: 100,
		});
		expect(options).toEqual({ path: "./s.json", key, lockTimeoutMs: 100 });
	});

	it("list every problem at once, never quoting the key", async () => {
		const badKeys = [
			randomBytes(31).toString("base64"),
			randomBytes(33).toString("base64"),
			randomBytes(32).toString("hex"),
			`${key.slice(0, 42)}B=`, // 32 bytes only when the last character's spare bits are 0
		];
		for (const bad of badKeys) {
			const error = await configError({ path: "s.json", key: bad, lockTimeoutMs: 0, extra: 1 });
			expect(error.message).toMatch(/^\[store-custom-template\] Invalid options \(3 problems\)/);
			expect(error.message).toContain("key: must be 32 bytes in base64");
			expect(error.message).toContain("lockTimeoutMs:");
			expect(error.message).toContain("extra");
			expect(
				`${error.message}${inspect(error, { depth: 10 })}${JSON.stringify(error)}`,
			).not.toContain(bad);
		}
	});

	it("require the key", async () => {
		const error = await configError({ path: "s.json" });
		expect(error.message).toContain("key: is required");
	});

	it("default the file into Strongbox's data directory, and need one of the two", async () => {
		const dataDir = await mkdtemp(join(tmpdir(), "sb-ct-options-"));
		dirs.push(dataDir);
		const store = await createStore(customTemplateStore, { key }, { dataDir });
		const id = "0b6f4a52-5a0e-4a5e-9a43-0f6f0c9c1a11";
		await store.set(id, { k: "v" }, { version: 1 });
		const again = await createStore(
			customTemplateStore,
			{ key, path: join(dataDir, "custom-template.json") },
			{},
		);
		expect(await again.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		const error = await createStore(customTemplateStore, { key }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StoreConfigError);
		expect((error as Error).message).toContain("Missing option `path`");
		await store.close();
		await again.close();
	});
});
