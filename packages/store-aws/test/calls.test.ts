/**
 * How many AWS calls each Secrets operation costs, counted from the emulator's call log:
 * one call per create, get and delete; an update with values reads then writes (two
 * calls: GetSecretValue, PutSecretValue); listings never call AWS; a bulk get of 100
 * secrets takes five BatchGetSecretValue calls of 20.
 */
import { type AwsEmulator, startAwsEmulator } from "@strongbox/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openSecrets } from "./helpers.js";

let aws: AwsEmulator;

beforeAll(async () => {
	aws = await startAwsEmulator();
});

afterAll(async () => {
	await aws.close();
});

beforeEach(() => {
	aws.clearCalls();
});

function operations(): string[] {
	return aws.calls.map((call) => call.operation);
}

describe("AWS calls per Secrets operation", () => {
	it("create, get and delete make exactly one call each; an update reads then writes", async () => {
		const secrets = await openSecrets(aws);
		await secrets.init();
		aws.clearCalls();

		const created = await secrets.createSecret({
			name: "db",
			values: { user: "app", password: "p1" },
		});
		expect(operations()).toEqual(["CreateSecret"]);

		aws.clearCalls();
		expect((await secrets.getSecret(created.id)).values).toEqual({ user: "app", password: "p1" });
		await secrets.getSecretByName("db");
		expect(operations()).toEqual(["GetSecretValue", "GetSecretValue"]);

		aws.clearCalls();
		const updated = await secrets.updateSecret(created.id, { values: { password: "p2" } });
		expect(updated.version).toBe(2);
		expect(operations()).toEqual(["GetSecretValue", "PutSecretValue"]);

		// A rename writes the catalog only; returning the renamed secret reads its values.
		aws.clearCalls();
		await secrets.updateSecret(created.id, { name: "db2" });
		expect(operations()).toEqual(["GetSecretValue"]);

		aws.clearCalls();
		await secrets.deleteSecret(created.id);
		expect(operations()).toEqual(["DeleteSecret"]);
		expect(aws.rawSecret(`strongbox/${created.id}`)).toBeUndefined();
		await secrets.close();
	});

	it("a store that has not seen an id yet checks its ownership tag before deleting it", async () => {
		const first = await openSecrets(aws);
		const created = await first.createSecret({ name: "x", values: { k: "v" } });
		// A second runtime over the same catalog rows is another process after a restart:
		// simulated here by a fresh store reading the same back-end.
		const second = await openSecrets(aws, { deploymentId: first.deploymentId });
		const store = second.store;
		aws.clearCalls();
		expect(await store.delete(created.id)).toBe(true);
		expect(operations()).toEqual(["DescribeSecret", "DeleteSecret"]);
		await first.close();
		await second.close();
	});

	it("listings and filters never call AWS", async () => {
		const secrets = await openSecrets(aws);
		for (let i = 0; i < 5; i++)
			await secrets.createSecret({ name: `s${i}`, values: { k: `${i}` } });
		aws.clearCalls();
		const page = await secrets.listSecrets({
			name: "startswith:s",
			sortBy: "name",
			size: 2,
			page: 2,
		});
		expect(page.items.map((item) => item.name)).toEqual(["s2", "s3"]);
		await secrets.listSecrets({ name: { op: "contains", value: "3" } });
		await secrets.getSecretMetadataByName("s4");
		expect(aws.count()).toBe(0);
		await secrets.close();
	});

	it("a bulk get of 100 secrets takes 5 BatchGetSecretValue calls", async () => {
		const secrets = await openSecrets(aws);
		const ids: string[] = [];
		for (let i = 0; i < 100; i++)
			ids.push((await secrets.createSecret({ name: `b${i}`, values: { n: `${i}` } })).id);
		aws.clearCalls();
		const got = await secrets.getSecrets(ids);
		expect(got.map((secret) => secret.values.n)).toEqual(ids.map((_, i) => `${i}`));
		expect(aws.count()).toBeLessThanOrEqual(5);
		expect(operations()).toEqual(Array(5).fill("BatchGetSecretValue"));
		await secrets.close();
	});

	it("set of a new id at version 1 is one CreateSecret; a retried write of the same version is a no-op", async () => {
		const secrets = await openSecrets(aws);
		const store = secrets.store;
		const id = crypto.randomUUID();
		aws.clearCalls();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(operations()).toEqual(["CreateSecret"]);
		aws.clearCalls();
		// The repeat carries the same ClientRequestToken and value: AWS answers it as the first.
		await store.set(id, { k: "v" }, { version: 1 });
		expect(operations()).toEqual(["CreateSecret"]);
		expect(aws.rawSecret(`strongbox/${id}`)?.versions).toHaveLength(1);
		aws.clearCalls();
		await store.set(id, { k: "w" }, { version: 2 });
		await store.set(id, { k: "w" }, { version: 2 });
		expect(operations()).toEqual(["PutSecretValue", "PutSecretValue"]);
		expect(aws.rawSecret(`strongbox/${id}`)?.versions).toHaveLength(2);
		await secrets.close();
	});
});
