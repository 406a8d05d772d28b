/**
 * What is specific to the Vault store, through node-vault against the emulator: the
 * layout in Vault, calls per operation, check-and-set paths, ownership, paths and
 * encoding, options, verify() and error mapping.
 */
import { randomUUID } from "node:crypto";
import {
	ConflictError,
	createStore,
	type Logger,
	PayloadTooLargeError,
	StoreConfigError,
	StoreError,
	StorePermissionError,
	StoreUnavailableError,
} from "@strongbox/core";
import { startVaultEmulator, type VaultEmulator } from "@strongbox/testkit/emulators";
import nodeVault from "node-vault";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { createVaultApi } from "../src/client.js";
import vaultStore, { type VaultStoreOptions } from "../src/index.js";
import { emulatorOptions, rawPayload } from "./helpers.js";

let emulator: VaultEmulator;

beforeAll(async () => {
	emulator = await startVaultEmulator({
		mounts: ["secret", "kv/team"],
		tokens: { reader: { policies: ["reader"] }, "no-capabilities-self": { policies: ["app"] } },
		policies: {
			reader: { "secret/data/strongbox/*": ["read"], "secret/metadata/strongbox/*": ["list"] },
			app: {
				"secret/data/strongbox/*": ["create", "read", "update"],
				"secret/metadata/strongbox/*": ["create", "read", "update", "delete", "list"],
				"sys/capabilities-self": ["deny"],
			},
		},
	});
});
afterAll(() => emulator.close());
beforeEach(() => {
	emulator.clearFaults();
});

interface Logged {
	level: string;
	message: string;
	fields?: Record<string, unknown>;
}

async function open(options: Partial<VaultStoreOptions> = {}, deploymentId = "dep-a") {
	const logs: Logged[] = [];
	const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
		logs.push({ level, message, ...(fields ? { fields } : {}) });
	};
	const logger: Logger = {
		debug: log("debug"),
		info: log("info"),
		warn: log("warn"),
		error: log("error"),
	};
	const store = await createStore(vaultStore, emulatorOptions(emulator, options), {
		deploymentId,
		logger,
	});
	onTestFinished(() => store.close());
	await store.init();
	return { store, logs };
}

/** Operations the emulator saw while `fn` ran. */
async function opsOf(fn: () => Promise<unknown>): Promise<string[]> {
	emulator.clearCalls();
	await fn();
	return emulator.calls.map((c) => c.operation);
}

const root = () =>
	nodeVault({ endpoint: emulator.endpoint, token: emulator.rootToken, noCustomHTTPVerbs: true });

describe("layout in Vault", () => {
	it("stores core's payload in one data field and tags the key's custom metadata", async () => {
		const { store } = await open();
		const id = randomUUID();
		await store.set(
			id,
			{ user: "app", constructor: "kept", prototype: "kept too" },
			{ version: 1 },
		);
		const raw = emulator.rawSecret("secret", `strongbox/${id}`);
		expect(Object.keys(raw?.data ?? {})).toEqual(["payload"]);
		expect(rawPayload(emulator, id)).toEqual({
			$version: "1",
			$owner: "dep-a",
			user: "app",
			constructor: "kept",
			prototype: "kept too",
		});
		expect(raw?.customMetadata).toEqual({
			"strongbox-deployment": "dep-a",
			"strongbox-secret-id": id,
		});
		expect(await store.get(id)).toEqual({
			values: { user: "app", constructor: "kept", prototype: "kept too" },
			version: 1,
		});
	});

	it("uses the configured mount, prefix and namespace, and never configures the mount", async () => {
		const ns = await startVaultEmulator({ namespaces: true, mounts: ["kv/team"] });
		onTestFinished(() => ns.close());
		const store = await createStore(
			vaultStore,
			{
				address: ns.endpoint,
				token: ns.rootToken,
				namespace: "team-a/",
				mount: "kv/team",
				prefix: "apps/strongbox",
			},
			{ deploymentId: "dep-ns" },
		);
		onTestFinished(() => store.close());
		const id = randomUUID();
		await store.verify();
		await store.set(id, { k: "v" }, { version: 1 });
		await store.set(id, { k: "v2" }, { version: 2 });
		expect(ns.rawSecret("kv/team", `apps/strongbox/${id}`, { namespace: "team-a" })?.version).toBe(
			2,
		);
		expect(ns.rawKeys("kv/team")).toEqual([]);
		const listed: string[] = [];
		for await (const listedId of store.listIds()) listed.push(listedId);
		expect(listed).toEqual([id]);
		expect(await store.delete(id)).toBe(true);
		expect(ns.calls.every((c) => !c.operation.startsWith("kv.config"))).toBe(true);
		expect(
			ns.calls.every(
				(c) => c.target === undefined || c.target.startsWith("team-a/kv/team/apps/strongbox"),
			),
		).toBe(true);
	});

	it("sets max_versions on the keys it creates when `maxVersions` is given", async () => {
		const { store } = await open({ maxVersions: 1 });
		const id = randomUUID();
		for (let version = 1; version <= 3; version++)
			await store.set(id, { k: String(version) }, { version });
		expect(emulator.rawSecret("secret", `strongbox/${id}`)?.versions).toEqual([3]);
		const { store: defaults } = await open();
		const other = randomUUID();
		for (let version = 1; version <= 3; version++)
			await defaults.set(other, { k: String(version) }, { version });
		expect(emulator.rawSecret("secret", `strongbox/${other}`)?.versions).toEqual([1, 2, 3]);
	});

	it("keeps keys at the root of the mount with an empty prefix", async () => {
		const { store } = await open({ prefix: "" });
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(emulator.rawSecret("secret", id)?.version).toBe(1);
		await store.delete(id);
	});
});

describe("calls per operation", () => {
	it("get is one read; set is a create-only write plus the ownership tag, then one write", async () => {
		const { store } = await open();
		const id = randomUUID();
		expect(await opsOf(() => store.set(id, { k: "1" }, { version: 1 }))).toEqual([
			"kv.write",
			"kv.metadata.write",
		]);
		expect(await opsOf(() => store.get(id))).toEqual(["kv.read"]);
		expect(await opsOf(() => store.set(id, { k: "2" }, { version: 2 }))).toEqual(["kv.write"]);
		expect(await opsOf(() => store.set(id, { k: "3" }, { version: 3 }))).toEqual(["kv.write"]);
		expect(await opsOf(() => store.delete(id))).toEqual(["kv.metadata.delete"]);
		expect(emulator.rawSecret("secret", `strongbox/${id}`)).toBeUndefined();
	});

	it("a store that never saw the key reads it once before writing or deleting", async () => {
		const { store: writer } = await open();
		const id = randomUUID();
		await writer.set(id, { k: "1" }, { version: 1 });
		const { store: fresh } = await open();
		expect(await opsOf(() => fresh.set(id, { k: "2" }, { version: 2 }))).toEqual([
			"kv.read",
			"kv.write",
		]);
		const { store: other } = await open();
		expect(await opsOf(() => other.delete(id))).toEqual(["kv.read", "kv.metadata.delete"]);
		expect(await opsOf(() => other.delete(id))).toEqual(["kv.read"]);
		expect(await other.delete(id)).toBe(false);
	});

	it("a repeated write is idempotent: the check-and-set fails, one read confirms", async () => {
		const { store } = await open();
		const id = randomUUID();
		await store.set(id, { k: "1" }, { version: 1 });
		expect(await opsOf(() => store.set(id, { k: "1" }, { version: 1 }))).toEqual([
			"kv.write",
			"kv.read",
		]);
		expect(emulator.rawSecret("secret", `strongbox/${id}`)?.currentVersion).toBe(1);
	});

	it("listIds is one list plus one metadata read per key of the prefix", async () => {
		const prefix = `list-${randomUUID()}/`;
		const { store } = await open({ prefix });
		const ids = [randomUUID(), randomUUID(), randomUUID()];
		for (const id of ids) await store.set(id, { k: "v" }, { version: 1 });
		await root().write(`secret/data/${prefix}not-a-uuid`, { data: { a: "1" } });
		emulator.clearCalls();
		const listed: string[] = [];
		for await (const id of store.listIds()) listed.push(id);
		expect(listed.sort()).toEqual([...ids].sort());
		expect(emulator.count("kv.list")).toBe(1);
		expect(emulator.count("kv.metadata.read")).toBe(3);
	});
});

describe("check-and-set", () => {
	it("a write racing another store falls back to one read and lands on the current version", async () => {
		const { store: a } = await open();
		const { store: b } = await open();
		const id = randomUUID();
		await a.set(id, { k: "1" }, { version: 1 });
		await b.get(id);
		await b.set(id, { k: "2" }, { version: 2 });
		// a still believes KV version 1: its check-and-set fails, it reads, then writes at 2.
		expect(await opsOf(() => a.set(id, { k: "3" }, { version: 3 }))).toEqual([
			"kv.write",
			"kv.read",
			"kv.write",
		]);
		expect(await b.get(id)).toEqual({ values: { k: "3" }, version: 3 });
	});

	it("never writes an older catalog version over a newer one", async () => {
		const { store } = await open();
		const id = randomUUID();
		await store.set(id, { k: "1" }, { version: 1 });
		await store.set(id, { k: "3" }, { version: 3 });
		const { store: late } = await open();
		await expect(late.set(id, { k: "2" }, { version: 2 })).rejects.toBeInstanceOf(ConflictError);
		expect(await store.get(id)).toEqual({ values: { k: "3" }, version: 3 });
	});

	it("overwrites the same version holding other values (a write the catalog undid)", async () => {
		const { store } = await open();
		const id = randomUUID();
		await store.set(id, { k: "1" }, { version: 1 });
		await store.set(id, { k: "aborted" }, { version: 2 });
		const { store: fresh } = await open();
		await fresh.set(id, { k: "retried" }, { version: 2 });
		expect(await fresh.get(id)).toEqual({ values: { k: "retried" }, version: 2 });
	});

	it("recreates a key deleted behind its back", async () => {
		const { store } = await open();
		const id = randomUUID();
		await store.set(id, { k: "1" }, { version: 1 });
		await root().delete(`secret/metadata/strongbox/${id}`);
		await store.set(id, { k: "2" }, { version: 2 });
		expect(await store.get(id)).toEqual({ values: { k: "2" }, version: 2 });
		expect(
			emulator.rawSecret("secret", `strongbox/${id}`)?.customMetadata?.["strongbox-deployment"],
		).toBe("dep-a");
	});
});

describe("ownership", () => {
	it("ignores, never overwrites and never deletes a key written by another tool", async () => {
		const { store, logs } = await open();
		const id = randomUUID();
		await root().write(`secret/data/strongbox/${id}`, { data: { password: "third-party" } });
		expect(await store.get(id)).toBeUndefined();
		expect(logs.filter((l) => l.level === "warn").map((l) => l.fields)).toEqual([{ id }]);
		const refused = await store.set(id, { k: "mine" }, { version: 1 }).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(StoreError);
		expect((refused as StoreError).details).toEqual({ reason: "foreign-object", id });
		expect(
			await store.set(id, { k: "mine" }, { version: 2 }).catch((e: unknown) => e),
		).toBeInstanceOf(StoreError);
		expect(await store.delete(id)).toBe(false);
		expect(emulator.rawSecret("secret", `strongbox/${id}`)?.data).toEqual({
			password: "third-party",
		});
	});

	it("tells two deployments sharing a prefix apart on every path", async () => {
		const prefix = `shared-${randomUUID()}/`;
		const { store: a } = await open({ prefix }, "dep-a");
		const { store: b } = await open({ prefix }, "dep-b");
		const id = randomUUID();
		await a.set(id, { k: "a" }, { version: 1 });
		expect(await b.get(id)).toBeUndefined();
		await expect(b.set(id, { k: "b" }, { version: 2 })).rejects.toBeInstanceOf(StoreError);
		expect(await b.delete(id)).toBe(false);
		const listed: string[] = [];
		for await (const listedId of b.listIds()) listed.push(listedId);
		expect(listed).toEqual([]);
		expect(await a.get(id)).toEqual({ values: { k: "a" }, version: 1 });
	});

	it("a key whose latest version was soft-deleted by someone is missing, and still ours to overwrite", async () => {
		const { store } = await open();
		const id = randomUUID();
		await store.set(id, { k: "1" }, { version: 1 });
		await root().delete(`secret/data/strongbox/${id}`);
		expect(await store.get(id)).toBeUndefined();
		await store.set(id, { k: "2" }, { version: 2 });
		expect(await store.get(id)).toEqual({ values: { k: "2" }, version: 2 });
	});
});

describe("paths", () => {
	it("encodes every segment, so `#`, `?` and spaces reach the key they name", async () => {
		const api = createVaultApi({
			connection: { address: emulator.endpoint, rejectUnauthorized: true },
			timeoutMs: 2000,
		});
		onTestFinished(() => api.close());
		const weird = `enc-${randomUUID()}/we ird#name?x=1&y`;
		await api.kvWrite(emulator.rootToken, `secret/data/${weird}`, { a: "1" }, 0);
		expect(emulator.rawSecret("secret", weird)?.data).toEqual({ a: "1" });
		expect(emulator.rawSecret("secret", weird.split("#")[0]!)).toBeUndefined();
		expect(await api.kvRead(emulator.rootToken, `secret/data/${weird}`)).toMatchObject({
			state: "live",
			data: { a: "1" },
		});
		expect(await api.kvList(emulator.rootToken, `secret/metadata/${weird.split("/")[0]}/`)).toEqual(
			["we ird#name?x=1&y"],
		);
	});
});

describe("options", () => {
	const invalid = async (options: unknown) => {
		const error = await createStore(vaultStore, options).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StoreConfigError);
		return (error as StoreConfigError).details?.issues as { path: string; message: string }[];
	};

	it("lists every problem at once and never quotes a credential", async () => {
		const issues = await invalid({
			token: "t",
			appRole: { roleId: "r", secretId: "s3cr3t-canary" },
			mount: "../x",
			clientCert: "-----BEGIN CERTIFICATE-----",
			timeoutMs: 0,
			extra: true,
		});
		const paths = issues.map((i) => i.path).sort();
		expect(paths).toEqual(
			["(options)", "address", "appRole", "clientKey", "mount", "timeoutMs"].sort(),
		);
		expect(JSON.stringify(issues)).not.toContain("s3cr3t-canary");
	});

	it("needs an address and a credential unless fromEnv or a client is given", async () => {
		expect((await invalid({})).map((i) => i.path).sort()).toEqual(["address", "token"]);
		expect((await invalid({ address: "ftp://x" })).map((i) => i.path)).toContain("address");
		expect(
			(await invalid({ address: "https://user:pw@vault:8200", token: "t" })).map((i) => i.path),
		).toEqual(["address"]);
		const client = nodeVault({ endpoint: emulator.endpoint, token: emulator.rootToken });
		expect((await invalid({ client, address: emulator.endpoint })).map((i) => i.path)).toEqual([
			"address",
		]);
		await createStore(vaultStore, { fromEnv: true });
	});

	it("never reads VAULT_* variables unless fromEnv is set", async () => {
		const saved = { ...process.env };
		onTestFinished(() => {
			for (const key of [
				"VAULT_ADDR",
				"VAULT_TOKEN",
				"VAULT_NAMESPACE",
				"VAULT_PREFIX",
				"VAULT_SKIP_VERIFY",
			]) {
				if (saved[key] === undefined) delete process.env[key];
				else process.env[key] = saved[key];
			}
		});
		Object.assign(process.env, {
			VAULT_ADDR: "http://vault.invalid:8200",
			VAULT_TOKEN: "env-token",
			VAULT_NAMESPACE: "env-namespace",
			VAULT_PREFIX: "/env-prefix",
		});
		const { store } = await open();
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(emulator.rawSecret("secret", `strongbox/${id}`)?.version).toBe(1);
		Object.assign(process.env, { VAULT_ADDR: emulator.endpoint, VAULT_TOKEN: emulator.rootToken });
		delete process.env.VAULT_NAMESPACE;
		const fromEnv = await createStore(
			vaultStore,
			{ fromEnv: true, retry: { attempts: 1 } },
			{ deploymentId: "dep-a" },
		);
		onTestFinished(() => fromEnv.close());
		expect(await fromEnv.get(id)).toEqual({ values: { k: "v" }, version: 1 });
	});

	it("works with an injected node-vault client, sending the store's token", async () => {
		const client = nodeVault({
			endpoint: emulator.endpoint,
			token: "not-this-one",
			noCustomHTTPVerbs: true,
		});
		const store = await createStore(
			vaultStore,
			{ client, token: emulator.rootToken },
			{ deploymentId: "dep-a" },
		);
		onTestFinished(() => store.close());
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		await store.verify();
	});
});

describe("verify()", () => {
	it("checks the token, the capabilities and the mount in three calls", async () => {
		const { store } = await open();
		expect(await opsOf(() => store.verify())).toEqual([
			"auth.token.lookup-self",
			"sys.capabilities-self",
			"kv.list",
		]);
	});

	it("names the missing capabilities of a too-narrow policy", async () => {
		const { store } = await open({ token: "reader" });
		const error = await store.verify().catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StorePermissionError);
		expect((error as StorePermissionError).details).toEqual({
			missing: {
				"secret/data/strongbox/strongbox-verify": ["create", "update"],
				"secret/metadata/strongbox/strongbox-verify": ["read", "update", "delete"],
			},
		});
	});

	it("falls back to a list when capabilities-self is not allowed", async () => {
		const { store } = await open({ token: "no-capabilities-self" });
		await store.verify();
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(await store.delete(id)).toBe(true);
	});

	it("reports a bad token as a permission error and a missing mount as a configuration error", async () => {
		await expect((await open({ token: "hvs.unknown" })).store.verify()).rejects.toBeInstanceOf(
			StorePermissionError,
		);
		await expect((await open({ mount: "nope" })).store.verify()).rejects.toBeInstanceOf(
			StoreConfigError,
		);
		await expect((await open({ mount: "nope" })).store.get(randomUUID())).rejects.toBeInstanceOf(
			StoreConfigError,
		);
	});
});

describe("failures", () => {
	it("retries throttling and 5xx, then succeeds", async () => {
		const { store } = await open();
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		emulator.inject({ kind: "throttle", next: 2 });
		expect(await opsOf(() => store.get(id))).toEqual(["kv.read", "kv.read", "kv.read"]);
		expect(emulator.calls.map((c) => c.status)).toEqual([429, 429, 200]);
		emulator.inject({ kind: "error", status: 502, next: 1 });
		expect(await opsOf(() => store.set(id, { k: "2" }, { version: 2 }))).toEqual([
			"kv.write",
			"kv.write",
		]);
		expect(emulator.calls.map((c) => c.status)).toEqual([502, 200]);
		expect(await store.get(id)).toEqual({ values: { k: "2" }, version: 2 });
	});

	it("gives up after the configured attempts with StoreUnavailableError", async () => {
		const { store } = await open({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
		emulator.inject({ kind: "error", status: 500 });
		emulator.clearCalls();
		await expect(store.get(randomUUID())).rejects.toBeInstanceOf(StoreUnavailableError);
		expect(emulator.count("kv.read")).toBe(3);
	});

	it("does not retry a refused token: one call, StorePermissionError", async () => {
		const { store } = await open({ token: "hvs.unknown" });
		emulator.clearCalls();
		await expect(store.get(randomUUID())).rejects.toBeInstanceOf(StorePermissionError);
		expect(emulator.count()).toBe(1);
	});

	it("times out a silent back-end and retries it", async () => {
		const { store } = await open({
			timeoutMs: 50,
			retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
		});
		emulator.inject({ kind: "latency", latencyMs: 400, next: 2 });
		emulator.clearCalls();
		await expect(store.get(randomUUID())).rejects.toBeInstanceOf(StoreUnavailableError);
		expect(emulator.count("kv.read")).toBe(2);
	});

	it("maps Vault's 413 to PayloadTooLargeError", async () => {
		const small = await startVaultEmulator({ maxEntryBytes: 256 });
		onTestFinished(() => small.close());
		const store = await createStore(vaultStore, {
			address: small.endpoint,
			token: small.rootToken,
		});
		onTestFinished(() => store.close());
		await expect(
			store.set(randomUUID(), { k: "x".repeat(300) }, { version: 1 }),
		).rejects.toBeInstanceOf(PayloadTooLargeError);
	});

	it("reports an unreachable Vault as StoreUnavailableError", async () => {
		const gone = await startVaultEmulator();
		const address = gone.endpoint;
		await gone.close();
		const store = await createStore(vaultStore, {
			address,
			token: "t",
			retry: { attempts: 2, baseDelayMs: 1 },
		});
		onTestFinished(() => store.close());
		await expect(store.get(randomUUID())).rejects.toBeInstanceOf(StoreUnavailableError);
	});
});
