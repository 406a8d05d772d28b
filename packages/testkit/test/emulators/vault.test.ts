/**
 * The Vault emulator driven by the real `node-vault` client over real HTTP: KV v2
 * semantics, auth, ACLs, namespaces, limits and every fault kind.
 */
import nodeVault from "node-vault";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { startVaultEmulator, type VaultEmulator } from "../../src/emulators/vault/index.js";

type Client = ReturnType<typeof nodeVault>;

interface VaultFailure {
	message: string;
	response?: { statusCode: number; body: { errors?: string[]; data?: unknown } };
	code?: string;
}

function client(
	emulator: VaultEmulator,
	options: { token?: string; namespace?: string; list?: "LIST" } = {},
): Client {
	const vault = nodeVault({
		apiVersion: "v1",
		endpoint: emulator.endpoint,
		token: options.token ?? emulator.rootToken,
		noCustomHTTPVerbs: options.list !== "LIST",
		...(options.namespace ? { namespace: options.namespace } : {}),
	});
	// node-vault falls back to VAULT_* variables for what it is not given.
	if (!options.namespace) (vault as unknown as { namespace?: string }).namespace = undefined;
	return vault;
}

async function failure(promise: Promise<unknown>): Promise<VaultFailure> {
	try {
		await promise;
	} catch (error) {
		return error as VaultFailure;
	}
	throw new Error("expected the call to fail");
}

const enc = (path: string) => path.split("/").map(encodeURIComponent).join("/");

describe("Vault emulator (node-vault)", () => {
	let emulator: VaultEmulator;
	let vault: Client;
	let n = 0;
	const key = () => `t${++n}-${Math.random().toString(36).slice(2, 8)}`;

	beforeAll(async () => {
		emulator = await startVaultEmulator({
			clock: "manual",
			mounts: ["secret", "kv/team"],
			tokens: {
				"fixed-ttl": { ttl: 60, renewable: false },
				reader: { policies: ["read-app"] },
				"lookup-only": { policies: ["default"] },
			},
			policies: {
				"read-app": {
					"secret/data/app/*": ["read", "list"],
					"secret/metadata/app/*": ["list"],
				},
			},
			approle: { roleId: "role-1", secretId: "secret-1", ttl: 30 },
		});
		vault = client(emulator);
	});
	afterAll(() => emulator.close());
	afterEach(() => {
		emulator.clearFaults();
	});

	describe("KV v2 data", () => {
		it("writes, reads the latest and a given version, and reports metadata", async () => {
			const k = key();
			const first = await vault.write(`secret/data/${k}`, {
				data: { pw: "one" },
				options: { cas: 0 },
			});
			expect(first.data).toMatchObject({ version: 1, destroyed: false, deletion_time: "" });
			await vault.write(`secret/data/${k}`, { data: { pw: "two" }, options: { cas: 1 } });
			const latest = await vault.read(`secret/data/${k}`);
			expect(latest.data.data).toEqual({ pw: "two" });
			expect(latest.data.metadata.version).toBe(2);
			const old = await vault.read(`secret/data/${k}?version=1`);
			expect(old.data.data).toEqual({ pw: "one" });
			const meta = await vault.read(`secret/metadata/${k}`);
			expect(meta.data).toMatchObject({ current_version: 2, max_versions: 0, oldest_version: 0 });
			expect(Object.keys(meta.data.versions)).toEqual(["1", "2"]);
		});

		it("enforces check-and-set: 0 is create-only, a stale version is refused", async () => {
			const k = key();
			await vault.write(`secret/data/${k}`, { data: { a: "1" }, options: { cas: 0 } });
			const again = await failure(
				vault.write(`secret/data/${k}`, { data: { a: "2" }, options: { cas: 0 } }),
			);
			expect(again.response?.statusCode).toBe(400);
			expect(again.response?.body.errors).toEqual([
				"check-and-set parameter did not match the current version",
			]);
			const stale = await failure(
				vault.write(`secret/data/${k}`, { data: { a: "2" }, options: { cas: 5 } }),
			);
			expect(stale.message).toBe("check-and-set parameter did not match the current version");
			await vault.write(`secret/metadata/${k}`, { cas_required: true });
			const missing = await failure(vault.write(`secret/data/${k}`, { data: { a: "3" } }));
			expect(missing.message).toBe("check-and-set parameter required for this call");
			expect((await vault.read(`secret/data/${k}`)).data.data).toEqual({ a: "1" });
		});

		it("answers a missing key with 404 and an empty errors array", async () => {
			const missing = await failure(vault.read(`secret/data/${key()}`));
			expect(missing.message).toBe("Status 404");
			expect(missing.response).toEqual({ statusCode: 404, body: { errors: [] } });
			expect((await failure(vault.read(`secret/metadata/${key()}`))).response?.statusCode).toBe(
				404,
			);
		});

		it("patches with JSON merge patch (null removes a key)", async () => {
			const k = key();
			await vault.write(`secret/data/${k}`, { data: { a: "1", b: "2" } });
			const patched = await vault.update(`secret/data/${k}`, {
				data: { b: null, c: "3" },
				options: { cas: 1 },
			});
			expect(patched.data.version).toBe(2);
			expect((await vault.read(`secret/data/${k}`)).data.data).toEqual({ a: "1", c: "3" });
			const absent = await failure(vault.update(`secret/data/${key()}`, { data: { a: "1" } }));
			expect(absent.response?.statusCode).toBe(404);
		});

		it("refuses a PATCH without the merge-patch content type", async () => {
			const k = key();
			await vault.write(`secret/data/${k}`, { data: { a: "1" } });
			const res = await fetch(`${emulator.endpoint}/v1/secret/data/${k}`, {
				method: "PATCH",
				headers: { "x-vault-token": emulator.rootToken, "content-type": "application/json" },
				body: JSON.stringify({ data: { a: "2" } }),
			});
			expect(res.status).toBe(415);
		});

		it("soft-deletes, undeletes and destroys versions", async () => {
			const k = key();
			await vault.write(`secret/data/${k}`, { data: { v: "1" } });
			await vault.write(`secret/data/${k}`, { data: { v: "2" } });
			await vault.delete(`secret/data/${k}`);
			const deleted = await failure(vault.read(`secret/data/${k}`));
			expect(deleted.response?.statusCode).toBe(404);
			expect(deleted.response?.body.data).toMatchObject({
				data: null,
				metadata: { version: 2, destroyed: false },
			});
			expect((await vault.read(`secret/data/${k}?version=1`)).data.data).toEqual({ v: "1" });
			await vault.write(`secret/undelete/${k}`, { versions: [2] });
			expect((await vault.read(`secret/data/${k}`)).data.data).toEqual({ v: "2" });
			await vault.write(`secret/delete/${k}`, { versions: [1] });
			expect((await failure(vault.read(`secret/data/${k}?version=1`))).response?.statusCode).toBe(
				404,
			);
			await vault.write(`secret/destroy/${k}`, { versions: [2] });
			const destroyed = await failure(vault.read(`secret/data/${k}`));
			expect(destroyed.response?.body.data).toMatchObject({ metadata: { destroyed: true } });
			await vault.write(`secret/undelete/${k}`, { versions: [2] });
			expect((await failure(vault.read(`secret/data/${k}`))).response?.statusCode).toBe(404);
			expect(emulator.rawSecret("secret", k)).toMatchObject({ data: null, destroyed: true });
			const noVersions = await failure(vault.write(`secret/destroy/${k}`, {}));
			expect(noVersions.message).toBe("no version number provided");
		});

		it("deletes every version and the metadata with DELETE metadata", async () => {
			const k = key();
			await vault.write(`secret/data/${k}`, { data: { v: "1" } });
			await vault.write(`secret/data/${k}`, { data: { v: "2" } });
			expect(await vault.delete(`secret/metadata/${k}`)).toBe("");
			expect(emulator.rawSecret("secret", k)).toBeUndefined();
			expect((await failure(vault.read(`secret/metadata/${k}`))).response?.statusCode).toBe(404);
			// Deleting what is not there is not an error in Vault.
			expect(await vault.delete(`secret/metadata/${k}`)).toBe("");
			await vault.write(`secret/data/${k}`, { data: { v: "new" }, options: { cas: 0 } });
			expect((await vault.read(`secret/data/${k}`)).data.metadata.version).toBe(1);
		});

		it("keeps at most max_versions versions", async () => {
			const k = key();
			await vault.write(`secret/metadata/${k}`, { max_versions: 2 });
			for (const v of ["1", "2", "3"]) await vault.write(`secret/data/${k}`, { data: { v } });
			const meta = await vault.read(`secret/metadata/${k}`);
			expect(Object.keys(meta.data.versions)).toEqual(["2", "3"]);
			expect(meta.data).toMatchObject({ current_version: 3, oldest_version: 2, max_versions: 2 });
			expect((await failure(vault.read(`secret/data/${k}?version=1`))).response?.statusCode).toBe(
				404,
			);
			expect(emulator.rawSecret("secret", k)?.versions).toEqual([2, 3]);
		});

		it("keeps 10 versions by default and honours the mount config", async () => {
			const k = key();
			for (let i = 1; i <= 11; i++)
				await vault.write(`secret/data/${k}`, { data: { i: String(i) } });
			expect(emulator.rawSecret("secret", k)?.versions).toHaveLength(10);
			await vault.write("kv/team/config", { max_versions: 3 });
			expect((await vault.read("kv/team/config")).data).toMatchObject({ max_versions: 3 });
			for (let i = 1; i <= 5; i++)
				await vault.write(`kv/team/data/${k}`, { data: { i: String(i) } });
			expect(emulator.rawSecret("kv/team", k)?.versions).toEqual([3, 4, 5]);
		});

		it("refuses a version larger than the storage entry limit with 413", async () => {
			const small = await startVaultEmulator({ maxEntryBytes: 1024 });
			try {
				const v = client(small);
				const big = await failure(v.write("secret/data/big", { data: { v: "x".repeat(2000) } }));
				expect(big.response?.statusCode).toBe(413);
				expect(big.message).toMatch(/^put failed due to value being too large/);
				expect(small.rawSecret("secret", "big")).toBeUndefined();
			} finally {
				await small.close();
			}
		});

		it("refuses a request body larger than max_request_size with 413", async () => {
			const small = await startVaultEmulator({ maxRequestBytes: 512 });
			try {
				const big = await failure(
					client(small).write("secret/data/k", { data: { v: "x".repeat(1000) } }),
				);
				expect(big.response?.statusCode).toBe(413);
			} finally {
				await small.close();
			}
		});
	});

	describe("KV v2 metadata", () => {
		it("replaces custom_metadata on POST and merges it on PATCH", async () => {
			const k = key();
			await vault.write(`secret/data/${k}`, { data: { a: "1" } });
			await vault.write(`secret/metadata/${k}`, {
				custom_metadata: { owner: "team-a", tier: "1" },
			});
			await vault.write(`secret/metadata/${k}`, { custom_metadata: { owner: "team-b" } });
			expect((await vault.read(`secret/metadata/${k}`)).data.custom_metadata).toEqual({
				owner: "team-b",
			});
			await vault.update(`secret/metadata/${k}`, { custom_metadata: { owner: null, env: "prod" } });
			const read = await vault.read(`secret/data/${k}`);
			// Reads of data carry the key's custom metadata.
			expect(read.data.metadata.custom_metadata).toEqual({ env: "prod" });
			expect(
				(await failure(vault.update(`secret/metadata/${key()}`, { custom_metadata: { a: "1" } })))
					.response?.statusCode,
			).toBe(404);
		});

		it("enforces Vault's custom_metadata limits (64 keys, 128-byte keys, 1–512-byte values)", async () => {
			const k = key();
			const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]));
			const tooMany = await failure(vault.write(`secret/metadata/${k}`, { custom_metadata: many }));
			expect(tooMany.response?.statusCode).toBe(400);
			expect(tooMany.message).toBe(
				"custom_metadata validation failed: payload must contain at most 64 keys, provided 65",
			);
			const longKey = await failure(
				vault.write(`secret/metadata/${k}`, { custom_metadata: { ["k".repeat(129)]: "v" } }),
			);
			expect(longKey.message).toMatch(/^custom_metadata validation failed: length of key/);
			const longValue = await failure(
				vault.write(`secret/metadata/${k}`, { custom_metadata: { a: "v".repeat(513) } }),
			);
			expect(longValue.message).toMatch(/length of value for key "a" is 513/);
			const empty = await failure(
				vault.write(`secret/metadata/${k}`, { custom_metadata: { a: "" } }),
			);
			expect(empty.response?.statusCode).toBe(400);
			await vault.write(`secret/metadata/${k}`, {
				custom_metadata: {
					a: "v".repeat(512),
					["k".repeat(128)]: "x",
					...Object.fromEntries(Array.from({ length: 62 }, (_, i) => [`k${i}`, "v"])),
				},
			});
			expect(
				Object.keys((await vault.read(`secret/metadata/${k}`)).data.custom_metadata),
			).toHaveLength(64);
		});

		it("lists direct children with folders ending in /, via GET ?list=1 and ?list=true", async () => {
			const base = key();
			await vault.write(`secret/data/${base}/db`, { data: { a: "1" } });
			await vault.write(`secret/data/${base}/app/x`, { data: { a: "1" } });
			await vault.write(`secret/data/${base}/app/y`, { data: { a: "1" } });
			expect((await vault.list(`secret/metadata/${base}/`)).data.keys).toEqual(["app/", "db"]);
			expect((await vault.read(`secret/metadata/${base}/app?list=true`)).data.keys).toEqual([
				"x",
				"y",
			]);
			const empty = await failure(vault.list(`secret/metadata/${key()}/`));
			expect(empty.response).toEqual({ statusCode: 404, body: { errors: [] } });
			expect(emulator.calls.at(-1)).toMatchObject({ operation: "kv.list", status: 404 });
		});

		it("answers the LIST verb with a clean 400 and keeps the client usable", async () => {
			const listing = client(emulator, { list: "LIST" });
			const refused = await failure(listing.list("secret/metadata/"));
			expect(refused.response?.statusCode).toBe(400);
			expect(emulator.calls.at(-1)).toMatchObject({ operation: "http.rejected", status: 400 });
			// The 400 said `Connection: close`, so the keep-alive socket is not reused.
			const k = key();
			await listing.write(`secret/data/${k}`, { data: { a: "1" } });
			expect((await listing.read(`secret/data/${k}`)).data.data).toEqual({ a: "1" });
		});
	});

	describe("paths", () => {
		it("decodes encoded segments, and shows why unencoded paths write elsewhere", async () => {
			const weird = `${key()} we ird#name?x`;
			await vault.write(`secret/data/${enc(weird)}`, { data: { a: "encoded" } });
			expect(emulator.rawSecret("secret", weird)?.data).toEqual({ a: "encoded" });
			// node-vault does not encode: `#` starts a fragment, so this lands on another key.
			await vault.write(`secret/data/${weird}`, { data: { a: "raw" } });
			expect(emulator.rawSecret("secret", weird.split("#")[0]!)?.data).toEqual({ a: "raw" });
			expect(emulator.rawSecret("secret", weird)?.data).toEqual({ a: "encoded" });
		});

		it("answers an unknown mount with 404 and a route error", async () => {
			const missing = await failure(vault.read("nomount/data/x"));
			expect(missing.response?.statusCode).toBe(404);
			expect(missing.message).toBe('no handler for route "nomount/data/x". route entry not found.');
		});
	});

	describe("auth", () => {
		it("refuses a missing, unknown or revoked token with 403 permission denied", async () => {
			const anonymous = client(emulator, { token: "" });
			(anonymous as { token: string }).token = "";
			for (const c of [anonymous, client(emulator, { token: "hvs.nope" })]) {
				const refused = await failure(c.read("secret/data/x"));
				expect(refused.response).toEqual({
					statusCode: 403,
					body: { errors: ["permission denied"] },
				});
			}
			emulator.addToken("to-revoke", {});
			const revocable = client(emulator, { token: "to-revoke" });
			await revocable.write(`secret/data/${key()}`, { data: { a: "1" } });
			expect(emulator.revokeToken("to-revoke")).toBe(true);
			expect((await failure(revocable.read("secret/data/x"))).response?.statusCode).toBe(403);
		});

		it("tracks TTLs on its clock: lookup-self, renew-self up to the max TTL, expiry", async () => {
			const manual = await startVaultEmulator({
				clock: "manual",
				tokens: { "short-lived": { ttl: 60, maxTtl: 150 } },
			});
			onTestFinished(() => manual.close());
			const c = client(manual, { token: "short-lived" });
			const looked = await c.tokenLookupSelf();
			expect(looked.data).toMatchObject({
				ttl: 60,
				renewable: true,
				creation_ttl: 60,
				explicit_max_ttl: 150,
			});
			manual.advanceTime(50);
			expect((await c.tokenLookupSelf()).data.ttl).toBe(10);
			const renewed = await c.write("auth/token/renew-self", {});
			expect(renewed.auth).toMatchObject({ lease_duration: 60, renewable: true });
			expect(manual.tokenTtl("short-lived")).toBe(60);
			manual.advanceTime(55);
			// Issued 105 s ago; the max TTL of 150 s caps this renewal at 45 s.
			const capped = await c.write("auth/token/renew-self", { increment: 120 });
			expect(capped.auth.lease_duration).toBe(45);
			manual.advanceTime(46);
			expect(manual.tokenTtl("short-lived")).toBeUndefined();
			expect((await failure(c.tokenLookupSelf())).response).toEqual({
				statusCode: 403,
				body: { errors: ["permission denied"] },
			});
		});

		it("refuses to renew a token that is not renewable", async () => {
			const refused = await failure(
				client(emulator, { token: "fixed-ttl" }).write("auth/token/renew-self", {}),
			);
			expect(refused.response?.statusCode).toBe(400);
			expect(refused.message).toBe("lease is not renewable");
			expect((await failure(vault.write("auth/token/renew-self", {}))).message).toBe(
				"lease is not renewable",
			);
		});

		it("logs in with AppRole (node-vault's approleLogin) and refuses wrong credentials", async () => {
			const c = client(emulator, { token: "" });
			(c as { token: string }).token = "";
			const login = await c.approleLogin({ role_id: "role-1", secret_id: "secret-1" });
			expect(login.auth).toMatchObject({ lease_duration: 30, renewable: true, policies: ["root"] });
			// node-vault adopts the issued token.
			expect(c.token).toBe(login.auth.client_token);
			expect(emulator.tokenTtl(login.auth.client_token)).toBe(30);
			await c.write(`secret/data/${key()}`, { data: { a: "1" } });
			const wrongSecret = await failure(
				c.write("auth/approle/login", { role_id: "role-1", secret_id: "nope" }),
			);
			expect(wrongSecret.response).toEqual({
				statusCode: 400,
				body: { errors: ["invalid secret id"] },
			});
			const wrongRole = await failure(
				c.write("auth/approle/login", { role_id: "x", secret_id: "secret-1" }),
			);
			expect(wrongRole.message).toBe("invalid role ID");
		});

		it("applies ACL policies: exact and glob paths, create versus update, capabilities-self", async () => {
			const reader = client(emulator, { token: "reader" });
			await vault.write("secret/data/app/db", { data: { pw: "x" } });
			expect((await reader.read("secret/data/app/db")).data.data).toEqual({ pw: "x" });
			expect((await reader.list("secret/metadata/app/")).data.keys).toContain("db");
			const write = await failure(reader.write("secret/data/app/db", { data: { pw: "y" } }));
			expect(write.response).toEqual({ statusCode: 403, body: { errors: ["permission denied"] } });
			expect((await failure(reader.read("secret/data/other"))).response?.statusCode).toBe(403);
			const caps = await reader.write("sys/capabilities-self", {
				paths: ["secret/data/app/db", "secret/data/other"],
			});
			expect(caps.data).toEqual({
				"secret/data/app/db": ["list", "read"],
				"secret/data/other": ["deny"],
			});
			const single = await vault.write("sys/capabilities-self", { paths: ["secret/data/x"] });
			expect(single.capabilities).toEqual(["root"]);
			// The default policy lets any token look itself up, nothing more.
			const lookupOnly = client(emulator, { token: "lookup-only" });
			expect((await lookupOnly.tokenLookupSelf()).data.policies).toEqual(["default"]);
			expect((await failure(lookupOnly.read("secret/data/app/db"))).response?.statusCode).toBe(403);
		});
	});

	describe("namespaces", () => {
		it("serves the header and path-prefix forms of a namespace, isolated from the root", async () => {
			const ns = await startVaultEmulator({ namespaces: true });
			try {
				const viaHeader = client(ns, { namespace: "team-a/" });
				await viaHeader.write("secret/data/app", { data: { who: "team-a" } });
				expect(ns.rawSecret("secret", "app", { namespace: "team-a" })?.data).toEqual({
					who: "team-a",
				});
				expect(ns.rawSecret("secret", "app")).toBeUndefined();
				const root = client(ns);
				expect((await root.read("team-a/secret/data/app")).data.data).toEqual({ who: "team-a" });
				expect((await failure(root.read("secret/data/app"))).response?.statusCode).toBe(404);
				// Header and path prefix nest.
				await client(ns, { namespace: "team-a" }).write("child/secret/data/x", {
					data: { a: "1" },
				});
				expect(ns.rawSecret("secret", "x", { namespace: "team-a/child" })?.data).toEqual({
					a: "1",
				});
				expect(ns.calls.at(-1)).toMatchObject({
					operation: "kv.write",
					target: "team-a/child/secret/x",
				});
			} finally {
				await ns.close();
			}
		});

		it("ignores the namespace header when namespaces are off", async () => {
			await client(emulator, { namespace: "team-a" }).write("secret/data/ns-off", {
				data: { a: "1" },
			});
			expect(emulator.rawSecret("secret", "ns-off")?.data).toEqual({ a: "1" });
		});
	});

	describe("TLS", () => {
		it("serves HTTPS with a generated test CA that clients must trust", async () => {
			const tls = await startVaultEmulator({ tls: true });
			onTestFinished(() => tls.close());
			expect(tls.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:/);
			expect(tls.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
			const trusting = nodeVault({
				endpoint: tls.endpoint,
				token: tls.rootToken,
				requestOptions: { ca: tls.ca },
			});
			await trusting.write("secret/data/k", { data: { a: "1" } });
			expect((await trusting.read("secret/data/k")).data.data).toEqual({ a: "1" });
			const untrusting = nodeVault({ endpoint: tls.endpoint, token: tls.rootToken });
			const refused = await failure(untrusting.read("secret/data/k"));
			expect(refused.code).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
		});
	});

	describe("sys", () => {
		it("reports health, and answers 503 for everything else while sealed", async () => {
			expect(await vault.health()).toMatchObject({ initialized: true, sealed: false });
			emulator.seal();
			try {
				expect(await vault.health()).toMatchObject({ sealed: true });
				const sealed = await failure(vault.read("secret/data/x"));
				expect(sealed.response).toEqual({ statusCode: 503, body: { errors: ["Vault is sealed"] } });
			} finally {
				emulator.unseal();
			}
		});
	});

	describe("faults and the call log", () => {
		it("records every call with its operation, target and status", async () => {
			emulator.clearCalls();
			const k = key();
			await vault.write(`secret/data/${k}`, { data: { a: "1" } });
			await vault.read(`secret/data/${k}`);
			await vault.write(`secret/metadata/${k}`, { custom_metadata: { a: "b" } });
			await vault.delete(`secret/metadata/${k}`);
			await vault.tokenLookupSelf();
			expect(emulator.calls.map((c) => [c.operation, c.target, c.status])).toEqual([
				["kv.write", `secret/${k}`, 200],
				["kv.read", `secret/${k}`, 200],
				["kv.metadata.write", `secret/${k}`, 204],
				["kv.metadata.delete", `secret/${k}`, 204],
				["auth.token.lookup-self", undefined, 200],
			]);
			expect(emulator.count("kv.read")).toBe(1);
		});

		it("throttles with 429, Retry-After and Vault's quota message", async () => {
			emulator.inject({ kind: "throttle", next: 1 });
			const res = await fetch(`${emulator.endpoint}/v1/secret/data/x`, {
				headers: { "x-vault-token": emulator.rootToken },
			});
			expect(res.status).toBe(429);
			expect(res.headers.get("retry-after")).toBe("1");
			expect(await res.json()).toEqual({
				errors: ['request path "secret/data/x": rate limit quota exceeded'],
			});
			emulator.inject({ kind: "throttle", next: 1 });
			expect((await failure(vault.read("secret/data/x"))).response?.statusCode).toBe(429);
			expect(emulator.calls.at(-1)).toMatchObject({ fault: "throttle", status: 429 });
		});

		it("answers 5xx faults with an errors array, for the next N calls or one operation only", async () => {
			const k = key();
			await vault.write(`secret/data/${k}`, { data: { a: "1" } });
			emulator.inject({ kind: "error", next: 2 });
			expect((await failure(vault.read(`secret/data/${k}`))).response).toEqual({
				statusCode: 500,
				body: { errors: ["internal error"] },
			});
			expect((await failure(vault.read(`secret/data/${k}`))).response?.statusCode).toBe(500);
			expect((await vault.read(`secret/data/${k}`)).data.data).toEqual({ a: "1" });
			emulator.inject({ kind: "error", status: 503, fraction: 1, operations: ["kv.write"] });
			expect(
				(await failure(vault.write(`secret/data/${k}`, { data: { a: "2" } }))).response?.statusCode,
			).toBe(503);
			expect((await vault.read(`secret/data/${k}`)).data.data).toEqual({ a: "1" });
		});

		it("drops connections without an answer", async () => {
			emulator.inject({ kind: "drop", next: 1 });
			const dropped = await failure(vault.read("secret/data/x"));
			expect(dropped.response).toBeUndefined();
			expect(dropped.code).toMatch(/ECONNRESET|ERR_BAD_RESPONSE|ECONNABORTED/);
			expect(emulator.calls.at(-1)).toMatchObject({ operation: "kv.read", fault: "drop" });
			await vault.tokenLookupSelf();
		});

		it("adds latency and still answers", async () => {
			const k = key();
			await vault.write(`secret/data/${k}`, { data: { a: "1" } });
			emulator.inject({ kind: "latency", latencyMs: 30, next: 1 });
			expect((await vault.read(`secret/data/${k}`)).data.data).toEqual({ a: "1" });
			expect(emulator.calls.at(-1)).toMatchObject({ operation: "kv.read", status: 200 });
		});
	});
});
