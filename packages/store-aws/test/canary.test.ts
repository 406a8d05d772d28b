/**
 * A canary value pushed through every failure path of the store (faults, refused
 * permissions, bad credentials, timeouts, oversized values, secrets pending deletion or
 * owned by another deployment) never appears in an error's message, String, JSON,
 * inspect output or cause chain, nor in a log line.
 */
import {
	PayloadTooLargeError,
	StoreError,
	StorePermissionError,
	StoreUnavailableError,
	type StrongboxError,
} from "@strongbox/core";
import { type AwsEmulator, assertNoLeak, startAwsEmulator } from "@strongbox/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { capturingLogger, type Logged, openSecrets, openStore } from "./helpers.js";

const CANARY = `canary-${crypto.randomUUID()}`;
let aws: AwsEmulator;
const logs: Logged[] = [];
const logger = capturingLogger(logs);

beforeAll(async () => {
	aws = await startAwsEmulator();
});

afterEach(() => {
	aws.clearFaults();
	for (const line of logs) assertNoLeak(line, [CANARY], "log line");
});

afterAll(async () => {
	await aws.close();
});

async function caught(promise: Promise<unknown>): Promise<StrongboxError> {
	try {
		await promise;
	} catch (error) {
		// Nor the credentials the store signs with.
		assertNoLeak(error, [CANARY, aws.credentials.secretAccessKey]);
		return error as StrongboxError;
	}
	throw new Error("expected a failure");
}

describe("no value leaks through failure paths", () => {
	it("5xx and throttling past the retries", async () => {
		const secrets = await openSecrets(aws, { logger });
		aws.inject({ kind: "error", fraction: 1 });
		expect(
			await caught(secrets.createSecret({ name: "a", values: { password: CANARY } })),
		).toBeInstanceOf(StoreUnavailableError);
		aws.clearFaults();
		const created = await secrets.createSecret({ name: "b", values: { password: "old" } });
		aws.inject({ kind: "throttle", fraction: 1 });
		expect(
			await caught(secrets.updateSecret(created.id, { values: { password: CANARY } })),
		).toBeInstanceOf(StoreUnavailableError);
		aws.clearFaults();
		aws.inject({ kind: "error", fraction: 1, operations: ["PutSecretValue"] });
		expect(
			await caught(secrets.updateSecret(created.id, { values: { password: CANARY } })),
		).toBeInstanceOf(StoreUnavailableError);
		await secrets.close();
	});

	it("dropped connections and timeouts", async () => {
		const store = await openStore(aws, { logger, extra: { timeoutMs: 50 } });
		aws.inject({ kind: "drop", fraction: 1 });
		expect(
			await caught(store.set(crypto.randomUUID(), { k: CANARY }, { version: 1 })),
		).toBeInstanceOf(StoreUnavailableError);
		aws.clearFaults();
		aws.inject({ kind: "latency", latencyMs: 200, fraction: 1 });
		expect(
			await caught(store.set(crypto.randomUUID(), { k: CANARY }, { version: 1 })),
		).toBeInstanceOf(StoreUnavailableError);
		await store.close();
	});

	it("refused permissions and bad credentials", async () => {
		const secrets = await openSecrets(aws, { logger });
		const undo = aws.deny();
		expect(
			await caught(secrets.createSecret({ name: "c", values: { password: CANARY } })),
		).toBeInstanceOf(StorePermissionError);
		undo();
		const wrong = await openStore(aws, {
			logger,
			extra: {
				credentials: { accessKeyId: aws.credentials.accessKeyId, secretAccessKey: `x${CANARY}` },
			},
		});
		expect(
			await caught(wrong.set(crypto.randomUUID(), { k: CANARY }, { version: 1 })),
		).toBeInstanceOf(StorePermissionError);
		await wrong.close();
		await secrets.close();
	});

	it("oversized values", async () => {
		const secrets = await openSecrets(aws, { logger });
		const big = { password: CANARY, pad: "x".repeat(70_000) };
		expect(await caught(secrets.createSecret({ name: "d", values: big }))).toBeInstanceOf(
			PayloadTooLargeError,
		);
		const store = secrets.store;
		expect(await caught(store.set(crypto.randomUUID(), big, { version: 1 }))).toBeInstanceOf(
			PayloadTooLargeError,
		);
		await secrets.close();
	});

	it("secrets pending deletion, and secrets of another deployment", async () => {
		const store = await openStore(aws, { logger, extra: { recoveryWindowInDays: 7 } });
		const id = crypto.randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		await store.delete(id);
		expect(await caught(store.set(id, { k: CANARY }, { version: 2 }))).toBeInstanceOf(StoreError);
		expect(await caught(store.set(id, { k: CANARY }, { version: 1 }))).toBeInstanceOf(StoreError);

		const other = await openStore(aws, { logger });
		const theirs = crypto.randomUUID();
		await other.set(theirs, { k: CANARY }, { version: 1 });
		expect(await caught(store.set(theirs, { k: CANARY }, { version: 1 }))).toBeInstanceOf(
			StoreError,
		);
		expect(await store.get(theirs)).toBeUndefined();
		expect(logs.some((line) => line.level === "warn" && line.fields?.id === theirs)).toBe(true);
		await store.close();
		await other.close();
	});
});
