/**
 * Secrets checks of bulk reads, masking of returned objects, concurrency (unique names,
 * optimistic concurrency, merges without a version), and reconciliation of a healthy store.
 */
import { randomUUID } from "node:crypto";
import { ConflictError, SecretExistsError, SecretNotFoundError } from "@strongbox/core";
import { expect } from "vitest";
import type { SecretsCheck } from "./secrets-context.js";

function outcomes(results: PromiseSettledResult<unknown>[]) {
	return {
		fulfilled: results.filter((r) => r.status === "fulfilled"),
		rejected: results
			.filter((r): r is PromiseRejectedResult => r.status === "rejected")
			.map((r) => r.reason as unknown),
	};
}

/** `getSecrets`. */
export const bulkGet: SecretsCheck = {
	name: "getSecrets returns the visible secrets in request order and leaves out missing and hidden ids",
	async run({ alice, bob, name }) {
		const a = await alice.createSecret({ name: name("a"), values: { k: "a" } });
		const mine = await alice.createSecret({ name: name("m"), values: { k: "m" }, scope: "user" });
		const bobs = await bob.createSecret({ name: name("b"), values: { k: "b" }, scope: "user" });
		const got = await alice.getSecrets([mine.id, randomUUID(), bobs.id, a.id]);
		expect(got.map((s) => s.id)).toEqual([mine.id, a.id]);
		expect(got.map((s) => s.values)).toEqual([{ k: "m" }, { k: "a" }]);
		expect(got[1]).toMatchObject({ name: a.name, version: 1, scope: "workspace" });
		expect(await alice.getSecrets([])).toEqual([]);
		expect((await bob.getSecrets([a.id, mine.id, bobs.id])).map((s) => s.id)).toEqual([
			a.id,
			bobs.id,
		]);
	},
};

/** Secrets print masked. */
export const maskedSecrets: SecretsCheck = {
	name: "values never appear in String(), JSON.stringify or util.inspect of a returned Secret",
	async run({ alice, name, canary, noLeak }) {
		const n = name();
		const created = await alice.createSecret({ name: n, values: { password: canary() } });
		noLeak(created, "created Secret");
		const updated = await alice.updateSecret(created.id, { values: { token: canary() } });
		noLeak(updated, "updated Secret");
		noLeak(await alice.getSecret(created.id), "Secret from getSecret");
		noLeak(await alice.getSecretByName(n), "Secret from getSecretByName");
		noLeak(await alice.getSecrets([created.id]), "Secrets from getSecrets");
		noLeak(await alice.getSecretMetadata(created.id), "metadata");
		// The values are still there for code that reads them explicitly.
		expect(Object.keys((await alice.getSecret(created.id)).values).sort()).toEqual([
			"password",
			"token",
		]);
	},
};

/** Unique names under a race. */
export const concurrentCreates: SecretsCheck = {
	name: "20 concurrent creates of one name: exactly 1 succeeds, 19 get SecretExistsError",
	async run({ alice, name, canary, noLeak }) {
		const n = name();
		const results = await Promise.allSettled(
			Array.from({ length: 20 }, (_, i) =>
				alice.createSecret({ name: n, values: { i: String(i), c: canary() } }),
			),
		);
		const { fulfilled, rejected } = outcomes(results);
		expect(fulfilled).toHaveLength(1);
		expect(rejected).toHaveLength(19);
		for (const error of rejected) {
			expect(error).toBeInstanceOf(SecretExistsError);
			noLeak(error, "error");
		}
		const winner = (fulfilled[0] as PromiseFulfilledResult<{ id: string }>).value;
		expect((await alice.getSecretByName(n)).id).toBe(winner.id);
	},
};

/** Optimistic concurrency under a race. */
export const concurrentVersionedUpdates: SecretsCheck = {
	name: "50 concurrent updates from one expectedVersion: exactly 1 succeeds, 49 ConflictError, nothing lost",
	async run({ alice, name, canary, noLeak }) {
		const s = await alice.createSecret({ name: name(), values: { base: "1" } });
		const results = await Promise.allSettled(
			Array.from({ length: 50 }, (_, i) =>
				alice.updateSecret(s.id, { values: { [`k${i}`]: canary() }, expectedVersion: 1 }),
			),
		);
		const { fulfilled, rejected } = outcomes(results);
		expect(fulfilled).toHaveLength(1);
		expect(rejected).toHaveLength(49);
		for (const error of rejected) {
			expect(error).toBeInstanceOf(ConflictError);
			noLeak(error, "error");
		}
		const winner = (fulfilled[0] as PromiseFulfilledResult<{ values: Record<string, string> }>)
			.value;
		const final = await alice.getSecret(s.id);
		expect(final.version).toBe(2);
		expect(final.values).toEqual(winner.values);
		expect(Object.keys(final.values)).toHaveLength(2);
		expect(final.values.base).toBe("1");
	},
};

/** Merges without a version all land. */
export const concurrentMerges: SecretsCheck = {
	name: "20 concurrent merges without expectedVersion: every key is present at the end",
	async run({ alice, name }) {
		const s = await alice.createSecret({ name: name(), values: { base: "1" } });
		const results = await Promise.allSettled(
			Array.from({ length: 20 }, (_, i) =>
				alice.updateSecret(s.id, { values: { [`k${i}`]: String(i) } }),
			),
		);
		const { rejected } = outcomes(results);
		expect(rejected, "merges without a version must wait their turn, not fail").toEqual([]);
		const final = await alice.getSecret(s.id);
		expect(final.version).toBe(21);
		expect(final.values).toEqual({
			base: "1",
			...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, String(i)])),
		});
	},
};

/** Reconciliation of a store with nothing interrupted changes nothing. */
export const reconcileHealthy: SecretsCheck = {
	name: "reconcile leaves settled secrets as they are",
	async run({ fixture, alice, name, rejects, skip }) {
		// Only in-process fixtures (and servers exposing it) can reconcile on demand.
		const reconcile = fixture.reconcile;
		if (!reconcile) return skip("the fixture has no reconcile()");
		const kept = await alice.createSecret({ name: name(), values: { k: "1" } });
		await alice.updateSecret(kept.id, { values: { k: "2" } });
		const gone = await alice.createSecret({ name: name(), values: { k: "x" } });
		await alice.deleteSecret(gone.id);
		await reconcile();
		expect(await alice.getSecret(kept.id)).toMatchObject({ version: 2, values: { k: "2" } });
		await rejects(alice.getSecret(gone.id), SecretNotFoundError);
	},
};
