/**
 * Everything between the store and Key Vault: TLS trust, the service version, time
 * limits, retries (and Retry-After), credentials and permissions, disabled secrets, and
 * what each failure becomes.
 */
import { randomUUID } from "node:crypto";
import { AuthenticationError, CredentialUnavailableError } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import {
	createStore,
	PayloadTooLargeError,
	StoreConfigError,
	StoreError,
	StorePermissionError,
	StoreUnavailableError,
	silentLogger,
} from "@strongbox/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import azureStore from "../src/index.js";
import { configSchema } from "../src/options.js";
import { createAzureStore } from "../src/store.js";
import {
	type AzureEmulator,
	emulatorOptions,
	nameOf,
	openStore,
	startAzureEmulator,
} from "./emulator.js";

let emu: AzureEmulator;
beforeAll(async () => {
	emu = await startAzureEmulator();
});
afterAll(async () => {
	await emu.close();
});
beforeEach(() => {
	emu.clearFaults();
	emu.setPermissions("all");
	emu.clearCalls();
});

/** Statuses of the calls since the log was cleared, without the SDK's bearer challenge. */
function statuses(): (number | undefined)[] {
	return emu.calls.filter((c) => c.operation !== "Authenticate").map((c) => c.status);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
	return promise.then(
		() => {
			throw new Error("expected a rejection");
		},
		(error: unknown) => error,
	);
}

describe("connection", () => {
	it("trusts the vault only through tlsOptions.ca (a TLS failure is a configuration error)", async () => {
		const { tlsOptions: _, ...untrusting } = emulatorOptions(emu);
		const store = await createStore(azureStore, untrusting);
		const error = await rejection(store.get(randomUUID()));
		expect(error).toBeInstanceOf(StoreConfigError);
		expect((error as Error).message).toContain("tlsOptions.ca");
		await store.close();
	});

	it("pins the service version", async () => {
		const store = await openStore(emu, undefined, { serviceVersion: "7.5" });
		await store.get(randomUUID());
		expect(emu.requests.at(-1)?.apiVersion).toBe("7.5");
		await store.close();
	});

	it("works with an injected SecretClient", async () => {
		const client = new SecretClient(emu.vaultUrl, emu.credential, {
			tlsOptions: { ca: emu.ca },
			disableChallengeResourceVerification: true,
			retryOptions: { maxRetries: 0 },
		});
		const store = await createStore(
			azureStore,
			{ client, retry: { attempts: 1 } },
			{ deploymentId: "d" },
		);
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		await store.close();
	});

	it("verify() reads a name the store never writes and expects 404", async () => {
		const store = await openStore(emu);
		await store.verify();
		expect(emu.calls.at(-1)).toMatchObject({
			operation: "GetSecret",
			target: "strongbox-verify-access",
			status: 404,
		});
		emu.setPermissions(["set", "list", "delete"]);
		expect(await rejection(store.verify())).toBeInstanceOf(StorePermissionError);
		await store.close();
	});
});

describe("retries and time limits", () => {
	it("retries throttling and 5xx with the SDK's own retries off", async () => {
		const store = await openStore(emu);
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		emu.clearCalls();
		emu.inject({ kind: "throttle", next: 2 });
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		emu.inject({ kind: "error", next: 1, status: 500 });
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		expect(statuses()).toEqual([429, 429, 200, 500, 200]);
		await store.close();
	});

	it("gives up after `attempts` and reports the back-end unavailable", async () => {
		const store = await openStore(emu, undefined, {
			retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
		});
		emu.inject({ kind: "error", fraction: 1 });
		const error = await rejection(store.get(randomUUID()));
		expect(error).toBeInstanceOf(StoreUnavailableError);
		expect(emu.count("GetSecret")).toBe(3);
		await store.close();
	});

	it("retries dropped connections and calls that exceed timeoutMs", async () => {
		const store = await openStore(emu, undefined, { timeoutMs: 100 });
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		emu.inject({ kind: "drop", next: 1 });
		emu.inject({ kind: "latency", latencyMs: 1_000, next: 1 });
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		emu.inject({ kind: "latency", latencyMs: 1_000, fraction: 1 });
		const single = await openStore(emu, undefined, { timeoutMs: 50, retry: { attempts: 1 } });
		expect(await rejection(single.get(id))).toBeInstanceOf(StoreUnavailableError);
		await store.close();
		await single.close();
	});

	it("retries a throttled call once its Retry-After (capped by maxDelayMs) has passed", async () => {
		const store = await openStore(emu, undefined, {
			retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
		});
		emu.inject({ kind: "throttle", next: 1 });
		expect(await store.get(randomUUID())).toBeUndefined();
		expect(statuses()).toEqual([429, 404]);
		await store.close();
	});
});

describe("what failures become", () => {
	it("a refused permission is StorePermissionError, never not-found", async () => {
		const store = await openStore(emu);
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		emu.setPermissions(["list"]);
		expect(await rejection(store.get(id))).toBeInstanceOf(StorePermissionError);
		expect(await rejection(store.set(id, { k: "w" }, { version: 2 }))).toBeInstanceOf(
			StorePermissionError,
		);
		expect(await rejection(store.delete(randomUUID()))).toBeInstanceOf(StorePermissionError);
		expect(emu.count("GetSecret")).toBe(2);
		await store.close();
	});

	it("credential failures: unavailable is a configuration error, refused is a permission error", async () => {
		const unavailable = await openStore(emu, undefined, {
			credential: {
				getToken: () => Promise.reject(new CredentialUnavailableError("no environment credential")),
			},
		});
		expect(await rejection(unavailable.get(randomUUID()))).toBeInstanceOf(StoreConfigError);
		const refused = await openStore(emu, undefined, {
			credential: {
				getToken: () =>
					Promise.reject(
						new AuthenticationError(401, {
							error: "invalid_client",
							error_description: "bad secret",
						}),
					),
			},
		});
		expect(await rejection(refused.get(randomUUID()))).toBeInstanceOf(StorePermissionError);
		await unavailable.close();
		await refused.close();
	});

	it("a disabled secret is a StoreError saying so, not missing and not a permission problem", async () => {
		const store = await openStore(emu);
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		emu.putRaw(nameOf(id), emu.rawSecret(nameOf(id))!.value, { enabled: false });
		const error = await rejection(store.get(id));
		expect(error).toBeInstanceOf(StoreError);
		expect(error).not.toBeInstanceOf(StorePermissionError);
		expect((error as StoreError).details).toMatchObject({ reason: "secret-disabled" });
		await store.close();
	});

	it("a value Key Vault refuses as too large is PayloadTooLargeError", async () => {
		// Bypasses core's size check to reach the service's own.
		const raw = createAzureStore(configSchema.parse(emulatorOptions(emu)), {
			deploymentId: "d",
			logger: silentLogger,
		});
		await raw.init?.();
		const error = await rejection(raw.set(randomUUID(), { v: "x".repeat(25_600) }, { version: 1 }));
		expect(error).toBeInstanceOf(PayloadTooLargeError);
		expect(emu.calls.at(-1)).toMatchObject({ operation: "SetSecret", status: 400 });
	});
});
