/**
 * The store under `createSecrets`: back-end calls per operation (from the emulator's call
 * log), a 200-operation fault run followed by reconciliation and a consistency check
 * against the emulator's raw contents (the testkit's workload and check), and a canary pushed through every failure path.
 */
import { randomUUID } from "node:crypto";
import {
	createSecrets,
	createStore,
	memoryCatalog,
	PayloadTooLargeError,
	type SecretsService,
	StoreConfigError,
	StorePermissionError,
	StoreUnavailableError,
} from "@strongbox/core";
import { assertNoLeak, checkConsistency, mulberry32, runFaultWorkload } from "@strongbox/testkit";
import type { GcpEmulator } from "@strongbox/testkit/emulators";
import { blockedConnections } from "@strongbox/testkit/network-guard";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import gcpStore, { DEPLOYMENT_LABEL, deploymentLabel, type GcpStoreOptions } from "../src/index.js";
import {
	backendIdOf,
	capturingLogger,
	emulatorOptions,
	type LogLine,
	rawPayload,
	startGcpEmulator,
} from "./helpers.js";

let emulator: GcpEmulator;
const services: SecretsService[] = [];

/** `createSecrets` over a fresh GCP store of its own deployment. */
async function open(logs: LogLine[] = [], extra: Partial<GcpStoreOptions> = {}) {
	const deploymentId = `sb-${randomUUID()}`;
	const logger = capturingLogger(logs);
	const store = await createStore(gcpStore, emulatorOptions(emulator, extra), {
		deploymentId,
		logger,
	});
	const secrets = createSecrets({
		// Core's memory catalog, not SQLite: better-sqlite3 12.11 on Node 24 intermittently
		// aborts the worker (SIGABRT in Statement::~Statement) when statements of a closed
		// database are garbage-collected, and this file closes one catalog per test. The
		// SQLite catalog runs in conformance.test.ts.
		catalog: memoryCatalog(),
		store,
		logger,
		caller: { user: "alice", workspace: "ws" },
	});
	await secrets.init();
	services.push(secrets);
	return { secrets, deploymentId };
}

function ops(): string[] {
	return emulator.calls.map((c) => c.operation);
}

beforeAll(async () => {
	emulator = await startGcpEmulator({ random: mulberry32(20_260_101) });
});

afterEach(async () => {
	emulator.clearFaults();
	for (const secrets of services.splice(0)) await secrets.close();
});

afterAll(async () => {
	await emulator.close();
	expect(blockedConnections).toEqual([]);
});

describe("back-end calls per operation", () => {
	it("get: 1, delete: 1, set of an existing secret: 1 write; create: 2; listing: 0", async () => {
		const { secrets } = await open();
		emulator.clearCalls();
		// Secret Manager cannot create a secret with a value: a new secret is CreateSecret
		// then AddSecretVersion.
		const created = await secrets.createSecret({
			name: "db",
			values: { user: "app", password: "pw" },
		});
		expect(ops()).toEqual(["CreateSecret", "AddSecretVersion"]);

		emulator.clearCalls();
		await secrets.getSecret(created.id);
		expect(ops()).toEqual(["AccessSecretVersion"]);

		// An update reads the current values (core merges them), then writes: the write is
		// ONE call. The destruction of the old version runs after it, off the write's path.
		emulator.clearCalls();
		await secrets.updateSecret(created.id, { values: { password: "pw2" } });
		expect(ops().slice(0, 2)).toEqual(["AccessSecretVersion", "AddSecretVersion"]);
		await vi.waitFor(() =>
			expect(ops().slice(2)).toEqual(["ListSecretVersions", "DestroySecretVersion"]),
		);
		const writes = ops().filter((op) => op === "AddSecretVersion" || op === "CreateSecret");
		expect(writes).toEqual(["AddSecretVersion"]);

		emulator.clearCalls();
		await secrets.listSecrets();
		await secrets.listSecrets({ name: "contains:d", sortBy: "name", size: 5 });
		await secrets.getSecretMetadataByName("db");
		expect(ops()).toEqual([]);
		// A rename writes nothing to the back-end; core returns the secret with its values (one read).
		await secrets.updateSecret(created.id, { name: "db-renamed" });
		expect(ops()).toEqual(["AccessSecretVersion"]);

		emulator.clearCalls();

		await secrets.deleteSecret(created.id);
		expect(ops()).toEqual(["DeleteSecret"]);
		expect(backendIdOf(emulator, created.id)).toBeUndefined();
	});
});

describe("fault run", () => {
	it("200 mixed operations under 30% throttling and 10% 5xx: only StoreUnavailableError, then consistent", async () => {
		const { secrets, deploymentId } = await open();
		// The first matching rule wins, so the fractions are chosen for 5% 500s, 5% 503s and
		// 30% throttling of all calls.
		emulator.inject({ kind: "error", status: 500, fraction: 0.05 });
		emulator.inject({ kind: "error", status: 503, fraction: 0.05 / 0.95 });
		emulator.inject({ kind: "throttle", fraction: 0.3 / 0.9 });

		// The emulator fails a call before acting on it, so a failed operation changed
		// nothing: reads and listings must match the acknowledged state exactly.
		const run = await runFaultWorkload(secrets, { random: mulberry32(7), exact: true });
		// The faults did bite, and most operations still went through thanks to retries.
		expect(run.unavailable).toBeGreaterThan(0);
		expect(emulator.calls.filter((c) => c.fault).length).toBeGreaterThan(100);

		emulator.clearFaults();
		const report = await secrets.reconcile({ staleAfterMs: 0 });
		expect(report.deferred).toBe(0);
		// No empty leftover either: a secret without versions reads as holding nothing.
		const label = deploymentLabel(deploymentId);
		await checkConsistency(
			secrets,
			{
				read: (id) => rawPayload(emulator, id),
				listIds: () =>
					emulator
						.secretIds()
						.filter((name) => emulator.rawSecret(name)?.labels[DEPLOYMENT_LABEL] === label)
						.map((name) => name.slice(-36)),
			},
			{ deploymentId, run },
		);
	}, 120_000);
});

describe("no value leaves", () => {
	it("a canary never appears in errors or log lines on any failure path", async () => {
		const canary = `canary-${randomUUID()}`;
		const logs: LogLine[] = [];
		const { secrets } = await open(logs);
		const values = { password: canary };
		const expectFailure = async <E extends Error>(
			promise: Promise<unknown>,
			type: abstract new (...args: never[]) => E,
		) => {
			const error = await promise.then(
				() => undefined,
				(e: unknown) => e,
			);
			expect(error).toBeInstanceOf(type);
			assertNoLeak(error, [canary]);
		};

		const faults = [
			{ kind: "error" },
			{ kind: "throttle" },
			{ kind: "drop" },
			{ kind: "error", status: 503 },
		] as const;
		for (const [i, fault] of faults.entries()) {
			emulator.inject(fault);
			await expectFailure(secrets.createSecret({ name: `c-${i}`, values }), StoreUnavailableError);
			emulator.clearFaults();
		}
		emulator.inject({ kind: "error", status: 403 });
		await expectFailure(secrets.createSecret({ name: "denied", values }), StorePermissionError);
		emulator.clearFaults();
		await expectFailure(
			secrets.createSecret({ name: "big", values: { password: `${canary}${"x".repeat(70_000)}` } }),
			PayloadTooLargeError,
		);

		const created = await secrets.createSecret({ name: "ok", values });
		emulator.inject({ kind: "error" });
		await expectFailure(secrets.getSecret(created.id), StoreUnavailableError);
		await expectFailure(
			secrets.updateSecret(created.id, { values: { password: `${canary}-2` } }),
			StoreUnavailableError,
		);
		await expectFailure(secrets.deleteSecret(created.id), StoreUnavailableError);
		emulator.clearFaults();

		// Credentials: a bad option shape, and a key the auth library cannot use.
		await expectFailure(
			createStore(gcpStore, {
				projectId: "my-project-1",
				credentials: { client_email: 5, private_key: canary },
			}),
			StoreConfigError,
		);
		const withKey = await createStore(gcpStore, {
			projectId: emulator.projectId,
			apiEndpoint: emulator.apiEndpoint,
			port: emulator.port,
			credentials: { client_email: "sa@my-project-1.iam.gserviceaccount.com", private_key: canary },
			retry: { attempts: 1 },
		});
		const error = await withKey.get(randomUUID()).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(Error);
		assertNoLeak(error, [canary]);
		await withKey.close();

		expect(logs.length).toBeGreaterThan(0);
		for (const line of logs) expect(JSON.stringify(line)).not.toContain(canary);
	});
});
