/**
 * Cross-replica eviction notices, in-process: two servers on one PostgreSQL database
 * (their own knex each, as two replicas would have). A write through one frees the other's
 * cache entry and a revoked token stops working on the other at once; a dropped listening
 * connection is re-established (with its caches cleared) and notices flow again. On
 * SQLite and MySQL the notices are off. The three-process run is `replicas.test.ts`.
 */
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime } from "../src/index.js";
import { channelName, createInvalidation, parseNotice } from "../src/invalidation.js";
import { startTestServer, type TestServer } from "./helpers.js";
import { assertReachable, dropTables, randomPrefix } from "./shared-db.js";

const POSTGRES = process.env.STRONGBOX_TEST_POSTGRES_URL;
const MYSQL = process.env.STRONGBOX_TEST_MYSQL_URL;

describe("notices (no database)", () => {
	it("parses only `<kind>:<id>` payloads of known kinds with well-formed ids", () => {
		const id = crypto.randomUUID();
		expect(parseNotice(`secret:${id}`)).toEqual({ kind: "secret", id });
		expect(parseNotice("token:abc-123")).toEqual({ kind: "token", id: "abc-123" });
		expect(parseNotice("user:dana@example.com")).toEqual({ kind: "user", id: "dana@example.com" });
		for (const bad of [
			"secret:not-a-uuid",
			"value:x",
			"token:",
			"nocolon",
			`user:${"x".repeat(400)}`,
			"user:has space",
			undefined,
		]) {
			expect(parseNotice(bad)).toBeUndefined();
		}
		expect(channelName("strongbox_")).toBe("strongbox_invalidate");
	});

	it("are off on SQLite: nothing is sent, nothing listens, /metrics has no notice series", async () => {
		const t = await startTestServer();
		try {
			const { invalidation } = t.server.runtime;
			expect(invalidation.enabled).toBe(false);
			await invalidation.publish("secret", crypto.randomUUID());
			expect(invalidation.stats().sent.secret).toBe(0);
			expect((await t.request("GET", "/metrics")).text).not.toContain("strongbox_invalidation");
		} finally {
			await t.close();
		}
	});
});

// Needs MySQL/MariaDB: set STRONGBOX_TEST_MYSQL_URL to run it (fails when set and unreachable).
describe.skipIf(!MYSQL)("notices on MySQL", () => {
	it("are off: MySQL has no notification channel, the version-checked cache stays correct", async () => {
		await assertReachable(MYSQL!);
		const prefix = randomPrefix("m");
		try {
			const runtime = await openRuntime({
				dataDir: tmpdir(),
				database: { url: MYSQL!, tablePrefix: prefix },
				encryption: { keys: `k1:${Buffer.alloc(32, 3).toString("base64")}` },
			});
			try {
				expect(runtime.invalidation.enabled).toBe(false);
				const secret = await runtime.secrets.createSecret({ name: "db", values: { k: "v" } });
				await runtime.secrets.updateSecret(secret.id, { values: { k: "w" } });
				expect(runtime.invalidation.stats().sent.secret).toBe(0);
			} finally {
				await runtime.close();
			}
		} finally {
			await dropTables(MYSQL!, prefix);
		}
	});
});

// Needs PostgreSQL (LISTEN/NOTIFY): set STRONGBOX_TEST_POSTGRES_URL to run it. When the
// variable is set and the database cannot be reached, `beforeAll` fails the suite.
describe.skipIf(!POSTGRES)("notices on PostgreSQL (two replicas in one process)", () => {
	const prefix = randomPrefix("n");
	const config = () => ({
		database: { url: POSTGRES!, tablePrefix: prefix },
		encryption: { keys: `k1:${Buffer.alloc(32, 7).toString("base64")}` },
		rateLimit: { requestsPerMinute: 0 },
		// Long enough that only a notice can explain an eviction within the test.
		cache: { ttlMs: 600_000, max: 1000 },
		auth: { cacheTtlMs: 600_000, bootstrap: true },
		log: { level: "warn" as const },
	});
	let a: TestServer;
	let b: TestServer;
	let admin: string;

	beforeAll(async () => {
		await assertReachable(POSTGRES!);
		a = await startTestServer(config());
		b = await startTestServer(config());
		admin = a.adminToken;
	});

	afterAll(async () => {
		await a?.close();
		await b?.close();
		await dropTables(POSTGRES!, prefix);
	});

	async function metric(t: TestServer, name: string): Promise<number> {
		const text = (await t.request("GET", "/metrics")).text;
		const line = text.split("\n").find((l) => l.startsWith(`${name} `));
		return line === undefined ? Number.NaN : Number(line.split(" ")[1]);
	}

	async function until(check: () => Promise<boolean>, deadlineMs = 2000): Promise<void> {
		const end = Date.now() + deadlineMs;
		while (!(await check())) {
			if (Date.now() > end) throw new Error("not within the deadline");
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	}

	it("a write through one replica frees the other's cache entry", async () => {
		const created = await a.request("POST", "/api/v1/secrets", {
			token: admin,
			body: { name: "shared", values: { k: "v1" } },
		});
		const id = created.json.id as string;
		for (let i = 0; i < 2; i++) {
			expect(
				(await b.request("GET", `/api/v1/secrets/${id}`, { token: admin })).json.values.k,
			).toBe("v1");
		}
		expect(await metric(b, "strongbox_cache_entries")).toBe(1);
		const before = await metric(b, 'strongbox_invalidations_received_total{kind="secret"}');
		await a.request("PATCH", `/api/v1/secrets/${id}`, {
			token: admin,
			body: { values: { k: "v2" } },
		});
		await until(
			async () =>
				(await metric(b, 'strongbox_invalidations_received_total{kind="secret"}')) > before &&
				(await metric(b, "strongbox_cache_entries")) === 0,
		);
		expect((await b.request("GET", `/api/v1/secrets/${id}`, { token: admin })).json.values.k).toBe(
			"v2",
		);
		expect(await metric(a, 'strongbox_invalidations_sent_total{kind="secret"}')).toBeGreaterThan(0);
	});

	it("a token revoked through one replica stops working on the other at once", async () => {
		const dana = await a.user("dana", "ws-d");
		expect((await b.request("GET", "/api/v1/whoami", { token: dana })).status).toBe(200);
		const tokens = await a.request("GET", "/api/v1/tokens?user=dana", { token: admin });
		await a.request("DELETE", `/api/v1/tokens/${tokens.json.items[0].id}`, { token: admin });
		await until(
			async () => (await b.request("GET", "/api/v1/whoami", { token: dana })).status === 401,
		);
		const other = await a.user("erin", "ws-d");
		expect((await b.request("GET", "/api/v1/whoami", { token: other })).status).toBe(200);
		await a.request("PATCH", "/api/v1/users/erin", { token: admin, body: { disabled: true } });
		await until(
			async () => (await b.request("GET", "/api/v1/whoami", { token: other })).status === 401,
		);
	});

	it("re-establishes a dropped listening connection, clears its caches, and hears notices again", async () => {
		const { knex } = b.server.runtime.catalog;
		const channel = b.server.runtime.invalidation.channel;
		const created = await a.request("POST", "/api/v1/secrets", {
			token: admin,
			body: { name: "after-drop", values: { k: "1" } },
		});
		const id = created.json.id as string;
		await b.request("GET", `/api/v1/secrets/${id}`, { token: admin });
		const reconnects = await metric(b, "strongbox_invalidation_reconnects_total");
		// Every listener of this test's channel (both replicas) loses its connection.
		const killed = await knex.raw(
			"SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE query = ?",
			[`LISTEN "${channel}"`],
		);
		expect(killed.rows.length).toBeGreaterThanOrEqual(1);
		await until(
			async () =>
				(await metric(b, "strongbox_invalidation_reconnects_total")) > reconnects &&
				(await metric(b, "strongbox_invalidation_listening")) === 1,
			5000,
		);
		// Notices sent while it was down are lost: the reconnect cleared the cache.
		expect(await metric(b, "strongbox_cache_entries")).toBe(0);
		await b.request("GET", `/api/v1/secrets/${id}`, { token: admin });
		const received = await metric(b, 'strongbox_invalidations_received_total{kind="secret"}');
		await a.request("PATCH", `/api/v1/secrets/${id}`, {
			token: admin,
			body: { values: { k: "2" } },
		});
		await until(
			async () =>
				(await metric(b, 'strongbox_invalidations_received_total{kind="secret"}')) > received,
		);
	});

	it("a standalone notifier listens, hears what it sends, and closes cleanly", async () => {
		const { catalog } = a.server.runtime;
		const notices = createInvalidation(catalog);
		const heard: string[] = [];
		expect(await notices.listen((kind, id) => heard.push(`${kind}:${id}`))).toBe(true);
		await notices.publish("user", "someone");
		await until(async () => heard.includes("user:someone"));
		await notices.close();
		expect(notices.stats().listening).toBe(false);
	});
});
