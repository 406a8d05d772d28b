import { createStore, StoreConfigError, validateStoreOptions } from "@strongbox/core";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./database.js";
import { sqlStore } from "./definition.js";
import { generateKey } from "./keyring.js";

describe("sql store options", () => {
	it("declares its capabilities and credential options", () => {
		expect(sqlStore.type).toBe("sql");
		expect(sqlStore.capabilities).toMatchObject({
			encryptsAtRest: true,
			bulkGet: true,
			listIds: true,
			maxValueBytes: 1024 * 1024,
		});
		expect(sqlStore.secretOptions).toEqual(["keys", "url"]);
	});

	it("lists every problem at once, quoting no key", async () => {
		const leaked = "dG9vLXNob3J0LWtleQ";
		const error = await validateStoreOptions(sqlStore, {
			tablePrefix: "Bad-Prefix",
			keys: `k1:${leaked}`,
			maxValueBytes: 0,
			insecureNoEncryption: "yes",
			bogus: 1,
		}).catch((e: unknown) => e as StoreConfigError);
		expect(error).toBeInstanceOf(StoreConfigError);
		const paths = (
			error as StoreConfigError & { details: { issues: { path: string }[] } }
		).details.issues.map((i) => i.path);
		expect(paths).toEqual(
			expect.arrayContaining([
				"tablePrefix",
				"keys.0.key",
				"maxValueBytes",
				"insecureNoEncryption",
			]),
		);
		expect(paths.length).toBe(5);
		expect((error as Error).message.includes(leaked)).toBe(false);
	});

	it("accepts a valid configuration", async () => {
		const options = {
			keys: [{ id: "a", key: generateKey() }],
			tablePrefix: "sb_",
			maxValueBytes: 10,
		};
		expect(await validateStoreOptions(sqlStore, options)).toEqual(options);
	});

	it("overrides the size limit per instance, and needs a database", async () => {
		const knex = openDatabase("sqlite::memory:");
		try {
			const store = await createStore(sqlStore, {
				knex,
				keys: `k:${generateKey()}`,
				maxValueBytes: 100,
			});
			expect(store.capabilities.maxValueBytes).toBe(100);
			await store.close();
			await expect(createStore(sqlStore, { keys: `k:${generateKey()}` })).rejects.toThrow(
				/needs a database/,
			);
		} finally {
			await knex.destroy();
		}
	});
});
