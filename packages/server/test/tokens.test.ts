/**
 * Tokens over the API: hashed at rest (the raw token is nowhere in the database files),
 * expiry, revocation (effective on the next request), malformed tokens refused without
 * a lookup, ownership rules; and the per-token rate limit answering 429 + Retry-After.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverTables } from "../src/identity/migrations.js";
import { TOKEN_PATTERN } from "../src/index.js";
import { startTestServer, type TestServer } from "./helpers.js";

let t: TestServer;
let alice: string;

beforeAll(async () => {
	// No principal cache: a change made in the database is seen by the next request.
	t = await startTestServer({ auth: { cacheTtlMs: 0 }, rateLimit: { requestsPerMinute: 0 } });
	alice = await t.user("alice", "ws-a");
});

afterAll(async () => {
	await t?.close();
});

const whoami = (token: string) => t.request("GET", "/api/v1/whoami", { token });
const tokensTable = () =>
	t.server.runtime.catalog.knex(serverTables(t.server.runtime.catalog.tablePrefix).tokens);

describe("tokens", () => {
	it("are 256 random bits with a recognisable prefix, stored only as their SHA-256", async () => {
		const created = await t.request("POST", "/api/v1/tokens", {
			token: alice,
			body: { name: "laptop" },
		});
		expect(created.status).toBe(201);
		const token = created.json.token as string;
		expect(token).toMatch(TOKEN_PATTERN);
		expect(Buffer.from(token.slice(4), "base64url")).toHaveLength(32);
		expect(JSON.stringify(created.json.info)).not.toContain(token);
		const row = await tokensTable().where({ id: created.json.info.id }).first();
		expect(row.token_hash).toBe(createHash("sha256").update(token).digest("hex"));
		// Push the write-ahead log into the main file, then search every database file's bytes.
		await t.server.runtime.catalog.knex.raw("PRAGMA wal_checkpoint(TRUNCATE)");
		for (const file of await readdir(t.dataDir)) {
			const bytes = await readFile(path.join(t.dataDir, file));
			for (const raw of [token, t.adminToken, alice]) {
				expect(bytes.includes(Buffer.from(raw)), `${raw.slice(0, 8)}… in ${file}`).toBe(false);
			}
		}
		const listed = await t.request("GET", "/api/v1/tokens", { token: alice });
		expect(listed.text).not.toContain(token);
		expect(listed.text).not.toContain(row.token_hash);
		expect((await whoami(token)).json.user).toBe("alice");
	});

	it("are refused when unknown, malformed, too long or missing, always with 401 UNAUTHENTICATED", async () => {
		const forged = `sbx_${Buffer.alloc(32, 1).toString("base64url")}`;
		const cases: Record<string, string>[] = [
			{ authorization: `Bearer ${forged}` },
			{ authorization: `Bearer ${alice.slice(0, -1)}` },
			{ authorization: `Bearer ${alice}x` },
			{ authorization: `Bearer ${"a".repeat(5000)}` },
			{ authorization: `Basic ${Buffer.from("alice:pw").toString("base64")}` },
			{ authorization: "Bearer" },
			{},
		];
		for (const headers of cases) {
			const r = await t.request("GET", "/api/v1/whoami", { headers });
			expect(r.status).toBe(401);
			expect(r.json.error.code).toBe("UNAUTHENTICATED");
		}
	});

	it("expire", async () => {
		const created = await t.request("POST", "/api/v1/tokens", {
			token: alice,
			body: { name: "short", expiresInSeconds: 3600 },
		});
		const token = created.json.token as string;
		expect(new Date(created.json.info.expiresAt).getTime()).toBeGreaterThan(Date.now());
		expect((await whoami(token)).status).toBe(200);
		await tokensTable()
			.where({ id: created.json.info.id })
			.update({ expires_at: Date.now() - 1000 });
		const r = await whoami(token);
		expect(r.status).toBe(401);
		expect(r.json.error.message).toMatch(/expired/);
		const past = await t.request("POST", "/api/v1/tokens", {
			token: alice,
			body: { name: "past", expiresAt: "2020-01-01T00:00:00Z" },
		});
		expect(past.status).toBe(400);
	});

	it("are revoked at once, by their owner or an admin, and a revoked token cannot revoke", async () => {
		const a = (await t.request("POST", "/api/v1/tokens", { token: alice, body: { name: "a" } }))
			.json;
		const b = (
			await t.request("POST", "/api/v1/tokens", {
				token: t.adminToken,
				body: { name: "b", user: "alice" },
			})
		).json;
		expect((await whoami(a.token)).status).toBe(200);
		expect(
			(await t.request("DELETE", `/api/v1/tokens/${a.info.id}`, { token: alice })).status,
		).toBe(204);
		expect((await whoami(a.token)).status).toBe(401);
		expect(
			(await t.request("DELETE", `/api/v1/tokens/${b.info.id}`, { token: a.token })).status,
		).toBe(401);
		expect(
			(await t.request("DELETE", `/api/v1/tokens/${b.info.id}`, { token: t.adminToken })).status,
		).toBe(204);
		expect((await whoami(b.token)).status).toBe(401);
		const listed = await t.request("GET", "/api/v1/tokens", { token: alice });
		const revoked = listed.json.items.find((i: { id: string }) => i.id === a.info.id);
		expect(revoked.revokedAt).not.toBeNull();
	});

	it("of other users are out of reach for non-admins, and look like missing ones", async () => {
		const bob = await t.user("bob", "ws-b");
		const bobs = (await t.request("GET", "/api/v1/tokens", { token: bob })).json.items[0];
		const steal = await t.request("DELETE", `/api/v1/tokens/${bobs.id}`, { token: alice });
		const none = await t.request("DELETE", `/api/v1/tokens/${crypto.randomUUID()}`, {
			token: alice,
		});
		expect(steal.status).toBe(400);
		expect(steal.json.error.message).toBe(none.json.error.message);
		expect((await whoami(bob)).status).toBe(200);
		expect((await t.request("GET", "/api/v1/tokens?user=bob", { token: alice })).status).toBe(403);
		expect(
			(
				await t.request("POST", "/api/v1/tokens", {
					token: alice,
					body: { name: "x", user: "bob" },
				})
			).status,
		).toBe(403);
		expect((await t.request("GET", "/api/v1/users", { token: alice })).status).toBe(403);
	});

	it("stop working when their user is disabled or deleted", async () => {
		const carol = await t.user("carol", "ws-a");
		expect(
			(
				await t.request("PATCH", "/api/v1/users/carol", {
					token: t.adminToken,
					body: { disabled: true },
				})
			).status,
		).toBe(200);
		expect((await whoami(carol)).status).toBe(401);
		expect(
			(
				await t.request("PATCH", "/api/v1/users/carol", {
					token: t.adminToken,
					body: { disabled: false },
				})
			).status,
		).toBe(200);
		expect((await whoami(carol)).status).toBe(200);
		expect((await t.request("DELETE", "/api/v1/users/carol", { token: t.adminToken })).status).toBe(
			204,
		);
		expect((await whoami(carol)).status).toBe(401);
	});
});

describe("rate limit", () => {
	it("answers 429 with Retry-After past the per-token budget, per token, and never on /health", async () => {
		const limited = await startTestServer({ rateLimit: { requestsPerMinute: 5 } });
		try {
			// Three of the admin token's five requests.
			const bob = await limited.user("bob", "ws-b");
			const statuses: number[] = [];
			let last: Awaited<ReturnType<TestServer["request"]>> | undefined;
			for (let i = 0; i < 4; i++) {
				last = await limited.request("GET", "/api/v1/whoami", { token: limited.adminToken });
				statuses.push(last.status);
			}
			expect(statuses).toEqual([200, 200, 429, 429]);
			expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
			expect(last!.headers.get("x-ratelimit-limit")).toBe("5");
			expect(last!.headers.get("x-ratelimit-remaining")).toBe("0");
			expect(last!.headers.get("x-ratelimit-reset")).toBe(last!.headers.get("retry-after"));
			expect(last!.json.error.message).toMatch(
				/^Rate limit of 5 requests per minute reached; retry in (\d+ seconds?|1 minute)\.$/,
			);
			expect(last!.json.error.code).toBe("RATE_LIMITED");
			expect(last!.json.error.details.retryAfterSeconds).toBeGreaterThan(0);
			// Another token has its own budget; the limit headers come with a 429 only.
			const allowed = await limited.request("GET", "/api/v1/whoami", { token: bob });
			expect(allowed.status).toBe(200);
			expect([...allowed.headers.keys()].filter((h) => h.startsWith("x-ratelimit"))).toEqual([]);
			for (let i = 0; i < 10; i++)
				expect((await limited.request("GET", "/health")).status).toBe(200);
			// Without a token, requests are counted per address.
			const anonymous: number[] = [];
			for (let i = 0; i < 7; i++)
				anonymous.push((await limited.request("GET", "/api/v1/whoami")).status);
			expect(anonymous).toEqual([401, 401, 401, 401, 401, 429, 429]);
		} finally {
			await limited.close();
		}
	});
});

describe("tokens with the authentication cache on (default)", () => {
	it("are refused at once after a revocation or a user's deactivation, however often they were used", async () => {
		const cached = await startTestServer({ rateLimit: { requestsPerMinute: 0 } });
		try {
			const dave = await cached.user("dave", "ws-d");
			const created = await cached.request("POST", "/api/v1/tokens", {
				token: dave,
				body: { name: "ci" },
			});
			const token = created.json.token as string;
			const asUser = (value: string) => cached.request("GET", "/api/v1/whoami", { token: value });
			// Used repeatedly: verified once, then served from the caches.
			for (let i = 0; i < 5; i++) expect((await asUser(token)).status).toBe(200);
			expect(
				(
					await cached.request("DELETE", `/api/v1/tokens/${created.json.info.id}`, {
						token: dave,
					})
				).status,
			).toBe(204);
			expect((await asUser(token)).status).toBe(401);
			expect((await asUser(dave)).status).toBe(200);
			expect(
				(
					await cached.request("PATCH", "/api/v1/users/dave", {
						token: cached.adminToken,
						body: { disabled: true },
					})
				).status,
			).toBe(200);
			expect((await asUser(dave)).status).toBe(401);
		} finally {
			await cached.close();
		}
	});
});
