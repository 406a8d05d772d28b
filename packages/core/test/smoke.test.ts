import { describe, expect, it } from "vitest";
import { createMemoryStore, createSecrets, memoryCatalog } from "../src/index.js";

describe("smoke", () => {
	it("round trip", async () => {
		const secrets = createSecrets({ catalog: memoryCatalog(), store: createMemoryStore() });
		const s = await secrets.createSecret({ name: "db", values: { user: "u", password: "p" } });
		expect(s.version).toBe(1);
		const got = await secrets.getSecretByName("db");
		expect(got.values).toEqual({ user: "u", password: "p" });
		const u = await secrets.updateSecret(s.id, { values: { password: null, host: "h" } });
		expect(u.values).toEqual({ user: "u", host: "h" });
		expect(u.version).toBe(2);
		const r = await secrets.updateSecret(s.id, { name: "db2" });
		expect(r.version).toBe(3);
		const list = await secrets.listSecrets({ name: "contains:db" });
		expect(list.total).toBe(1);
		await secrets.deleteSecret(s.id);
		await expect(secrets.getSecret(s.id)).rejects.toMatchObject({ code: "SECRET_NOT_FOUND" });
		expect(JSON.stringify(got)).not.toContain('"p"');
	});
	it("50 concurrent updates from one version", async () => {
		const secrets = createSecrets({ catalog: memoryCatalog(), store: createMemoryStore() });
		const s = await secrets.createSecret({ name: "db", values: { a: "1" } });
		const results = await Promise.allSettled(
			Array.from({ length: 50 }, (_, i) =>
				secrets.updateSecret(s.id, { values: { [`k${i}`]: "x" }, expectedVersion: 1 }),
			),
		);
		expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
		const noVersion = await Promise.allSettled(
			Array.from({ length: 50 }, (_, i) =>
				secrets.updateSecret(s.id, { values: { [`m${i}`]: "x" } }),
			),
		);
		expect(noVersion.filter((r) => r.status === "fulfilled")).toHaveLength(50);
		const final = await secrets.getSecret(s.id);
		expect(final.version).toBe(52);
		expect(Object.keys(final.values).filter((k) => k.startsWith("m"))).toHaveLength(50);
	});
});
