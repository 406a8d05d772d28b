/**
 * The GCP emulator driven by the real `@google-cloud/secret-manager` SDK over real gRPC.
 */
import { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { grpc } from "google-gax";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { crc32c } from "../../src/emulators/gcp/crc32c.js";
import { type GcpEmulator, startGcpEmulator } from "../../src/emulators/gcp/index.js";
import { blockedConnections } from "../../src/network-guard.js";

let emulator: GcpEmulator;
let client: SecretManagerServiceClient;
let parent: string;
/** The SDK's own retries off, so each injected fault is seen once. */
const once = { retry: null };

function makeClient(): SecretManagerServiceClient {
	return new SecretManagerServiceClient({
		apiEndpoint: emulator.apiEndpoint,
		port: emulator.port,
		sslCreds: grpc.credentials.createInsecure(),
		universeDomain: "googleapis.com",
		projectId: emulator.projectId,
	});
}

let counter = 0;
function uniqueId(label = "s"): string {
	return `${label}-${Date.now().toString(36)}-${++counter}`;
}

async function createSecret(id: string, labels: Record<string, string> = {}) {
	const [secret] = await client.createSecret({
		parent,
		secretId: id,
		secret: { replication: { automatic: {} }, labels },
	});
	return secret;
}

async function addVersion(id: string, text: string, dataCrc32c?: number) {
	const [version] = await client.addSecretVersion({
		parent: `${parent}/secrets/${id}`,
		payload: { data: Buffer.from(text), ...(dataCrc32c === undefined ? {} : { dataCrc32c }) },
	});
	return version;
}

async function codeOf(promise: Promise<unknown>): Promise<number | undefined> {
	try {
		await promise;
		return undefined;
	} catch (error) {
		return (error as { code?: number }).code;
	}
}

beforeAll(async () => {
	emulator = await startGcpEmulator({ projectId: "strongbox-test" });
	client = makeClient();
	parent = `projects/${emulator.projectId}`;
});

afterEach(() => emulator.clearFaults());

afterAll(async () => {
	await client.close();
	await emulator.close();
	// The recipe (universeDomain + insecure channel) never reaches for the metadata server.
	expect(blockedConnections).toEqual([]);
});

describe("crc32c", () => {
	it("matches the Castagnoli check value", () => {
		expect(crc32c(Buffer.from("123456789"))).toBe(0xe3069283);
		expect(crc32c(Buffer.alloc(0))).toBe(0);
	});
});

describe("secrets", () => {
	it("creates, reads, updates (labels replaced) and deletes a secret", async () => {
		const id = uniqueId();
		const created = await createSecret(id, { team: "a", env: "dev" });
		// Answers name the project by number, like the real service.
		expect(created.name).toBe(`projects/${emulator.projectNumber}/secrets/${id}`);
		expect(created.labels).toEqual({ team: "a", env: "dev" });
		expect(created.etag).toMatch(/^".+"$/);
		expect(Number(created.createTime?.seconds)).toBeGreaterThan(0);

		const [byNumber] = await client.getSecret({
			name: `projects/${emulator.projectNumber}/secrets/${id}`,
		});
		expect(byNumber.name).toBe(created.name);

		const [updated] = await client.updateSecret({
			secret: { name: `${parent}/secrets/${id}`, labels: { team: "b" } },
			updateMask: { paths: ["labels"] },
		});
		expect(updated.labels).toEqual({ team: "b" });
		expect(updated.etag).not.toBe(created.etag);

		await client.deleteSecret({ name: `${parent}/secrets/${id}` });
		expect(await codeOf(client.getSecret({ name: `${parent}/secrets/${id}` }))).toBe(5);
		expect(emulator.rawSecret(id)).toBeUndefined();
		// No soft delete: the id can be used again at once.
		await createSecret(id);
		expect(emulator.rawSecret(id)?.versions).toEqual([]);
	});

	it("answers ALREADY_EXISTS, NOT_FOUND, INVALID_ARGUMENT and PERMISSION_DENIED", async () => {
		const id = uniqueId();
		await createSecret(id);
		expect(await codeOf(createSecret(id))).toBe(6);
		expect(await codeOf(client.getSecret({ name: `${parent}/secrets/missing-${id}` }))).toBe(5);
		expect(await codeOf(client.deleteSecret({ name: `${parent}/secrets/missing-${id}` }))).toBe(5);
		expect(await codeOf(createSecret("has.dot"))).toBe(3);
		expect(await codeOf(createSecret("x".repeat(256)))).toBe(3);
		await createSecret("x".repeat(255));
		expect(
			await codeOf(client.createSecret({ parent, secretId: uniqueId(), secret: { labels: {} } })),
		).toBe(3); // replication is required
		expect(await codeOf(client.getSecret({ name: "projects/other-project/secrets/x" }))).toBe(7);
		expect(await codeOf(client.getSecret({ name: `${parent}/not-a-secret` }))).toBe(3);
		expect(
			await codeOf(
				client.updateSecret({ secret: { name: `${parent}/secrets/${id}`, labels: {} } }),
			),
		).toBe(3); // update_mask is required
	});

	it("enforces the label rules", async () => {
		expect(await codeOf(createSecret(uniqueId(), { Upper: "x" }))).toBe(3);
		expect(await codeOf(createSecret(uniqueId(), { "1digit": "x" }))).toBe(3);
		expect(await codeOf(createSecret(uniqueId(), { k: "Upper" }))).toBe(3);
		expect(await codeOf(createSecret(uniqueId(), { k: "v".repeat(64) }))).toBe(3);
		expect(await codeOf(createSecret(uniqueId(), { ["k".repeat(64)]: "v" }))).toBe(3);
		const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]));
		expect(await codeOf(createSecret(uniqueId(), many))).toBe(3);
		delete many.k64;
		await createSecret(uniqueId(), many);
		await createSecret(uniqueId(), { "k_-0": "", ["k".repeat(63)]: "v".repeat(63), é: "ü" });
	});

	it("checks etags on delete and update when given (ABORTED), ignores them when omitted", async () => {
		const id = uniqueId();
		const created = await createSecret(id);
		const name = `${parent}/secrets/${id}`;
		expect(await codeOf(client.deleteSecret({ name, etag: '"stale"' }))).toBe(10);
		expect(
			await codeOf(
				client.updateSecret({
					secret: { name, labels: {}, etag: '"stale"' },
					updateMask: { paths: ["labels"] },
				}),
			),
		).toBe(10);
		await client.deleteSecret({ name, etag: created.etag! });
		await createSecret(id);
		await client.deleteSecret({ name });
	});

	it("lists newest first, in pages, with the label and name filter subset", async () => {
		const run = uniqueId("run").replace(/[^a-z0-9-]/g, "");
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) {
			const id = uniqueId(`list${i}`);
			ids.push(id);
			await createSecret(id, {
				run,
				parity: i % 2 === 0 ? "even" : "odd",
				...(i === 4 ? { extra: "" } : {}),
			});
		}
		const names = (secrets: { name?: string | null }[]) =>
			secrets.map((s) => s.name!.split("/").at(-1));
		const [page1, next1] = await client.listSecrets(
			{ parent, pageSize: 2, filter: `labels.run=${run}` },
			{ autoPaginate: false },
		);
		expect(names(page1)).toEqual([ids[4], ids[3]]);
		expect(next1?.pageToken).toBeTruthy();
		const [page2, next2] = await client.listSecrets(next1!, { autoPaginate: false });
		expect(names(page2)).toEqual([ids[2], ids[1]]);
		const [page3, next3] = await client.listSecrets(next2!, { autoPaginate: false });
		expect(names(page3)).toEqual([ids[0]]);
		expect(next3).toBeNull();

		const [even] = await client.listSecrets(
			{ parent, filter: `labels.run=${run} AND labels.parity="even"` },
			{ autoPaginate: false },
		);
		expect(names(even)).toEqual([ids[4], ids[2], ids[0]]);
		const [present] = await client.listSecrets(
			{ parent, filter: `labels.run=${run} AND labels.extra:*` },
			{ autoPaginate: false },
		);
		expect(names(present)).toEqual([ids[4]]);
		const [byName] = await client.listSecrets(
			{ parent, filter: `name:${ids[3]}` },
			{ autoPaginate: false },
		);
		expect(names(byName)).toEqual([ids[3]]);

		const [, , unfiltered] = await client.listSecrets(
			{ parent, pageSize: 1 },
			{ autoPaginate: false },
		);
		expect(unfiltered?.totalSize).toBe(emulator.secretIds().length);
		const [, , filtered] = await client.listSecrets(
			{ parent, filter: `labels.run=${run}` },
			{ autoPaginate: false },
		);
		expect(filtered?.totalSize).toBe(0);

		expect(
			await codeOf(
				client.listSecrets({ parent, filter: "create_time<2021-01-01" }, { autoPaginate: false }),
			),
		).toBe(3);
		expect(
			await codeOf(client.listSecrets({ parent, pageToken: "bogus" }, { autoPaginate: false })),
		).toBe(3);
		// A token is bound to the filter it was made with.
		expect(
			await codeOf(
				client.listSecrets(
					{ parent, pageToken: next1!.pageToken!, filter: "labels.run=other" },
					{ autoPaginate: false },
				),
			),
		).toBe(3);
	});
});

describe("versions", () => {
	it("numbers versions 1, 2, 3 and resolves `latest` and numbers", async () => {
		const id = uniqueId();
		await createSecret(id);
		const name = `${parent}/secrets/${id}`;
		expect(await codeOf(client.accessSecretVersion({ name: `${name}/versions/latest` }))).toBe(5);
		const v1 = await addVersion(id, "one");
		await addVersion(id, "two");
		const v3 = await addVersion(id, "three");
		expect(v1.name).toBe(`projects/${emulator.projectNumber}/secrets/${id}/versions/1`);
		expect(v3.name?.endsWith("/versions/3")).toBe(true);
		expect(v3.state).toBe("ENABLED");

		const [latest] = await client.accessSecretVersion({ name: `${name}/versions/latest` });
		expect(latest.name?.endsWith("/versions/3")).toBe(true);
		expect(Buffer.from(latest.payload!.data as Uint8Array).toString()).toBe("three");
		expect(String(latest.payload!.dataCrc32c)).toBe(String(crc32c(Buffer.from("three"))));
		const [second] = await client.accessSecretVersion({ name: `${name}/versions/2` });
		expect(Buffer.from(second.payload!.data as Uint8Array).toString()).toBe("two");
		expect(await codeOf(client.accessSecretVersion({ name: `${name}/versions/9` }))).toBe(5);
		expect(await codeOf(client.accessSecretVersion({ name: `${name}/versions/0` }))).toBe(5);
	});

	it("checks dataCrc32c when sent and the 64 KiB payload limit", async () => {
		const id = uniqueId();
		await createSecret(id);
		const good = await addVersion(id, "payload", crc32c(Buffer.from("payload")));
		expect(good.clientSpecifiedPayloadChecksum).toBe(true);
		const unchecked = await addVersion(id, "payload");
		expect(unchecked.clientSpecifiedPayloadChecksum).toBe(false);
		expect(await codeOf(addVersion(id, "payload", crc32c(Buffer.from("other"))))).toBe(3);
		await addVersion(id, "x".repeat(64 * 1024));
		expect(await codeOf(addVersion(id, "x".repeat(64 * 1024 + 1)))).toBe(3);
		expect(emulator.rawSecret(id)?.versions.map((v) => v.version)).toEqual([1, 2, 3]);
		expect(await codeOf(addVersion(`missing-${id}`, "x"))).toBe(5);
	});

	it("refuses DISABLED and DESTROYED versions with FAILED_PRECONDITION", async () => {
		const id = uniqueId();
		await createSecret(id);
		const name = `${parent}/secrets/${id}`;
		await addVersion(id, "one");
		await addVersion(id, "two");
		const [disabled] = await client.disableSecretVersion({ name: `${name}/versions/2` });
		expect(disabled.state).toBe("DISABLED");
		// `latest` is the newest version whatever its state.
		expect(await codeOf(client.accessSecretVersion({ name: `${name}/versions/latest` }))).toBe(9);
		expect(await codeOf(client.accessSecretVersion({ name: `${name}/versions/2` }))).toBe(9);
		const [enabled] = await client.enableSecretVersion({ name: `${name}/versions/2` });
		expect(enabled.state).toBe("ENABLED");
		await client.accessSecretVersion({ name: `${name}/versions/latest` });

		const [destroyed] = await client.destroySecretVersion({ name: `${name}/versions/1` });
		expect(destroyed.state).toBe("DESTROYED");
		expect(Number(destroyed.destroyTime?.seconds)).toBeGreaterThan(0);
		expect(emulator.rawSecret(id)?.versions[0]).toEqual({
			version: 1,
			state: "DESTROYED",
			data: undefined,
		});
		expect(await codeOf(client.accessSecretVersion({ name: `${name}/versions/1` }))).toBe(9);
		expect(await codeOf(client.enableSecretVersion({ name: `${name}/versions/1` }))).toBe(9);
		expect(await codeOf(client.destroySecretVersion({ name: `${name}/versions/1` }))).toBe(9);
		const [meta] = await client.getSecretVersion({ name: `${name}/versions/1` });
		expect(meta.state).toBe("DESTROYED");
		expect(
			await codeOf(client.disableSecretVersion({ name: `${name}/versions/2`, etag: '"stale"' })),
		).toBe(10);
		// Numbers are never reused.
		const next = await addVersion(id, "three");
		expect(next.name?.endsWith("/versions/3")).toBe(true);
	});

	it("lists versions newest first, filtered by state, in pages", async () => {
		const id = uniqueId();
		await createSecret(id);
		const name = `${parent}/secrets/${id}`;
		for (const text of ["a", "b", "c", "d"]) await addVersion(id, text);
		await client.destroySecretVersion({ name: `${name}/versions/1` });
		await client.disableSecretVersion({ name: `${name}/versions/3` });
		const numbers = (versions: { name?: string | null }[]) =>
			versions.map((v) => Number(v.name!.split("/").at(-1)));
		const [all] = await client.listSecretVersions({ parent: name }, { autoPaginate: false });
		expect(numbers(all)).toEqual([4, 3, 2, 1]);
		const [enabled] = await client.listSecretVersions(
			{ parent: name, filter: "state:ENABLED" },
			{ autoPaginate: false },
		);
		expect(numbers(enabled)).toEqual([4, 2]);
		const [page1, next] = await client.listSecretVersions(
			{ parent: name, pageSize: 3 },
			{ autoPaginate: false },
		);
		expect(numbers(page1)).toEqual([4, 3, 2]);
		const [page2] = await client.listSecretVersions(next!, { autoPaginate: false });
		expect(numbers(page2)).toEqual([1]);
	});
});

describe("call log and faults", () => {
	it("records every call with its operation, target and gRPC status", async () => {
		const id = uniqueId();
		emulator.clearCalls();
		await createSecret(id);
		await codeOf(client.getSecret({ name: `${parent}/secrets/missing-${id}` }));
		await codeOf(client.getIamPolicy({ resource: `${parent}/secrets/${id}` }));
		expect(emulator.calls.map((c) => [c.operation, c.target, c.status])).toEqual([
			["CreateSecret", id, 0],
			["GetSecret", `missing-${id}`, 5],
			["GetIamPolicy", undefined, 12],
		]);
		expect(emulator.count("CreateSecret")).toBe(1);
	});

	it("answers throttling with RESOURCE_EXHAUSTED and errors with INTERNAL or the mapped code", async () => {
		const id = uniqueId();
		await createSecret(id);
		await addVersion(id, "v");
		const name = `${parent}/secrets/${id}/versions/latest`;
		emulator.inject({ kind: "throttle", next: 1 });
		expect(await codeOf(client.accessSecretVersion({ name }, once))).toBe(8);
		emulator.inject({ kind: "error", next: 1 });
		expect(await codeOf(client.accessSecretVersion({ name }, once))).toBe(13);
		emulator.inject({ kind: "error", status: 503, next: 1 });
		expect(await codeOf(client.accessSecretVersion({ name }, once))).toBe(14);
		emulator.inject({ kind: "error", status: 403, next: 1 });
		expect(await codeOf(client.accessSecretVersion({ name }, once))).toBe(7);
		await client.accessSecretVersion({ name }, once);
		const faults = emulator.calls.filter((c) => c.fault).map((c) => [c.fault, c.status]);
		expect(faults.slice(-4)).toEqual([
			["throttle", 8],
			["error", 13],
			["error", 14],
			["error", 7],
		]);
	});

	it("limits faults to the named operations", async () => {
		const id = uniqueId();
		emulator.inject({ kind: "error", operations: ["AddSecretVersion"] });
		await createSecret(id);
		expect(await codeOf(addVersion(id, "v"))).toBe(13);
		emulator.clearFaults();
		await addVersion(id, "v");
	});

	it("delays answers with latency faults", async () => {
		const id = uniqueId();
		emulator.inject({ kind: "latency", latencyMs: 30, next: 1 });
		await createSecret(id);
		expect(emulator.calls.at(-1)).toMatchObject({
			operation: "CreateSecret",
			target: id,
			status: 0,
		});
		expect(emulator.rawSecret(id)).toBeDefined();
	});

	it("drops the call's connection, and the client reconnects for the next call", async () => {
		const id = uniqueId();
		await createSecret(id);
		emulator.inject({ kind: "drop", next: 1 });
		expect(await codeOf(client.getSecret({ name: `${parent}/secrets/${id}` }, once))).toBe(14);
		expect(emulator.calls.at(-1)).toMatchObject({ operation: "GetSecret", fault: "drop" });
		const [secret] = await client.getSecret({ name: `${parent}/secrets/${id}` }, once);
		expect(secret.name?.endsWith(id)).toBe(true);
	});

	it("applies fraction rules with the given random source", async () => {
		let n = 0;
		const seeded = await startGcpEmulator({ random: () => (n++ % 2 === 0 ? 0.1 : 0.9) });
		const other = new SecretManagerServiceClient({
			apiEndpoint: seeded.apiEndpoint,
			port: seeded.port,
			sslCreds: grpc.credentials.createInsecure(),
			universeDomain: "googleapis.com",
		});
		try {
			seeded.inject({ kind: "throttle", fraction: 0.5 });
			const codes: (number | undefined)[] = [];
			for (let i = 0; i < 4; i++) {
				codes.push(
					await codeOf(other.getSecret({ name: `projects/${seeded.projectId}/secrets/x` }, once)),
				);
			}
			expect(codes).toEqual([8, 5, 8, 5]);
		} finally {
			await other.close();
			await seeded.close();
		}
	});
});
