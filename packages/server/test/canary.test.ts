/**
 * No value leaves: a canary value pushed through the API, on success and through every
 * failure path we can provoke, never appears in the server's log lines (debug level,
 * captured), an HTTP error body, the audit log (API and raw table) or `/metrics`. Tokens
 * never appear in the log either.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { serverTables } from "../src/identity/migrations.js";
import { startTestServer, type TestServer } from "./helpers.js";

const CANARY = `canary-${crypto.randomUUID()}`;
let t: TestServer;
let alice: string;
let bob: string;
const errorBodies: string[] = [];

async function expectError(promise: ReturnType<TestServer["request"]>, status: number) {
	const r = await promise;
	expect(r.status).toBe(status);
	expect(typeof r.json?.error?.code).toBe("string");
	errorBodies.push(r.text);
	return r;
}

beforeAll(async () => {
	t = await startTestServer({
		limits: { maxValueBytes: 2048 },
		rateLimit: { requestsPerMinute: 0 },
	});
	alice = await t.user("alice", "ws-a");
	bob = await t.user("bob", "ws-b");
});

afterAll(async () => {
	await t?.close();
});

it("a canary value travels through success and failure paths without leaking", async () => {
	const created = await t.request("POST", "/api/v1/secrets", {
		token: alice,
		body: { name: "canary-db", values: { password: CANARY } },
	});
	expect(created.status).toBe(201);
	const id = created.json.id as string;
	expect(
		(await t.request("GET", `/api/v1/secrets/${id}`, { token: alice })).json.values.password,
	).toBe(CANARY);
	await t.request("POST", "/api/v1/secrets/get-many", { token: alice, body: { ids: [id] } });
	await t.request("GET", "/api/v1/secrets/by-name/canary-db", { token: alice });

	// Failures with the canary in the request.
	await expectError(
		t.request("POST", "/api/v1/secrets", {
			token: alice,
			body: { name: "canary-db", values: { password: CANARY } },
		}),
		409,
	);
	await expectError(
		t.request("POST", "/api/v1/secrets", {
			token: alice,
			body: { name: "bad name!", values: { password: CANARY } },
		}),
		400,
	);
	await expectError(
		t.request("POST", "/api/v1/secrets", {
			token: alice,
			body: { name: "k", values: { [`${CANARY} as key!`]: CANARY } },
		}),
		400,
	);
	await expectError(
		t.request("POST", "/api/v1/secrets", {
			token: alice,
			body: { name: "k", values: { [CANARY.repeat(8)]: "x" } },
		}),
		400,
	);
	await expectError(
		t.request("POST", "/api/v1/secrets", {
			token: alice,
			body: { name: "k", values: { a: CANARY, b: 5 } },
		}),
		400,
	);
	await expectError(
		t.request("POST", "/api/v1/secrets", {
			token: alice,
			body: { name: "big", values: { a: CANARY.repeat(100) } },
		}),
		413,
	);
	await expectError(
		t.request("POST", "/api/v1/secrets", {
			token: alice,
			rawBody: `{"name":"x","values":{"a":"${CANARY}"`,
			headers: { "content-type": "application/json" },
		}),
		400,
	);
	await expectError(
		t.request("POST", "/api/v1/secrets", {
			token: alice,
			rawBody: `password=${CANARY}`,
			headers: { "content-type": "text/plain" },
		}),
		400,
	);
	await expectError(
		t.request("PATCH", `/api/v1/secrets/${id}`, {
			token: alice,
			body: { values: { password: CANARY } },
			headers: { "if-match": '"9"' },
		}),
		412,
	);
	await expectError(
		t.request("PATCH", `/api/v1/secrets/${id}`, {
			token: alice,
			body: { values: { password: 7 } },
		}),
		400,
	);
	await expectError(
		t.request("PATCH", `/api/v1/secrets/${id}`, {
			token: bob,
			body: { values: { password: CANARY } },
		}),
		404,
	);
	await expectError(t.request("GET", `/api/v1/secrets/${id}`, { token: bob }), 404);
	await expectError(t.request("GET", `/api/v1/secrets/${id}`, { token: `sbx_${CANARY}` }), 401);
	await expectError(
		t.request("GET", `/api/v1/secrets/${id}`, { headers: { authorization: CANARY } }),
		401,
	);
	await expectError(
		t.request("GET", `/api/v1/secrets?name=${CANARY}&bogus=${CANARY}`, { token: alice }),
		400,
	);

	const updated = await t.request("PATCH", `/api/v1/secrets/${id}`, {
		token: alice,
		body: { values: { other: CANARY } },
	});
	expect(updated.status).toBe(200);

	for (const body of errorBodies) {
		expect(body).not.toContain(CANARY);
		expect(body).not.toMatch(/"stack"|at .*\.ts:\d+/);
	}

	const audit = await t.request("GET", "/api/v1/audit?size=1000", { token: t.adminToken });
	expect(audit.json.total).toBeGreaterThan(10);
	expect(audit.text).not.toContain(CANARY);
	const raw = await t.server.runtime.catalog
		.knex(serverTables(t.server.runtime.catalog.tablePrefix).audit)
		.select("*");
	expect(raw.length).toBeGreaterThan(10);
	expect(JSON.stringify(raw)).not.toContain(CANARY);

	const metrics = await t.request("GET", "/metrics");
	expect(metrics.status).toBe(200);
	expect(metrics.text).toContain(
		'strongbox_http_requests_total{method="GET",route="/api/v1/secrets/:id",status="200"}',
	);
	expect(metrics.text).not.toContain(CANARY);
	expect(metrics.text).not.toContain(id);

	const logs = t.logs();
	expect(logs).toContain('"route":"/api/v1/secrets/:id"');
	expect(logs).not.toContain(CANARY);
	for (const token of [t.adminToken, alice, bob]) expect(logs).not.toContain(token);
});
