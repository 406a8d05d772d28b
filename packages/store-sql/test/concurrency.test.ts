/**
 * Concurrent writers on each database: optimistic concurrency and name uniqueness hold
 * under real contention (PostgreSQL and MySQL through a pool of connections).
 */
import { ConflictError, SecretExistsError, type SecretsService } from "@strongbox/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey } from "../src/keyring.js";
import { type DatabaseFixture, openFixture, testDatabases } from "./databases.js";
import { sqlSecrets } from "./helpers.js";

describe.each(testDatabases())("concurrent writers on $name", (db) => {
	let fixture: DatabaseFixture;
	let secrets: SecretsService;
	beforeAll(async () => {
		fixture = await openFixture(db);
		({ secrets } = await sqlSecrets(fixture, { keys: `k1:${generateKey()}` }));
	});
	afterAll(async () => {
		await secrets?.close();
		await fixture?.cleanup();
	});

	it("50 updates with the same expectedVersion: exactly one wins, 49 conflict, nothing is lost or half-written", async () => {
		const created = await secrets.createSecret({
			name: "race-update",
			values: { a: "0", keep: "k" },
		});
		const results = await Promise.allSettled(
			Array.from({ length: 50 }, (_, i) =>
				secrets.updateSecret(created.id, {
					values: { a: `writer-${i}`, [`w${i}`]: String(i) },
					expectedVersion: 1,
				}),
			),
		);
		const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
		const lost = results.filter((r) => r.status === "rejected");
		expect(won).toHaveLength(1);
		expect(lost).toHaveLength(49);
		for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
		const winner = won[0]!;
		const after = await secrets.getSecret(created.id);
		expect(after.version).toBe(2);
		expect(after.values).toEqual({
			a: `writer-${winner}`,
			keep: "k",
			[`w${winner}`]: String(winner),
		});
		expect(after.keys).toEqual(Object.keys(after.values).sort());
		const row = await secrets.catalog.get(created.id);
		expect(row).toMatchObject({ version: 2, valuesVersion: 2, pending: null, state: "active" });
	});

	it("20 creates of one name: exactly one succeeds, 19 get SecretExistsError", async () => {
		const values = `${fixture.prefix}values`;
		const before = Number((await fixture.knex(values).count({ n: "*" }))[0]!.n);
		const results = await Promise.allSettled(
			Array.from({ length: 20 }, (_, i) =>
				secrets.createSecret({ name: "race-create", values: { n: String(i) } }),
			),
		);
		const ok = results.filter((r) => r.status === "fulfilled");
		const failed = results.filter((r) => r.status === "rejected");
		expect(ok).toHaveLength(1);
		expect(failed).toHaveLength(19);
		for (const r of failed)
			expect((r as PromiseRejectedResult).reason).toBeInstanceOf(SecretExistsError);
		const { items, total } = await secrets.listSecrets({ name: "race-create" });
		expect(total).toBe(1);
		expect(items[0]!.id).toBe((ok[0] as PromiseFulfilledResult<{ id: string }>).value.id);
		expect(Number((await fixture.knex(values).count({ n: "*" }))[0]!.n)).toBe(before + 1);
	});

	it("concurrent renames onto one name: one wins, the others get SecretExistsError", async () => {
		const ids = [];
		for (let i = 0; i < 10; i++)
			ids.push(
				(await secrets.createSecret({ name: `race-rename-${i}`, values: { i: String(i) } })).id,
			);
		const results = await Promise.allSettled(
			ids.map((id) => secrets.updateSecret(id, { name: "race-renamed" })),
		);
		expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
		for (const r of results.filter((r) => r.status === "rejected")) {
			expect((r as PromiseRejectedResult).reason).toBeInstanceOf(SecretExistsError);
		}
	});
});
