/**
 * A canary value pushed through every failure path of the store (faults, dropped
 * connections, time-outs, refused permissions, oversized values, a disabled secret, a
 * foreign payload) never shows in an error's message, String, JSON, inspect output or
 * cause chain, nor in a log line. The bearer token never shows either.
 */
import { randomUUID } from "node:crypto";
import { createSecrets, type Logger, silentLogger } from "@strongbox/core";
import { createSqlCatalog } from "@strongbox/store-sql";
import { assertNoLeak } from "@strongbox/testkit";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { configSchema } from "../src/options.js";
import { createAzureStore } from "../src/store.js";
import {
	type AzureEmulator,
	emulatorOptions,
	nameOf,
	openStore,
	startAzureEmulator,
} from "./emulator.js";

const CANARY = `canary-${randomUUID()}`;
const TOKEN = "emulator-token-";
/** What must never show: the canary, and the bearer tokens the emulator issues (they start with TOKEN). */
const NEEDLES = [CANARY, TOKEN];

let emu: AzureEmulator;
const lines: unknown[] = [];
const logger: Logger = {
	debug: (...args) => lines.push(args),
	info: (...args) => lines.push(args),
	warn: (...args) => lines.push(args),
	error: (...args) => lines.push(args),
};

beforeAll(async () => {
	emu = await startAzureEmulator();
});
afterAll(async () => {
	await emu.close();
});
beforeEach(() => {
	emu.clearFaults();
	emu.setPermissions("all");
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	throw new Error("expected a failure");
}

it("no failure path of the store leaks a value or a token", async () => {
	const store = await openStore(
		emu,
		"dep-canary",
		{ timeoutMs: 100, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } },
		logger,
	);
	const id = randomUUID();
	const values = { password: CANARY };
	const errors: unknown[] = [];

	for (const kind of ["error", "throttle", "drop"] as const) {
		emu.inject({ kind, fraction: 1 });
		errors.push(await failure(store.set(id, values, { version: 1 })));
		emu.clearFaults();
	}
	emu.inject({ kind: "latency", latencyMs: 500, fraction: 1 });
	errors.push(await failure(store.set(id, values, { version: 1 })));
	emu.clearFaults();

	emu.setPermissions(["get"]);
	errors.push(await failure(store.set(id, values, { version: 1 })));
	emu.setPermissions("all");

	// Core's size check, then the service's own (a store used without core's wrapper).
	errors.push(await failure(store.set(id, { password: CANARY.repeat(1000) }, { version: 1 })));
	const raw = createAzureStore(configSchema.parse(emulatorOptions(emu)), {
		deploymentId: "dep-canary",
		logger,
	});
	await raw.init?.();
	errors.push(await failure(raw.set(id, { password: CANARY.repeat(700) }, { version: 1 })));

	// A disabled secret and a foreign payload holding the canary.
	await store.set(id, values, { version: 1 });
	emu.putRaw(nameOf(id), emu.rawSecret(nameOf(id))!.value, { enabled: false });
	errors.push(await failure(store.get(id)));
	const foreign = randomUUID();
	emu.putRaw(nameOf(foreign), `{"$version":"1","$owner":"someone-else","password":"${CANARY}"}`);
	expect(await store.get(foreign)).toBeUndefined();
	errors.push(await failure(store.set(foreign, values, { version: 2 })));
	emu.putRaw(nameOf(foreign), `not json ${CANARY}`);
	expect(await store.get(foreign)).toBeUndefined();

	expect(errors).toHaveLength(9);
	for (const error of errors) assertNoLeak(error, NEEDLES);
	expect(lines.length).toBeGreaterThan(0);
	for (const line of lines) assertNoLeak(line, NEEDLES);
	await store.close();
});

it("no failure of the Secrets API over this store leaks a value", async () => {
	const store = await openStore(emu, "dep-canary-api", { retry: { attempts: 1 } }, logger);
	const secrets = createSecrets({
		catalog: createSqlCatalog({ url: "sqlite::memory:" }),
		store,
		logger,
		caller: { user: "alice", workspace: "ws-a" },
	});
	const created = await secrets.createSecret({ name: "canary", values: { password: "before" } });
	const errors: unknown[] = [];
	emu.inject({ kind: "error", fraction: 1 });
	errors.push(
		await failure(secrets.createSecret({ name: "canary-2", values: { password: CANARY } })),
	);
	errors.push(await failure(secrets.updateSecret(created.id, { values: { password: CANARY } })));
	emu.clearFaults();
	await secrets.updateSecret(created.id, { values: { password: CANARY } });
	emu.inject({ kind: "throttle", fraction: 1 });
	errors.push(await failure(secrets.getSecret(created.id)));
	emu.clearFaults();
	errors.push(
		await failure(secrets.createSecret({ name: "big", values: { v: CANARY.repeat(2000) } })),
	);
	for (const error of errors) assertNoLeak(error, NEEDLES);
	for (const line of lines) assertNoLeak(line, NEEDLES);
	expect(silentLogger).toBeDefined();
	await secrets.close();
});
