/**
 * Nothing secret leaves the store: node-vault rejects transport failures with axios
 * errors whose `config.headers` hold the Vault token, so every failure path is pushed
 * through (connection refused, 403, 500, timeout, AppRole login failures, oversized and
 * foreign writes) and every rendering of the error, its causes and the log lines is
 * searched for the token, the AppRole secret id, the client key and a canary value.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { createSecrets, createStore, type Logger, StrongboxError } from "@strongbox/core";
import { createSqlCatalog } from "@strongbox/store-sql";
import { assertNoLeak, FAST_RETRY } from "@strongbox/testkit";
import { startVaultEmulator, type VaultEmulator } from "@strongbox/testkit/emulators";
import nodeVault from "node-vault";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import vaultStore, { type VaultStoreOptions } from "../src/index.js";

const TOKEN = `hvs.TOKEN-CANARY-${randomUUID()}`;
const SECRET_ID = `SECRET-ID-CANARY-${randomUUID()}`;
const VALUE = `VALUE-CANARY-${randomUUID()}`;
const CLIENT_KEY = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
	type: "pkcs8",
	format: "pem",
}) as string;
const KEY_BODY = CLIENT_KEY.split("\n")[1]!;
const NEEDLES = [TOKEN, SECRET_ID, VALUE, KEY_BODY];

let emulator: VaultEmulator;
const lines: string[] = [];
const logger: Logger = Object.fromEntries(
	(["debug", "info", "warn", "error"] as const).map((level) => [
		level,
		(message: string, fields?: Record<string, unknown>) => {
			lines.push(`${level} ${message} ${inspect(fields, { depth: Number.POSITIVE_INFINITY })}`);
		},
	]),
) as unknown as Logger;

beforeAll(async () => {
	emulator = await startVaultEmulator({
		tokens: { [TOKEN]: {}, "lookup-only": { policies: ["default"] } },
		approle: { roleId: "role-1", secretId: SECRET_ID },
		maxEntryBytes: 2048,
	});
});
afterAll(() => emulator.close());

async function storeOn(options: Partial<VaultStoreOptions>, address = emulator.endpoint) {
	const store = await createStore(
		vaultStore,
		{ address, token: TOKEN, retry: FAST_RETRY, timeoutMs: 200, ...options },
		{ deploymentId: "dep-leaks", logger },
	);
	onTestFinished(() => store.close());
	return store;
}

/** Runs `fn`, expects a Strongbox error, and searches it and the log lines for every needle. */
async function expectNoLeak(fn: () => Promise<unknown>): Promise<StrongboxError> {
	const error = await fn().then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(StrongboxError);
	assertNoLeak(error, NEEDLES, (error as Error).name);
	for (const needle of NEEDLES) expect(lines.filter((l) => l.includes(needle))).toEqual([]);
	return error as StrongboxError;
}

describe("the Vault token never leaves the store", () => {
	it("control: node-vault's own transport error does carry the token", async () => {
		const raw = nodeVault({ endpoint: "http://127.0.0.1:1", token: TOKEN });
		const error = await raw.read("secret/data/x").catch((e: unknown) => e);
		expect(inspect(error, { depth: Number.POSITIVE_INFINITY })).toContain(TOKEN);
		// ...and the search below finds it there, so a clean result means something.
		expect(() => assertNoLeak(error, [TOKEN])).toThrow(/leaked/);
	});

	it("connection refused (emulator closed)", async () => {
		const gone = await startVaultEmulator();
		const address = gone.endpoint;
		await gone.close();
		const store = await storeOn({}, address);
		const error = await expectNoLeak(() => store.set(randomUUID(), { k: VALUE }, { version: 1 }));
		expect(error.code).toBe("STORE_UNAVAILABLE");
		expect((error.cause as { code?: string }).code).toBe("ECONNREFUSED");
		await expectNoLeak(() => store.get(randomUUID()));
		await expectNoLeak(() => store.verify());
	});

	it("403 permission denied", async () => {
		const store = await storeOn({ token: "lookup-only" });
		await expectNoLeak(() => store.set(randomUUID(), { k: VALUE }, { version: 1 }));
		const own = await storeOn({});
		emulator.inject({ kind: "error", status: 403, next: 1 });
		const error = await expectNoLeak(() => own.get(randomUUID()));
		expect(error.code).toBe("STORE_PERMISSION_DENIED");
	});

	it("500 past the retries", async () => {
		const store = await storeOn({});
		const remove = emulator.inject({ kind: "error", status: 500 });
		onTestFinished(remove);
		const error = await expectNoLeak(() => store.set(randomUUID(), { k: VALUE }, { version: 1 }));
		expect(error.code).toBe("STORE_UNAVAILABLE");
		await expectNoLeak(() => store.delete(randomUUID()));
	});

	it("timeout", async () => {
		const store = await storeOn({ timeoutMs: 30, retry: { attempts: 2, baseDelayMs: 1 } });
		emulator.inject({ kind: "latency", latencyMs: 300, next: 2 });
		const error = await expectNoLeak(() => store.set(randomUUID(), { k: VALUE }, { version: 1 }));
		expect(error.code).toBe("STORE_UNAVAILABLE");
	});

	it("AppRole: wrong secret id, refused connection and 5xx during login", async () => {
		const wrong = await storeOn({
			token: undefined,
			appRole: { roleId: "role-1", secretId: `${SECRET_ID}-x` },
		});
		await expectNoLeak(() => wrong.get(randomUUID()));
		const store = await storeOn({
			token: undefined,
			appRole: { roleId: "role-1", secretId: SECRET_ID },
		});
		emulator.inject({ kind: "error", status: 503, operations: ["auth.approle.login"], next: 4 });
		await expectNoLeak(() => store.get(randomUUID()));
		const gone = await startVaultEmulator();
		const address = gone.endpoint;
		await gone.close();
		const refused = await storeOn(
			{ token: undefined, appRole: { roleId: "role-1", secretId: SECRET_ID } },
			address,
		);
		await expectNoLeak(() => refused.verify());
	});

	it("TLS options: the client key never shows up either", async () => {
		const store = await storeOn(
			{
				clientCert:
					"-----BEGIN CERTIFICATE-----\nnot-a-real-certificate\n-----END CERTIFICATE-----\n",
				clientKey: CLIENT_KEY,
			},
			"https://127.0.0.1:1",
		);
		await expectNoLeak(() => store.get(randomUUID()));
	});
});

describe("a canary value never leaves the store", () => {
	it("through faults, a refused permission, an oversized write and a foreign key, via createSecrets", async () => {
		const store = await storeOn({});
		const secrets = createSecrets({
			catalog: createSqlCatalog({ url: "sqlite::memory:" }),
			store,
			caller: { user: "alice", workspace: "ws-a" },
			logger,
		});
		onTestFinished(() => secrets.close());
		const created = await secrets.createSecret({ name: "canary", values: { password: VALUE } });
		emulator.inject({ kind: "throttle", fraction: 1 });
		await expectNoLeak(() =>
			secrets.updateSecret(created.id, { values: { password: `${VALUE}-2` } }),
		);
		await expectNoLeak(() =>
			secrets.createSecret({ name: "canary-2", values: { password: VALUE } }),
		);
		emulator.clearFaults();
		// Vault's own size limit (2 KiB here), below the store's declared one.
		const big = await expectNoLeak(() =>
			secrets.updateSecret(created.id, { values: { big: VALUE.repeat(100) } }),
		);
		expect(big.code).toBe("PAYLOAD_TOO_LARGE");
		// Core's limit, before any call.
		await expectNoLeak(() =>
			secrets.createSecret({ name: "huge", values: { v: VALUE.repeat(2000) } }),
		);
		const denied = await storeOn({ token: "lookup-only" });
		await expectNoLeak(() => denied.set(randomUUID(), { password: VALUE }, { version: 1 }));
		const id = randomUUID();
		await nodeVault({ endpoint: emulator.endpoint, token: emulator.rootToken }).write(
			`secret/data/strongbox/${id}`,
			{
				data: {
					payload: JSON.stringify({ $version: "1", $owner: "someone-else", password: VALUE }),
				},
			},
		);
		const foreign = await expectNoLeak(() => store.set(id, { password: VALUE }, { version: 1 }));
		expect(foreign.details).toEqual({ reason: "foreign-object", id });
		expect(await store.get(id)).toBeUndefined();
		expect(lines.some((l) => l.includes(id))).toBe(true);
		expect(lines.filter((l) => l.includes(VALUE))).toEqual([]);
	});
});
