/**
 * Encryption at rest on each database: nothing readable in the raw storage, tampering
 * and relocation detected, and no key or value in any error.
 */
import { DecryptionError, type SecretsService } from "@strongbox/core";
import { assertNoLeak, makeCanary } from "@strongbox/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKey } from "../src/keyring.js";
import { type DatabaseFixture, openFixture, testDatabases } from "./databases.js";
import { rawDump, sqlSecrets } from "./helpers.js";

const KEY = generateKey();
const KEYS = `k1:${KEY}`;

describe.each(testDatabases())("encryption at rest on $name", (db) => {
	let fixture: DatabaseFixture;
	let secrets: SecretsService;
	const values = (fixture: DatabaseFixture) => `${fixture.prefix}values`;

	beforeAll(async () => {
		fixture = await openFixture(db);
		({ secrets } = await sqlSecrets(fixture, { keys: KEYS }));
	});
	afterAll(async () => {
		await secrets?.close();
		await fixture?.cleanup();
	});

	async function envelope(id: string): Promise<string> {
		const row = await fixture.knex(values(fixture)).where({ id }).first("envelope");
		return row.envelope as string;
	}

	async function setEnvelope(id: string, text: string, extra: Record<string, unknown> = {}) {
		await fixture
			.knex(values(fixture))
			.where({ id })
			.update({ envelope: text, ...extra });
	}

	it("holds no value in clear anywhere in the database (nor in base64 or hex)", async () => {
		const secret = makeCanary();
		const next = makeCanary();
		const a = await secrets.createSecret({
			name: "enc-clear",
			values: { password: secret, other: `x${secret}` },
		});
		await secrets.updateSecret(a.id, { values: { password: next } });
		await secrets.createSecret({
			name: "enc-clear-user",
			scope: "user",
			values: { token: secret },
		});
		expect((await secrets.getSecret(a.id)).values).toEqual({ password: next, other: `x${secret}` });
		const dump = await rawDump(fixture);
		expect(dump.length).toBeGreaterThan(0);
		expect(dump).toContain("enc-clear"); // names are metadata, kept in clear
		for (const value of [secret, next]) {
			for (const form of [
				value,
				Buffer.from(value).toString("base64"),
				Buffer.from(value).toString("hex"),
			]) {
				expect(dump.includes(form), "a value is readable in the raw database").toBe(false);
			}
		}
		expect(dump.includes(KEY)).toBe(false);
	});

	it("detects a flipped byte in a stored envelope", async () => {
		const secret = makeCanary();
		const { id } = await secrets.createSecret({ name: "enc-flip", values: { password: secret } });
		const text = await envelope(id);
		expect(text.startsWith("v1.k1.")).toBe(true);
		const at = Math.floor(text.length / 2);
		const flipped = `${text.slice(0, at)}${text[at] === "A" ? "B" : "A"}${text.slice(at + 1)}`;
		await setEnvelope(id, flipped);
		const error = await secrets.getSecret(id).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(DecryptionError);
		expect((error as DecryptionError).code).toBe("DECRYPTION_FAILED");
		expect((error as Error).message).toContain(id);
		expect((error as Error).message).toContain("`k1`");
		// Neither the value, the key nor the ciphertext.
		assertNoLeak(error, [secret, KEY, text]);
		await setEnvelope(id, text);
		expect((await secrets.getSecret(id)).values).toEqual({ password: secret });
	});

	it("detects a ciphertext swapped between two secrets", async () => {
		const a = await secrets.createSecret({ name: "enc-swap-a", values: { k: makeCanary() } });
		const b = await secrets.createSecret({ name: "enc-swap-b", values: { k: makeCanary() } });
		const [ea, eb] = [await envelope(a.id), await envelope(b.id)];
		await setEnvelope(a.id, eb);
		await setEnvelope(b.id, ea);
		await expect(secrets.getSecret(a.id)).rejects.toBeInstanceOf(DecryptionError);
		await expect(secrets.getSecret(b.id)).rejects.toBeInstanceOf(DecryptionError);
		await expect(secrets.getSecrets([a.id, b.id])).rejects.toBeInstanceOf(DecryptionError);
	});

	it("detects an envelope replayed under another version or relabelled with another key id", async () => {
		const { id } = await secrets.createSecret({ name: "enc-version", values: { k: makeCanary() } });
		const v1 = await envelope(id);
		await secrets.updateSecret(id, { values: { k: makeCanary() } });
		// The version-1 envelope put back beside version 2.
		await setEnvelope(id, v1);
		await expect(secrets.getSecret(id)).rejects.toBeInstanceOf(DecryptionError);
		await setEnvelope(id, v1, { version: 2 });
		await expect(secrets.getSecret(id)).rejects.toBeInstanceOf(DecryptionError);
		// Relabelled: the key id is part of the associated data.
		await setEnvelope(id, v1.replace("v1.k1.", "v1.k2."), { version: 1 });
		await expect(secrets.getSecret(id)).rejects.toThrow(/`k2`/);
		await setEnvelope(id, "not an envelope", { version: 1 });
		await expect(secrets.getSecret(id)).rejects.toBeInstanceOf(DecryptionError);
	});

	it("detects an envelope moved to another deployment", async () => {
		const { id } = await secrets.createSecret({ name: "enc-deploy", values: { k: makeCanary() } });
		const other = await sqlSecrets(fixture, { keys: KEYS }, { deploymentId: "other" });
		try {
			const row = await fixture.knex(values(fixture)).where({ id, deployment: "test" }).first();
			await fixture.knex(values(fixture)).insert({ ...row, deployment: "other" });
			await expect(other.secrets.store.get(id)).rejects.toBeInstanceOf(DecryptionError);
		} finally {
			await other.secrets.store.close();
		}
	});
});
