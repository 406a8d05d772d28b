/**
 * The REST API's contract beyond the Secrets rules (which the client's conformance run
 * covers): ETag and If-Match, listing parameters, error bodies, the OpenAPI document,
 * `/health`, `/metrics`, the audit log and its query, first start and `main`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminRoutes } from "../src/http/admin-routes.js";
import { identityRoutes } from "../src/http/identity-routes.js";
import { resolveRoutes } from "../src/http/resolve-routes.js";
import { secretRoutes } from "../src/http/secrets-routes.js";
import { tokenRoutes } from "../src/http/token-routes.js";
import { serverTables } from "../src/identity/migrations.js";
import { createServer, main } from "../src/index.js";
import { startTestServer, type TestServer } from "./helpers.js";

let t: TestServer;
let alice: string;

beforeAll(async () => {
	t = await startTestServer({ rateLimit: { requestsPerMinute: 0 }, limits: { maxPageSize: 50 } });
	alice = await t.user("alice", "ws-a");
});

afterAll(async () => {
	await t?.close();
});

async function create(
	name: string,
	values: Record<string, string> = { k: "v" },
	extra: object = {},
) {
	const r = await t.request("POST", "/api/v1/secrets", {
		token: alice,
		body: { name, values, ...extra },
	});
	expect(r.status).toBe(201);
	return r;
}

describe("versions", () => {
	it('every secret answer carries ETag "<version>"; If-Match is honoured on PATCH and DELETE, and optional', async () => {
		const created = await create("etag-db");
		const id = created.json.id;
		expect(created.headers.get("etag")).toBe('"1"');
		expect(created.headers.get("location")).toBe(`/api/v1/secrets/${id}`);
		for (const route of [
			`/api/v1/secrets/${id}`,
			`/api/v1/secrets/${id}/metadata`,
			"/api/v1/secrets/by-name/etag-db",
			"/api/v1/secrets/by-name/etag-db/metadata",
		]) {
			expect((await t.request("GET", route, { token: alice })).headers.get("etag")).toBe('"1"');
		}
		const stale = await t.request("PATCH", `/api/v1/secrets/${id}`, {
			token: alice,
			body: { values: { k: "w" } },
			headers: { "if-match": '"7"' },
		});
		expect(stale.status).toBe(412);
		expect(stale.json.error.code).toBe("CONFLICT");
		const ok = await t.request("PATCH", `/api/v1/secrets/${id}`, {
			token: alice,
			body: { values: { k: "w", n: null } },
			headers: { "if-match": '"1"' },
		});
		expect(ok.status).toBe(200);
		expect(ok.headers.get("etag")).toBe('"2"');
		const weak = await t.request("PATCH", `/api/v1/secrets/${id}`, {
			token: alice,
			body: { name: "etag-db2" },
			headers: { "if-match": 'W/"2"' },
		});
		expect(weak.headers.get("etag")).toBe('"3"');
		const any = await t.request("PATCH", `/api/v1/secrets/${id}`, {
			token: alice,
			body: { values: { x: "y" } },
			headers: { "if-match": "*" },
		});
		expect(any.headers.get("etag")).toBe('"4"');
		const noHeader = await t.request("PATCH", `/api/v1/secrets/${id}`, {
			token: alice,
			body: { values: { x: "z" } },
		});
		expect(noHeader.json.values).toEqual({ k: "w", x: "z" });
		const bad = await t.request("PATCH", `/api/v1/secrets/${id}`, {
			token: alice,
			body: { values: { x: "z" } },
			headers: { "if-match": '"1", "2"' },
		});
		expect(bad.status).toBe(400);
		expect(
			(
				await t.request("DELETE", `/api/v1/secrets/${id}`, {
					token: alice,
					headers: { "if-match": '"1"' },
				})
			).status,
		).toBe(412);
		expect(
			(
				await t.request("DELETE", `/api/v1/secrets/${id}`, {
					token: alice,
					headers: { "if-match": '"5"' },
				})
			).status,
		).toBe(204);
		expect((await t.request("GET", `/api/v1/secrets/${id}`, { token: alice })).status).toBe(404);
	});

	it("a name clash is 409 SECRET_EXISTS, a conflict without If-Match is 409 (not 412)", async () => {
		await create("clash");
		const again = await t.request("POST", "/api/v1/secrets", {
			token: alice,
			body: { name: "clash", values: { a: "b" } },
		});
		expect(again.status).toBe(409);
		expect(again.json.error.code).toBe("SECRET_EXISTS");
	});
});

describe("listing", () => {
	it("takes every filter, sort and page as query parameters, with the configured page size limit", async () => {
		for (const name of ["lst-b", "lst-a", "lst-c"]) await create(name);
		await create("lst-mine", { k: "v" }, { scope: "user" });
		const page = await t.request(
			"GET",
			"/api/v1/secrets?name=startswith:lst-&sortBy=name&sortOrder=desc&page=2&size=2",
			{ token: alice },
		);
		expect(page.status).toBe(200);
		expect(page.json).toMatchObject({ page: 2, size: 2, total: 4, totalPages: 2 });
		expect(page.json.items.map((i: { name: string }) => i.name)).toEqual(["lst-b", "lst-a"]);
		expect(page.json.items[0].values).toBeUndefined();
		const user = await t.request(
			"GET",
			"/api/v1/secrets?name=contains:lst&scope=user&owner=alice&workspace=ws-a",
			{ token: alice },
		);
		expect(user.json.items.map((i: { name: string }) => i.name)).toEqual(["lst-mine"]);
		const since = await t.request(
			"GET",
			`/api/v1/secrets?name=startswith:lst-&createdAfter=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
			{ token: alice },
		);
		expect(since.json.total).toBe(0);
		const tooBig = await t.request("GET", "/api/v1/secrets?size=51", { token: alice });
		expect(tooBig.status).toBe(400);
		expect(tooBig.json.error.details.issues[0].path).toBe("size");
		const unknown = await t.request("GET", "/api/v1/secrets?colour=red", { token: alice });
		expect(unknown.status).toBe(400);
		const repeated = await t.request("GET", "/api/v1/secrets?scope=user&scope=workspace", {
			token: alice,
		});
		expect(repeated.status).toBe(400);
	});

	it("get-many returns the visible secrets in the order asked, each once", async () => {
		const a = (await create("many-a")).json.id;
		const b = (await create("many-b")).json.id;
		const r = await t.request("POST", "/api/v1/secrets/get-many", {
			token: alice,
			body: { ids: [b, crypto.randomUUID(), a, b] },
		});
		expect(r.json.items.map((i: { id: string }) => i.id)).toEqual([b, a, b]);
		expect(r.json.items[0].values).toEqual({ k: "v" });
	});
});

describe("errors", () => {
	it("have one shape with the request id, for unknown routes too", async () => {
		const r = await t.request("GET", "/api/v1/secrets/not-a-uuid", {
			token: alice,
			headers: { "x-request-id": "req-123" },
		});
		expect(r.status).toBe(400);
		expect(r.headers.get("x-request-id")).toBe("req-123");
		expect(r.json).toEqual({
			error: {
				code: "VALIDATION_FAILED",
				message: "Invalid secret id: id: must be a UUID",
				details: { issues: [{ path: "id", message: "must be a UUID" }] },
				requestId: "req-123",
			},
		});
		const unknown = await t.request("GET", "/api/v2/secrets", { token: alice });
		expect(unknown.status).toBe(404);
		expect(unknown.json.error.code).toBe("ROUTE_NOT_FOUND");
		const big = await t.request("POST", "/api/v1/secrets", {
			token: alice,
			rawBody: JSON.stringify({ name: "x", values: { a: "x".repeat(2 * 1024 * 1024) } }),
			headers: { "content-type": "application/json" },
		});
		expect(big.status).toBe(413);
		expect(big.json.error.code).toBe("PAYLOAD_TOO_LARGE");
		expect(r.headers.get("cache-control")).toBe("no-store");
		const long = await t.request("GET", `/api/v1/secrets/by-name/${"a".repeat(5000)}`, {
			token: alice,
		});
		expect(long.status).toBe(400);
		expect(long.json.error.code).toBe("VALIDATION_FAILED");
	});
});

describe("OpenAPI", () => {
	it("is a 3.1 document listing every route, with resolvable schema references", async () => {
		const doc = (await t.request("GET", "/api/v1/openapi.json")).json;
		expect(doc.openapi).toBe("3.1.0");
		const operations = Object.entries(
			doc.paths as Record<string, Record<string, { operationId: string }>>,
		).flatMap(([p, methods]) =>
			Object.entries(methods).map(([method, op]) => ({
				path: p,
				method: method.toUpperCase(),
				id: op.operationId,
			})),
		);
		expect(operations).toHaveLength(
			secretRoutes.length +
				resolveRoutes.length +
				identityRoutes.length +
				adminRoutes.length +
				tokenRoutes.length +
				3,
		);
		for (const op of operations) {
			expect(
				t.server.app.hasRoute({
					method: op.method as "GET",
					url: op.path.replace(/\{(\w+)\}/g, ":$1"),
				}),
				`${op.method} ${op.path}`,
			).toBe(true);
		}
		const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
		expect(refs.length).toBeGreaterThan(10);
		for (const ref of refs) expect(doc.components.schemas[ref.slice(22, -1)], ref).toBeDefined();
		expect(
			doc.paths["/api/v1/secrets/{id}"].patch.parameters.map((p: { name: string }) => p.name),
		).toContain("If-Match");
		expect(
			doc.paths["/api/v1/secrets"].get.parameters.map((p: { name: string }) => p.name),
		).toEqual(
			expect.arrayContaining([
				"name",
				"scope",
				"workspace",
				"owner",
				"createdAfter",
				"sortBy",
				"sortOrder",
				"page",
				"size",
			]),
		);
	});
});

describe("audit", () => {
	it("records reads, writes, deletes and lists with actor, secret, outcome and request id; admins query it", async () => {
		const created = await create("audited", { k: "v" });
		const id = created.json.id;
		await t.request("GET", `/api/v1/secrets/${id}`, {
			token: alice,
			headers: { "x-request-id": "audit-read-1" },
		});
		await t.request("GET", "/api/v1/secrets/by-name/audited", { token: alice });
		await t.request("POST", "/api/v1/secrets/get-many", { token: alice, body: { ids: [id] } });
		await t.request("PATCH", `/api/v1/secrets/${id}`, {
			token: alice,
			body: { values: { k: "w" } },
		});
		await t.request("GET", "/api/v1/secrets?name=audited", { token: alice });
		await t.request("DELETE", `/api/v1/secrets/${id}`, { token: alice });
		await t.request("GET", `/api/v1/secrets/${id}`, { token: alice });
		const r = await t.request("GET", `/api/v1/audit?secretId=${id}&size=100`, {
			token: t.adminToken,
		});
		expect(r.status).toBe(200);
		const ops = r.json.items
			.map((e: { op: string; outcome: string }) => `${e.op}:${e.outcome}`)
			.reverse();
		expect(ops).toEqual([
			"secret.create:ok",
			"secret.get:ok",
			"secret.get-by-name:ok",
			"secret.get-many:ok",
			"secret.update:ok",
			"secret.delete:ok",
			"secret.get:SECRET_NOT_FOUND",
		]);
		const read = r.json.items.find((e: { requestId: string }) => e.requestId === "audit-read-1");
		expect(read).toMatchObject({
			actor: "alice",
			secretId: id,
			secretName: "audited",
			workspace: "ws-a",
			status: 200,
			sourceIp: "127.0.0.1",
		});
		const lists = await t.request("GET", "/api/v1/audit?actor=alice&op=secret.list", {
			token: t.adminToken,
		});
		expect(lists.json.total).toBeGreaterThan(0);
		const later = await t.request(
			"GET",
			`/api/v1/audit?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
			{ token: t.adminToken },
		);
		expect(later.json.total).toBe(0);
		expect((await t.request("GET", "/api/v1/audit", { token: alice })).status).toBe(403);
		expect(
			(await t.request("GET", "/api/v1/audit?since=yesterday", { token: t.adminToken })).status,
		).toBe(400);
	});

	it("fail-open (default): an audit failure does not block reads, and is counted in /metrics", async () => {
		const id = (await create("fail-open")).json.id;
		const { knex, tablePrefix } = t.server.runtime.catalog;
		const table = serverTables(tablePrefix).audit;
		await knex.schema.renameTable(table, `${table}_away`);
		try {
			const r = await t.request("GET", `/api/v1/secrets/${id}`, { token: alice });
			expect(r.status).toBe(200);
			await new Promise((resolve) => setTimeout(resolve, 50));
		} finally {
			await knex.schema.renameTable(`${table}_away`, table);
		}
		const metrics = (await t.request("GET", "/metrics")).text;
		expect(metrics).toMatch(/strongbox_audit_failures_total [1-9]/);
	});

	it("fail-closed: no value is returned and nothing is written when the audit entry cannot be stored", async () => {
		const closed = await startTestServer({
			audit: { failClosed: true },
			rateLimit: { requestsPerMinute: 0 },
		});
		try {
			const token = await closed.user("alice", "ws-a");
			const created = await closed.request("POST", "/api/v1/secrets", {
				token,
				body: { name: "guarded", values: { k: "precious" } },
			});
			const id = created.json.id;
			const { knex, tablePrefix } = closed.server.runtime.catalog;
			const table = serverTables(tablePrefix).audit;
			await knex.schema.renameTable(table, `${table}_away`);
			try {
				const read = await closed.request("GET", `/api/v1/secrets/${id}`, { token });
				expect(read.status).toBe(503);
				expect(read.json.error.code).toBe("STORE_UNAVAILABLE");
				expect(read.text).not.toContain("precious");
				const many = await closed.request("POST", "/api/v1/secrets/get-many", {
					token,
					body: { ids: [id] },
				});
				expect(many.status).toBe(503);
				expect(many.text).not.toContain("precious");
				const write = await closed.request("PATCH", `/api/v1/secrets/${id}`, {
					token,
					body: { values: { k: "changed" } },
				});
				expect(write.status).toBe(503);
				const create2 = await closed.request("POST", "/api/v1/secrets", {
					token,
					body: { name: "never", values: { k: "v" } },
				});
				expect(create2.status).toBe(503);
			} finally {
				await knex.schema.renameTable(`${table}_away`, table);
			}
			const after = await closed.request("GET", `/api/v1/secrets/${id}`, { token });
			expect(after.json).toMatchObject({ version: 1, values: { k: "precious" } });
			expect((await closed.request("GET", "/api/v1/secrets/by-name/never", { token })).status).toBe(
				404,
			);
			const entries = await closed.request("GET", `/api/v1/audit?secretId=${id}`, {
				token: closed.adminToken,
			});
			expect(
				entries.json.items.map((e: { op: string; outcome: string }) => `${e.op}:${e.outcome}`),
			).toEqual(["secret.get:ok", "secret.create:ok"]);
		} finally {
			await closed.close();
		}
	});
});

describe("health and metrics", () => {
	it("/health is 200 with every check up and 503 naming the failing one; /metrics counts requests and store calls by route and op", async () => {
		const metrics = (await t.request("GET", "/metrics")).text;
		expect(metrics).toContain("# TYPE strongbox_http_request_duration_seconds histogram");
		expect(metrics).toMatch(/strongbox_store_calls_total\{[^}]*op="get"[^}]*\} \d+/);
		expect(metrics).toMatch(/strongbox_store_call_duration_seconds_bucket\{[^}]*op="set"/);
		expect(metrics).toMatch(/strongbox_cache_hits_total [1-9]/);
		const h = await startTestServer({ metrics: { requireAuth: true } });
		try {
			expect((await h.request("GET", "/health")).json).toEqual({
				status: "ok",
				checks: { catalog: { ok: true }, "store:sql": { ok: true } },
			});
			expect((await h.request("GET", "/metrics")).status).toBe(401);
			expect((await h.request("GET", "/metrics", { token: h.adminToken })).status).toBe(200);
			const off = await startTestServer({ metrics: { enabled: false } });
			expect((await off.request("GET", "/metrics")).json.error.code).toBe("ROUTE_NOT_FOUND");
			await off.close();
			await h.server.runtime.secrets.store.close();
			const down = await h.request("GET", "/health");
			expect(down.status).toBe(503);
			expect(down.json).toEqual({
				status: "unavailable",
				checks: { catalog: { ok: true }, "store:sql": { ok: false, code: "STORE_CLOSED" } },
			});
		} finally {
			await h.close();
		}
	});
});

describe("start-up", () => {
	it("creates the admin only on the first start, and refuses plain HTTP on a non-loopback host", async () => {
		const dataDir = await mkdtemp(path.join(tmpdir(), "strongbox-boot-"));
		try {
			const boots: string[] = [];
			const config = { dataDir, server: { port: 0 }, log: { level: "silent" as const } };
			const first = await createServer(config, { onBootstrap: (r) => boots.push(r.token) });
			await first.close();
			const second = await createServer(config, { onBootstrap: (r) => boots.push(r.token) });
			await second.close();
			expect(boots).toHaveLength(1);
			await expect(
				createServer({ ...config, server: { host: "0.0.0.0", port: 0 } }),
			).rejects.toThrow(/server\.host: plain HTTP is refused/);
			const insecure = await createServer({
				...config,
				server: { host: "0.0.0.0", port: 0, allowInsecureHttp: true },
			});
			const { url } = await insecure.listen();
			expect((await fetch(`${url}/health`)).status).toBe(200);
			await insecure.close();
		} finally {
			await rm(dataDir, { recursive: true, force: true });
		}
	});

	it("main() serves until stopped, exits 0 after a graceful shutdown and 2 on a configuration error", async () => {
		const dataDir = await mkdtemp(path.join(tmpdir(), "strongbox-main-"));
		try {
			const stopper = new AbortController();
			let out = "";
			const stdout = { write: (s: string) => (out += s) };
			const code = main(["--port", "0", "--log-level", "silent"], {
				env: { STRONGBOX_DATA_DIR: dataDir, HOME: dataDir },
				cwd: dataDir,
				stdout,
				onListening: async (url) => {
					const health = await fetch(`${url}/health`);
					expect(health.status).toBe(200);
					stopper.abort();
				},
				signal: stopper.signal,
			});
			expect(await code).toBe(0);
			expect(out).toMatch(/Admin token \(shown ONCE/);
			expect(out).toMatch(/STRONGBOX_ADMIN_TOKEN=sbx_/);
			let err = "";
			const bad = await main(["--port", "0"], {
				env: { HOME: dataDir, STRONGBOX_PORT: "x", STRONGBOX_HOST: "0.0.0.0" },
				cwd: dataDir,
				stderr: { write: (s: string) => (err += s) },
			});
			expect(bad).toBe(2);
			expect(err).toContain("STRONGBOX_PORT");
			expect(err).toContain("server.host");
		} finally {
			await rm(dataDir, { recursive: true, force: true });
		}
	});
});
