/**
 * GCP-specific behaviour of the store, through the real SDK against the emulator:
 * naming and labels, old-version clean-up, the half-done create, foreign objects,
 * retries and error mapping.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import {
	createStore,
	encodePayload,
	type ManagedStore,
	StoreConfigError,
	StoreError,
	StorePermissionError,
	StoreUnavailableError,
} from "@strongbox/core";
import type { GcpEmulator } from "@strongbox/testkit/emulators";
import { blockedConnections } from "@strongbox/testkit/network-guard";
import { grpc } from "google-gax";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import gcpStore, {
	DEPLOYMENT_LABEL,
	deploymentLabel,
	type GcpStoreOptions,
	SECRET_ID_LABEL,
} from "../src/index.js";
import { deploymentTag } from "../src/naming.js";
import {
	backendIdOf,
	capturingLogger,
	emulatorOptions,
	type LogLine,
	rawPayload,
	startGcpEmulator,
} from "./helpers.js";

let emulator: GcpEmulator;
let sdk: SecretManagerServiceClient;
const opened: ManagedStore[] = [];
let logs: LogLine[] = [];

async function open(
	extra: Partial<GcpStoreOptions> = {},
	deploymentId = "store-test",
): Promise<ManagedStore> {
	const store = await createStore(gcpStore, emulatorOptions(emulator, extra), {
		deploymentId,
		logger: capturingLogger(logs),
	});
	opened.push(store);
	return store;
}

function ops(): string[] {
	return emulator.calls.map((c) => c.operation);
}

function states(id: string): string[] | undefined {
	return emulator.rawSecret(backendIdOf(emulator, id)!)?.versions.map((v) => v.state);
}

beforeAll(async () => {
	emulator = await startGcpEmulator();
	sdk = new SecretManagerServiceClient({
		apiEndpoint: emulator.apiEndpoint,
		port: emulator.port,
		sslCreds: grpc.credentials.createInsecure(),
		universeDomain: "googleapis.com",
	});
});

afterEach(async () => {
	emulator.clearFaults();
	for (const store of opened.splice(0)) await store.close();
	logs = [];
});

afterAll(async () => {
	await sdk.close();
	await emulator.close();
	expect(blockedConnections).toEqual([]);
});

describe("naming and payload", () => {
	it("writes secret <prefix><deployment tag>-<uuid> with ownership labels and the core payload", async () => {
		const store = await open({ labels: { team: "payments" } });
		const id = crypto.randomUUID();
		await store.set(id, { user: "app", password: "pw" }, { version: 1 });
		const name = `strongbox-${deploymentTag("store-test")}-${id}`;
		const raw = emulator.rawSecret(name);
		expect(raw?.labels).toEqual({
			team: "payments",
			[DEPLOYMENT_LABEL]: "store-test",
			[SECRET_ID_LABEL]: id,
		});
		expect(raw?.versions.map((v) => v.data?.toString())).toEqual([
			encodePayload({ user: "app", password: "pw" }, 1, "store-test"),
		]);
		// The checksum travels with every write.
		const [version] = await sdk.getSecretVersion({
			name: `projects/${emulator.projectId}/secrets/${name}/versions/1`,
		});
		expect(version.clientSpecifiedPayloadChecksum).toBe(true);

		const custom = await open({ prefix: "team_a-" });
		await custom.set(id, { k: "v" }, { version: 1 });
		expect(emulator.rawSecret(`team_a-${deploymentTag("store-test")}-${id}`)).toBeDefined();
		expect(await custom.get(id)).toEqual({ values: { k: "v" }, version: 1 });
	});

	it("turns any deployment id into a distinct label value", () => {
		expect(deploymentLabel("prod-eu_1")).toBe("prod-eu_1");
		const label = /^[a-z0-9_-]{1,63}$/;
		for (const id of [
			"Prod",
			"prod.eu",
			"x".repeat(200),
			"ünïcode",
			crypto.randomUUID().toUpperCase(),
		]) {
			expect(deploymentLabel(id)).toMatch(label);
		}
		expect(deploymentLabel("Prod")).not.toBe(deploymentLabel("prod"));
		expect(deploymentLabel("a.b")).not.toBe(deploymentLabel("a-b"));
	});
});

describe("old versions", () => {
	it("destroys enabled versions beyond keepVersions (default 1) after each write", async () => {
		const store = await open();
		const id = crypto.randomUUID();
		await store.set(id, { k: "1" }, { version: 1 });
		await store.set(id, { k: "2" }, { version: 2 });
		await store.set(id, { k: "3" }, { version: 3 });
		await vi.waitFor(() => expect(states(id)).toEqual(["DESTROYED", "DESTROYED", "ENABLED"]));
		expect(emulator.rawSecret(backendIdOf(emulator, id)!)?.versions[0]?.data).toBeUndefined();
		expect(await store.get(id)).toEqual({ values: { k: "3" }, version: 3 });
	});

	it("disables instead with oldVersions: disable, keeps keepVersions, and close() waits for the clean-up", async () => {
		const store = await open({ keepVersions: 2, oldVersions: "disable" });
		const id = crypto.randomUUID();
		for (let v = 1; v <= 4; v++) await store.set(id, { k: String(v) }, { version: v });
		await store.close();
		expect(states(id)).toEqual(["DISABLED", "DISABLED", "ENABLED", "ENABLED"]);
	});

	it("logs a failed clean-up without values and catches up on the next write", async () => {
		const store = await open();
		const id = crypto.randomUUID();
		await store.set(id, { k: "secret-one" }, { version: 1 });
		emulator.inject({ kind: "error", operations: ["DestroySecretVersion"] });
		await store.set(id, { k: "secret-two" }, { version: 2 });
		await vi.waitFor(() =>
			expect(logs.some((l) => l.message.includes("old secret versions"))).toBe(true),
		);
		expect(states(id)).toEqual(["ENABLED", "ENABLED"]);
		emulator.clearFaults();
		await store.set(id, { k: "secret-three" }, { version: 3 });
		await vi.waitFor(() => expect(states(id)).toEqual(["DESTROYED", "DESTROYED", "ENABLED"]));
		expect(JSON.stringify(logs)).not.toContain("secret-");
	});
});

describe("create path", () => {
	it("deletes the empty secret when AddSecretVersion fails after CreateSecret succeeded", async () => {
		const store = await open();
		const id = crypto.randomUUID();
		emulator.clearCalls();
		emulator.inject({ kind: "error", operations: ["AddSecretVersion"] });
		await expect(store.set(id, { k: "v" }, { version: 1 })).rejects.toBeInstanceOf(
			StoreUnavailableError,
		);
		expect(ops()).toEqual(["CreateSecret", ...Array(4).fill("AddSecretVersion"), "DeleteSecret"]);
		expect(backendIdOf(emulator, id)).toBeUndefined();
	});

	it("leaves an empty secret to reconciliation when that delete fails too; listIds finds it", async () => {
		const store = await open({}, `leftover-${crypto.randomUUID()}`);
		const id = crypto.randomUUID();
		emulator.inject({ kind: "error", operations: ["AddSecretVersion", "DeleteSecret"] });
		await expect(store.set(id, { k: "v" }, { version: 1 })).rejects.toBeInstanceOf(
			StoreUnavailableError,
		);
		expect(logs.map((l) => l.message)).toContain(
			"Could not delete an empty secret left by a failed create; reconciliation will.",
		);
		emulator.clearFaults();
		expect(await store.get(id)).toBeUndefined(); // no version: nothing to read
		const listed: string[] = [];
		for await (const listedId of store.listIds()) listed.push(listedId);
		expect(listed).toEqual([id]);
		expect(await store.delete(id)).toBe(true);
	});

	it("finishes an interrupted create of its own secret (ALREADY_EXISTS with our labels)", async () => {
		const store = await open();
		const id = crypto.randomUUID();
		emulator.inject({ kind: "error", operations: ["AddSecretVersion", "DeleteSecret"] });
		await expect(store.set(id, { k: "v" }, { version: 1 })).rejects.toThrow();
		emulator.clearFaults();
		emulator.clearCalls();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(ops()).toEqual(["CreateSecret", "GetSecret", "AddSecretVersion"]);
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
	});

	it("never writes into a secret at its name that is not its own", async () => {
		const store = await open();
		const id = crypto.randomUUID();
		const name = `strongbox-${deploymentTag("store-test")}-${id}`;
		await sdk.createSecret({
			parent: `projects/${emulator.projectId}`,
			secretId: name,
			secret: { replication: { automatic: {} }, labels: { owner: "someone-else" } },
		});
		const error = await store.set(id, { k: "v" }, { version: 1 }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StoreError);
		expect((error as StoreError).details).toMatchObject({ reason: "foreign-object" });
		expect(emulator.rawSecret(name)?.versions).toEqual([]);
		expect(emulator.rawSecret(name)?.labels).toEqual({ owner: "someone-else" });
	});

	it("creates the secret when a version > 1 finds none (AddSecretVersion NOT_FOUND)", async () => {
		const store = await open();
		const id = crypto.randomUUID();
		emulator.clearCalls();
		await store.set(id, { k: "v" }, { version: 5 });
		expect(ops()).toEqual(["AddSecretVersion", "CreateSecret", "AddSecretVersion"]);
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 5 });
	});
});

describe("reads", () => {
	it("ignores a payload owned by another deployment and logs no value", async () => {
		const store = await open();
		const id = crypto.randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		const name = backendIdOf(emulator, id)!;
		await sdk.addSecretVersion({
			parent: `projects/${emulator.projectId}/secrets/${name}`,
			payload: { data: Buffer.from(encodePayload({ k: "foreign-value" }, 2, "somebody-else")) },
		});
		expect(await store.get(id)).toBeUndefined();
		expect(logs).toContainEqual({
			level: "warn",
			message: "Ignoring a back-end secret that belongs to another deployment.",
			fields: { id },
		});
		expect(JSON.stringify(logs)).not.toContain("foreign-value");
	});

	it("reports a disabled newest version as a StoreError, never as missing", async () => {
		const store = await open();
		const id = crypto.randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		await sdk.disableSecretVersion({
			name: `projects/${emulator.projectId}/secrets/${backendIdOf(emulator, id)}/versions/1`,
		});
		const error = await store.get(id).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StoreError);
		expect(error).not.toBeInstanceOf(StoreUnavailableError);
		expect((error as StoreError).details).toMatchObject({ reason: "version-not-enabled" });
	});

	it("reads with one AccessSecretVersion `latest` call", async () => {
		const store = await open();
		const id = crypto.randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		emulator.clearCalls();
		await store.get(id);
		expect(emulator.calls.map((c) => [c.operation, c.target])).toEqual([
			["AccessSecretVersion", backendIdOf(emulator, id)],
		]);
		expect(rawPayload(emulator, id)).toEqual({
			values: { k: "v" },
			version: 1,
			owner: "store-test",
		});
	});
});

describe("retries and errors", () => {
	it("retries throttling, 5xx, dropped connections and timeouts, with the SDK's own retries off", async () => {
		const store = await open({ timeoutMs: 100 });
		const id = crypto.randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		for (const fault of [
			{ kind: "throttle" },
			{ kind: "error" },
			{ kind: "error", status: 503 },
			{ kind: "drop" },
			{ kind: "latency", latencyMs: 1_000 },
		] as const) {
			emulator.clearCalls();
			emulator.inject({ ...fault, next: 1 });
			expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
			expect(ops(), fault.kind).toEqual(["AccessSecretVersion", "AccessSecretVersion"]);
		}
	});

	it("gives up after `retry.attempts` with StoreUnavailableError", async () => {
		const store = await open({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
		emulator.clearCalls();
		emulator.inject({ kind: "throttle" });
		const error = await store.get(crypto.randomUUID()).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StoreUnavailableError);
		expect((error as Error).message).toContain("throttling");
		expect(emulator.count("AccessSecretVersion")).toBe(3);
	});

	it("maps PERMISSION_DENIED to StorePermissionError without retrying", async () => {
		const store = await open();
		emulator.clearCalls();
		emulator.inject({ kind: "error", status: 403 });
		await expect(store.get(crypto.randomUUID())).rejects.toBeInstanceOf(StorePermissionError);
		expect(emulator.count()).toBe(1);
		await expect(store.verify()).rejects.toBeInstanceOf(StorePermissionError);
	});

	it("verify() proves reachability and permission on the configured project", async () => {
		await (await open()).verify();
		const wrongProject = await open({ projectId: "another-project" });
		await expect(wrongProject.verify()).rejects.toBeInstanceOf(StorePermissionError);
		const unreachable = await createStore(
			gcpStore,
			{
				...emulatorOptions(emulator),
				port: 9,
				retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
			},
			{ deploymentId: "x" },
		);
		opened.push(unreachable);
		await expect(unreachable.verify()).rejects.toBeInstanceOf(StoreUnavailableError);
	});

	it("uses an injected client and leaves it open on close()", async () => {
		const store = await createStore(
			gcpStore,
			{ projectId: emulator.projectId, client: sdk },
			{ deploymentId: "injected" },
		);
		const id = crypto.randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		await store.close();
		await sdk.getSecret({
			name: `projects/${emulator.projectId}/secrets/${backendIdOf(emulator, id)}`,
		});
	});
});

describe("options", () => {
	it("lists every problem in one StoreConfigError", async () => {
		const error = await createStore(gcpStore, {
			projectId: "Bad Project",
			prefix: "has space",
			labels: { "strongbox-x": "v", Upper: "v" },
			keepVersions: 0,
			oldVersions: "archive",
			insecure: true,
			credentials: { client_email: "a@b.c", private_key: "k" },
			keyFilename: "/key.json",
			retry: { attempts: 0, extra: 1 },
			unknown: true,
		}).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StoreConfigError);
		const issues = ((error as StoreConfigError).details?.issues ?? []) as { path: string }[];
		const paths = issues.map((i) => i.path);
		expect(paths).toEqual(
			expect.arrayContaining([
				"projectId",
				"prefix",
				"labels.strongbox-x",
				"labels.Upper",
				"keepVersions",
				"oldVersions",
				"retry.attempts",
			]),
		);
		expect(paths).toHaveLength(11);
		expect(paths).toEqual(
			expect.arrayContaining(["insecure", "credentials", "retry", "(options)"]),
		);
		expect((error as StoreConfigError).message).toContain(
			"label keys starting with `strongbox-` are reserved",
		);
	});

	it("refuses combinations that cannot work", async () => {
		const base = { projectId: "my-project-1" };
		for (const options of [
			{ ...base, insecure: true },
			{ ...base, keyFilename: "/k.json", authClient: {} },
			{ ...base, client: {}, apiEndpoint: "127.0.0.1" },
		]) {
			await expect(createStore(gcpStore, options)).rejects.toBeInstanceOf(StoreConfigError);
		}
		await createStore(gcpStore, {
			...base,
			apiEndpoint: "127.0.0.1",
			port: 1,
			insecure: true,
		}).then((s) => s.close());
		await createStore(gcpStore, { projectId: "123456789012" }).then((s) => s.close());
	});

	it("accepts service-account keys only, read from `keyFilename` when the SDK is first used", async () => {
		const dir = await mkdtemp(join(tmpdir(), "sb-gcp-"));
		const canary = `canary-${crypto.randomUUID()}`;
		const file = (name: string, content: string) =>
			writeFile(join(dir, name), content).then(() => join(dir, name));
		const storeWith = (keyFilename: string) =>
			createStore(gcpStore, {
				projectId: emulator.projectId,
				apiEndpoint: emulator.apiEndpoint,
				port: emulator.port,
				keyFilename,
				retry: { attempts: 1 },
			}).then((store) => {
				opened.push(store);
				return store;
			});
		try {
			const cases = {
				missing: join(dir, "missing.json"),
				notJson: await file("not-json.json", `{"private_key": "${canary}"`),
				external: await file(
					"external.json",
					JSON.stringify({
						type: "external_account",
						credential_source: { executable: { command: canary } },
					}),
				),
				incomplete: await file(
					"incomplete.json",
					JSON.stringify({ type: "service_account", private_key: canary }),
				),
			};
			for (const [label, path] of Object.entries(cases)) {
				// The key file is only read on first use: creating the store never fails on it.
				const store = await storeWith(path);
				const error = await store.get(crypto.randomUUID()).catch((e: unknown) => e);
				expect(error, label).toBeInstanceOf(StoreConfigError);
				expect(
					JSON.stringify(error) + String(error) + String((error as Error).cause ?? ""),
				).not.toContain(canary);
			}
			// A well-formed key builds a client; here the call then fails on TLS (the emulator is plain text).
			const valid = await file(
				"sa.json",
				JSON.stringify({
					type: "service_account",
					client_email: "sa@p.iam.gserviceaccount.com",
					private_key: canary,
				}),
			);
			const error = await (await storeWith(valid))
				.get(crypto.randomUUID())
				.catch((e: unknown) => e);
			expect(error).toBeInstanceOf(StoreUnavailableError);
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});
});
