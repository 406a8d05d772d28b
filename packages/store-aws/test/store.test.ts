/**
 * AWS-specific behaviour of the store, through the real SDK against the emulator: naming
 * and tags, ownership (foreign secrets are never read, overwritten, listed or deleted),
 * soft deletion, bulk reads, error mapping, retries and time limits.
 */
import {
	CreateSecretCommand,
	DescribeSecretCommand,
	SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
	decodePayload,
	type ManagedStore,
	StoreError,
	StorePermissionError,
	StoreUnavailableError,
} from "@strongbox/core";
import { type AwsEmulator, startAwsEmulator } from "@strongbox/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { capturingLogger, type Logged, openSecrets, openStore } from "./helpers.js";

let aws: AwsEmulator;
let sdk: SecretsManagerClient;
const opened: ManagedStore[] = [];

async function store(
	options: Parameters<typeof openStore>[1] = {},
): Promise<ManagedStore & { deploymentId: string }> {
	const deploymentId = options.deploymentId ?? `sbtest-${crypto.randomUUID()}`;
	const s = await openStore(aws, { ...options, deploymentId });
	opened.push(s);
	return Object.assign(s, { deploymentId });
}

function ids(n: number): string[] {
	return Array.from({ length: n }, () => crypto.randomUUID());
}

beforeAll(async () => {
	aws = await startAwsEmulator();
	sdk = new SecretsManagerClient({
		endpoint: aws.endpoint,
		region: aws.region,
		credentials: aws.credentials,
		maxAttempts: 1,
	});
});

afterEach(async () => {
	aws.clearFaults();
	aws.clearCalls();
	for (const s of opened.splice(0)) await s.close();
});

afterAll(async () => {
	sdk.destroy();
	await aws.close();
});

describe("naming, payload and tags", () => {
	it("names the AWS secret <prefix><id> and tags it with the deployment, the id and the extra tags", async () => {
		const s = await store({ extra: { tags: { team: "payments" }, kmsKeyId: "alias/strongbox" } });
		const [id] = ids(1) as [string];
		await s.set(id, { user: "app", password: "pw" }, { version: 1 });
		const raw = aws.rawSecret(`strongbox/${id}`)!;
		expect(raw.tags).toEqual({
			"strongbox:deployment": s.deploymentId,
			"strongbox:secret-id": id,
			team: "payments",
		});
		expect(raw.kmsKeyId).toBe("alias/strongbox");
		expect(decodePayload(raw.secretString!)).toEqual({
			values: { user: "app", password: "pw" },
			version: 1,
			owner: s.deploymentId,
		});
		// The version token is derived, so the VersionId is too (and is a UUID).
		expect(raw.versionId).toMatch(
			/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
		);
	});

	it("uses a custom prefix for names and listings", async () => {
		const s = await store({ extra: { prefix: "team-a/sb/" } });
		const [id] = ids(1) as [string];
		await s.set(id, { k: "v" }, { version: 1 });
		expect(aws.rawSecret(`team-a/sb/${id}`)).toBeDefined();
		expect(aws.rawSecret(`strongbox/${id}`)).toBeUndefined();
		const listed: string[] = [];
		for await (const listedId of s.listIds()) listed.push(listedId);
		expect(listed).toEqual([id]);
	});

	it("keeps AWSPREVIOUS on the former version after an overwrite", async () => {
		const s = await store();
		const [id] = ids(1) as [string];
		await s.set(id, { k: "1" }, { version: 1 });
		await s.set(id, { k: "2" }, { version: 2 });
		const versions = aws.rawSecret(`strongbox/${id}`)!.versions;
		expect(versions.map((v) => v.stages)).toEqual([["AWSPREVIOUS"], ["AWSCURRENT"]]);
	});

	it("writes a version over content an undone write left at the same version token", async () => {
		const s = await store();
		const [id] = ids(1) as [string];
		await s.set(id, { k: "1" }, { version: 1 });
		await s.set(id, { k: "lost" }, { version: 2 });
		// The catalog undid that write; the next update writes version 2 again, with other values.
		await s.set(id, { k: "2" }, { version: 2 });
		expect(await s.get(id)).toEqual({ values: { k: "2" }, version: 2 });
	});
});

describe("ownership", () => {
	it("never reads, overwrites, lists or deletes a secret created by another tool at its name", async () => {
		const logs: Logged[] = [];
		const s = await store({ logger: capturingLogger(logs) });
		const [id] = ids(1) as [string];
		const name = `strongbox/${id}`;
		await sdk.send(new CreateSecretCommand({ Name: name, SecretString: '{"password":"theirs"}' }));
		expect(await s.get(id)).toBeUndefined();
		expect(logs).toContainEqual({
			level: "warn",
			message: expect.stringContaining("does not belong"),
			fields: { store: "aws", id, reason: "not-a-strongbox-payload" },
		});
		const refused = await s.set(id, { k: "ours" }, { version: 1 }).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(StoreError);
		expect((refused as StoreError).details).toEqual({ reason: "foreign-secret", name });
		await expect(s.set(id, { k: "ours" }, { version: 2 })).rejects.toBeInstanceOf(StoreError);
		expect(await s.delete(id)).toBe(false);
		expect(aws.rawSecret(name)?.secretString).toBe('{"password":"theirs"}');
		for await (const listed of s.listIds()) expect(listed).not.toBe(id);
	});

	it("reads a non-JSON or binary secret as absent", async () => {
		const s = await store();
		const [a, b] = ids(2) as [string, string];
		await sdk.send(new CreateSecretCommand({ Name: `strongbox/${a}`, SecretString: "plain text" }));
		await sdk.send(
			new CreateSecretCommand({ Name: `strongbox/${b}`, SecretBinary: new Uint8Array([1, 2]) }),
		);
		expect(await s.get(a)).toBeUndefined();
		expect(await s.get(b)).toBeUndefined();
		expect((await s.getMany([a, b])).size).toBe(0);
	});

	it("lists only exact deployment-tag matches, although tag-key and tag-value filters are unbound", async () => {
		const s = await store();
		const [mine, decoy] = ids(2) as [string, string];
		await s.set(mine, { k: "v" }, { version: 1 });
		// Carries the key `strongbox:deployment` (another value) and our deployment id under another key.
		await sdk.send(
			new CreateSecretCommand({
				Name: `strongbox/${decoy}`,
				SecretString: "{}",
				Tags: [
					{ Key: "strongbox:deployment", Value: "someone-else" },
					{ Key: "copied-from", Value: s.deploymentId },
				],
			}),
		);
		const listed: string[] = [];
		for await (const id of s.listIds()) listed.push(id);
		expect(listed).toEqual([mine]);
	});

	it("checks the tag of an existing secret it has not seen before writing a later version", async () => {
		const first = await store();
		const [id] = ids(1) as [string];
		await first.set(id, { k: "1" }, { version: 1 });
		const second = await store({ deploymentId: first.deploymentId });
		aws.clearCalls();
		await second.set(id, { k: "2" }, { version: 2 });
		expect(aws.calls.map((c) => c.operation)).toEqual(["DescribeSecret", "PutSecretValue"]);
		aws.clearCalls();
		await second.set(id, { k: "3" }, { version: 3 });
		expect(aws.calls.map((c) => c.operation)).toEqual(["PutSecretValue"]);
	});
});

describe("deletion", () => {
	it("deletes at once by default: the name is gone", async () => {
		const s = await store();
		const [id] = ids(1) as [string];
		await s.set(id, { k: "v" }, { version: 1 });
		expect(await s.delete(id)).toBe(true);
		expect(aws.rawSecret(`strongbox/${id}`)).toBeUndefined();
		expect(await s.delete(id)).toBe(false);
	});

	it("with recoveryWindowInDays, soft-deletes: reads are absent, writes fail typed, listings skip it", async () => {
		const s = await store({ extra: { recoveryWindowInDays: 7 } });
		const [id] = ids(1) as [string];
		await s.set(id, { k: "v" }, { version: 1 });
		expect(await s.delete(id)).toBe(true);
		const raw = aws.rawSecret(`strongbox/${id}`)!;
		expect(raw.deletionDate!.getTime() - raw.deletedDate!.getTime()).toBe(7 * 86_400_000);
		expect(await s.get(id)).toBeUndefined();
		expect((await s.getMany([id])).size).toBe(0);
		expect(await s.delete(id)).toBe(false);
		for (const version of [1, 2]) {
			const error = await s.set(id, { k: "w" }, { version }).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(StoreError);
			expect(error).not.toBeInstanceOf(StoreUnavailableError);
			expect((error as StoreError).details).toMatchObject({ reason: "scheduled-for-deletion" });
			expect((error as StoreError).message).toContain("RestoreSecret");
		}
		for await (const listed of s.listIds()) expect(listed).not.toBe(id);
		// A fresh store (no memory of the id) reports the same.
		const fresh = await store({ deploymentId: s.deploymentId });
		expect(await fresh.delete(id)).toBe(false);
		await expect(fresh.set(id, { k: "w" }, { version: 2 })).rejects.toThrow(
			/scheduled for deletion/,
		);
	});
});

describe("bulk reads", () => {
	it("reads present ids and leaves missing, deleted and foreign ones out, 20 per call", async () => {
		const s = await store();
		const present = ids(25);
		for (const [i, id] of present.entries()) await s.set(id, { i: String(i) }, { version: 1 });
		const [foreign] = ids(1) as [string];
		await sdk.send(new CreateSecretCommand({ Name: `strongbox/${foreign}`, SecretString: "{}" }));
		aws.clearCalls();
		const found = await s.getMany([...present, ...ids(10), foreign]);
		expect([...found.keys()].sort()).toEqual([...present].sort());
		expect(found.get(present[3]!)).toEqual({ values: { i: "3" }, version: 1 });
		expect(aws.calls.map((c) => c.operation)).toEqual(Array(2).fill("BatchGetSecretValue"));
	});

	it("fails with StorePermissionError when reading a secret of the batch is denied", async () => {
		const s = await store();
		const [id] = ids(1) as [string];
		await s.set(id, { k: "v" }, { version: 1 });
		const undo = aws.deny({ operations: ["GetSecretValue"] });
		await expect(s.getMany([id])).rejects.toBeInstanceOf(StorePermissionError);
		await expect(s.get(id)).rejects.toBeInstanceOf(StorePermissionError);
		undo();
	});
});

describe("errors, retries and time limits", () => {
	it("maps refused permissions to StorePermissionError, never to absence", async () => {
		const s = await store();
		const [id] = ids(1) as [string];
		const undo = aws.deny();
		await expect(s.get(id)).rejects.toBeInstanceOf(StorePermissionError);
		await expect(s.delete(id)).rejects.toBeInstanceOf(StorePermissionError);
		await expect(s.set(id, { k: "v" }, { version: 1 })).rejects.toBeInstanceOf(
			StorePermissionError,
		);
		await expect(s.verify()).rejects.toBeInstanceOf(StorePermissionError);
		const listing = (async () => {
			for await (const _ of s.listIds()) break;
		})();
		await expect(listing).rejects.toBeInstanceOf(StorePermissionError);
		undo();
	});

	it("retries throttling and 5xx with its own policy (the SDK's retries are off)", async () => {
		const s = await store();
		const [id] = ids(1) as [string];
		aws.inject({ kind: "throttle", next: 2 });
		await s.set(id, { k: "v" }, { version: 1 });
		aws.inject({ kind: "error", next: 1 });
		expect(await s.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		expect(aws.calls.map((c) => `${c.operation}:${c.fault ?? "ok"}`)).toEqual([
			"CreateSecret:throttle",
			"CreateSecret:throttle",
			"CreateSecret:ok",
			"GetSecretValue:error",
			"GetSecretValue:ok",
		]);
		// Past the 4 attempts, the failure surfaces typed.
		aws.clearCalls();
		aws.inject({ kind: "throttle", fraction: 1 });
		await expect(s.get(id)).rejects.toBeInstanceOf(StoreUnavailableError);
		expect(aws.count("GetSecretValue")).toBe(4);
	});

	it("honours retry.attempts", async () => {
		const s = await store({ extra: { retry: { attempts: 1 } } });
		aws.inject({ kind: "error", fraction: 1 });
		await expect(s.get(crypto.randomUUID())).rejects.toBeInstanceOf(StoreUnavailableError);
		expect(aws.count()).toBe(1);
	});

	it("abandons a call after timeoutMs and retries it", async () => {
		const s = await store({
			extra: { timeoutMs: 50, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } },
		});
		aws.inject({ kind: "latency", latencyMs: 500, fraction: 1 });
		await expect(s.get(crypto.randomUUID())).rejects.toBeInstanceOf(StoreUnavailableError);
		expect(aws.count("GetSecretValue")).toBe(2);
	});

	it("maps dropped connections to StoreUnavailableError and recovers", async () => {
		const s = await store();
		const [id] = ids(1) as [string];
		aws.inject({ kind: "drop", next: 2 });
		await s.set(id, { k: "v" }, { version: 1 });
		expect(await s.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		aws.inject({ kind: "drop", fraction: 1 });
		await expect(s.get(id)).rejects.toBeInstanceOf(StoreUnavailableError);
	});

	it("verify() makes one cheap ListSecrets call", async () => {
		const s = await store();
		await s.verify();
		expect(aws.calls.map((c) => c.operation)).toEqual(["ListSecrets"]);
	});
});

describe("eventual consistency of ListSecrets", () => {
	it("reconciles safely while listings lag writes", async () => {
		let now = Date.now();
		const lagging = await startAwsEmulator({ eventualConsistencyMs: 60_000, clock: () => now });
		try {
			const secrets = await openSecrets(lagging);
			const kept = await secrets.createSecret({ name: "kept", values: { k: "v" } });
			const gone = await secrets.createSecret({ name: "gone", values: { k: "v" } });
			await secrets.deleteSecret(gone.id);
			// The listing does not show `kept` yet: it is not taken for missing.
			expect(await secrets.reconcile({ staleAfterMs: 0 })).toMatchObject({
				orphansRemoved: 0,
				deferred: 0,
			});
			now += 60_000;
			// Now it shows `kept` (which has a row) and no longer `gone`.
			expect(await secrets.reconcile({ staleAfterMs: 0 })).toMatchObject({
				orphansRemoved: 0,
				deferred: 0,
			});
			expect((await secrets.getSecret(kept.id)).values).toEqual({ k: "v" });
			// `gone` is still listed by a listing that lags the delete: deleting it again is harmless.
			const lateStore = await openStore(lagging, { deploymentId: secrets.deploymentId });
			now -= 30_000;
			expect(await lateStore.delete(gone.id)).toBe(false);
			await lateStore.close();
			await secrets.close();
		} finally {
			await lagging.close();
		}
	});
});

describe("the payload is the only place values live", () => {
	it("keeps values out of the description and tags", async () => {
		const s = await store();
		const [id] = ids(1) as [string];
		await s.set(id, { password: "hunter2" }, { version: 1 });
		const described = await sdk.send(new DescribeSecretCommand({ SecretId: `strongbox/${id}` }));
		expect(JSON.stringify(described)).not.toContain("hunter2");
	});
});
