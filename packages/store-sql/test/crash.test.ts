/**
 * Crash safety: the steps of the write protocol are run by hand and stopped between two
 * of them, as a crash would; `reconcile` must then settle every row the right way.
 */
import { randomUUID } from "node:crypto";
import { SecretNotFoundError, type SecretsService } from "@strongbox/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlCatalog } from "../src/catalog.js";
import { generateKey } from "../src/keyring.js";
import { type DatabaseFixture, openFixture, testDatabases } from "./databases.js";
import { sqlSecrets } from "./helpers.js";

describe.each(testDatabases())("crash recovery on $name", (db) => {
	let fixture: DatabaseFixture;
	let secrets: SecretsService;
	let catalog: SqlCatalog;
	beforeAll(async () => {
		fixture = await openFixture(db);
		({ secrets, catalog } = await sqlSecrets(
			fixture,
			{ keys: `k1:${generateKey()}` },
			{ reconcileOnStart: false },
		));
	});
	afterAll(async () => {
		await secrets?.close();
		await fixture?.cleanup();
	});

	it("settles pending creates, pending updates, interrupted deletes and orphaned values", async () => {
		const store = secrets.store;
		const past = new Date(Date.now() - 60_000);
		const row = (name: string) => ({
			id: randomUUID(),
			name,
			scope: "workspace" as const,
			workspace: "default",
			owner: null,
			keys: ["a"],
			backend: store.name,
			now: past,
		});

		// 1. Create: row inserted, values written, crash before commitCreate.
		const created = row("crash-create-written");
		await catalog.insertPending(created);
		await store.set(created.id, { a: "1" }, { version: 1 });
		// 2. Create: row inserted, crash before the values were written.
		const lost = row("crash-create-lost");
		await catalog.insertPending(lost);
		// 3. Update: write begun (with a rename), values written, crash before commitWrite.
		const updated = await secrets.createSecret({
			name: "crash-update-written",
			values: { a: "old" },
		});
		expect(
			await catalog.beginWrite(updated.id, {
				fromVersion: 1,
				keys: ["a", "b"],
				metadata: { name: "crash-update-renamed" },
				now: past,
			}),
		).toBe(true);
		await store.set(updated.id, { a: "new", b: "2" }, { version: 2 });
		// 4. Update: write begun (with a rename), crash before the values were written.
		const undone = await secrets.createSecret({ name: "crash-update-lost", values: { a: "old" } });
		expect(
			await catalog.beginWrite(undone.id, {
				fromVersion: 1,
				keys: ["a", "z"],
				metadata: { name: "crash-update-moved" },
				now: past,
			}),
		).toBe(true);
		// 5. Delete: marked, crash before the values were deleted.
		const deleting = await secrets.createSecret({ name: "crash-delete", values: { a: "x" } });
		expect(await catalog.markDeleting(deleting.id, 1)).toBe(true);
		// 6. Delete: marked and values deleted, crash before the row was removed.
		const halfDeleted = await secrets.createSecret({
			name: "crash-delete-half",
			values: { a: "x" },
		});
		expect(await catalog.markDeleting(halfDeleted.id, 1)).toBe(true);
		expect(await store.delete(halfDeleted.id)).toBe(true);
		// 7. Values with no catalog row at all.
		const orphan = randomUUID();
		await store.set(orphan, { a: "orphan" }, { version: 1 });

		// Nothing unsettled is visible meanwhile.
		await expect(secrets.getSecret(created.id)).rejects.toBeInstanceOf(SecretNotFoundError);
		await expect(secrets.getSecret(deleting.id)).rejects.toBeInstanceOf(SecretNotFoundError);
		expect((await secrets.listSecrets({ name: "startswith:crash-create" })).total).toBe(0);

		const report = await secrets.reconcile({ staleAfterMs: 0 });
		expect(report).toEqual({
			completed: 2,
			rolledBack: 2,
			deleted: 2,
			orphansRemoved: 1,
			deferred: 0,
		});

		const one = await secrets.getSecret(created.id);
		expect(one).toMatchObject({ name: "crash-create-written", version: 1, values: { a: "1" } });
		expect(await catalog.get(lost.id)).toBeUndefined();
		expect(await store.get(lost.id)).toBeUndefined();
		await secrets.createSecret({ name: "crash-create-lost", values: { a: "again" } });

		const three = await secrets.getSecret(updated.id);
		expect(three).toMatchObject({
			name: "crash-update-renamed",
			version: 2,
			keys: ["a", "b"],
			values: { a: "new", b: "2" },
		});
		expect(await catalog.get(updated.id)).toMatchObject({
			version: 2,
			valuesVersion: 2,
			pending: null,
		});

		const four = await secrets.getSecret(undone.id);
		expect(four).toMatchObject({
			name: "crash-update-lost",
			version: 1,
			keys: ["a"],
			values: { a: "old" },
		});
		expect(await catalog.get(undone.id)).toMatchObject({ version: 1, pending: null });

		for (const id of [deleting.id, halfDeleted.id]) {
			expect(await catalog.get(id)).toBeUndefined();
			expect(await store.get(id)).toBeUndefined();
		}
		expect(await store.get(orphan)).toBeUndefined();
		expect(await secrets.reconcile({ staleAfterMs: 0 })).toEqual({
			completed: 0,
			rolledBack: 0,
			deleted: 0,
			orphansRemoved: 0,
			deferred: 0,
		});
	});
});
