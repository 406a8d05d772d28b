/**
 * The store under `createSecrets`: back-end calls per operation (from the emulator's call
 * log), a 200-operation fault run followed by reconciliation and a consistency check
 * against the emulator's raw contents, and a canary pushed through every failure path.
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
import type { GcpEmulator } from "@strongbox/testkit/emulators";
import { blockedConnections } from "@strongbox/testkit/network-guard";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import gcpStore, { DEPLOYMENT_LABEL, deploymentLabel, type GcpStoreOptions } from "../src/index.js";
import {
	backendIdOf,
	capturingLogger,
	emulatorOptions,
	expectNoLeak,
	type LogLine,
	rawPayload,
	seededRandom,
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
	emulator = await startGcpEmulator({ random: seededRandom(20_260_101) });
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
		const random = seededRandom(7);
		const pick = <T>(items: readonly T[]): T | undefined =>
			items[Math.floor(random() * items.length)];
		const acknowledged = new Map<string, Record<string, string>>();
		const unexpected: unknown[] = [];
		let failures = 0;
		// The first matching rule wins, so the fractions are chosen for 5% 500s, 5% 503s and
		// 30% throttling of all calls.
		emulator.inject({ kind: "error", status: 500, fraction: 0.05 });
		emulator.inject({ kind: "error", status: 503, fraction: 0.05 / 0.95 });
		emulator.inject({ kind: "throttle", fraction: 0.3 / 0.9 });

		for (let i = 0; i < 200; i++) {
			const r = random();
			const id = pick([...acknowledged.keys()]);
			try {
				if (r < 0.3 || id === undefined) {
					const values = { k: `v${i}`, n: String(i) };
					const created = await secrets.createSecret({ name: `s${i}`, values });
					acknowledged.set(created.id, values);
				} else if (r < 0.55) {
					const secret = await secrets.getSecret(id);
					expect(secret.values).toEqual(acknowledged.get(id));
				} else if (r < 0.8) {
					const updated = await secrets.updateSecret(id, { values: { k: `u${i}` } });
					acknowledged.set(id, updated.values);
				} else if (r < 0.9) {
					await secrets.deleteSecret(id);
					acknowledged.delete(id);
				} else {
					const page = await secrets.listSecrets({ size: 1000 });
					expect(page.total).toBe(acknowledged.size);
				}
			} catch (error) {
				if (error instanceof StoreUnavailableError) failures++;
				else unexpected.push(error);
			}
		}
		expect(unexpected).toEqual([]);
		// The faults did bite, and most operations still went through thanks to retries.
		expect(failures).toBeGreaterThan(0);
		expect(emulator.calls.filter((c) => c.fault).length).toBeGreaterThan(100);

		emulator.clearFaults();
		const report = await secrets.reconcile({ staleAfterMs: 0 });
		expect(report.deferred).toBe(0);

		// Every active row has its values at the row's version in the back-end.
		const page = await secrets.listSecrets({ size: 1000 });
		expect(new Set(page.items.map((item) => item.id))).toEqual(new Set(acknowledged.keys()));
		for (const item of page.items) {
			const raw = rawPayload(emulator, item.id);
			expect(raw, item.name).toEqual({
				values: acknowledged.get(item.id),
				version: item.version,
				owner: deploymentId,
			});
		}
		// Every back-end secret of this deployment has a row: no orphan, no empty leftover.
		const label = deploymentLabel(deploymentId);
		const ours = emulator
			.secretIds()
			.filter((name) => emulator.rawSecret(name)?.labels[DEPLOYMENT_LABEL] === label);
		expect(ours.map((name) => name.slice(-36)).sort()).toEqual([...acknowledged.keys()].sort());
		// Every acknowledged write reads back.
		for (const [id, values] of acknowledged)
			expect((await secrets.getSecret(id)).values).toEqual(values);
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
			expectNoLeak(error, canary);
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
		expectNoLeak(error, canary);
		await withKey.close();

		expect(logs.length).toBeGreaterThan(0);
		for (const line of logs) expect(JSON.stringify(line)).not.toContain(canary);
	});
});
