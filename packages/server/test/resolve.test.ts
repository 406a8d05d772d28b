/**
 * `POST /api/v1/resolve`: references resolved on the server for the caller (its own
 * user-scoped secrets first, others' invisible), every missing reference at once in a
 * 422 without a value, validation levels that read no value, bounds, the audit entries
 * (ids, never a value) and the OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers.js";

const CANARY = `canary-${crypto.randomUUID()}`;
let t: TestServer;
let alice: string;
let bob: string;
const ids: Record<string, string> = {};

async function create(token: string, name: string, values: Record<string, string>, scope?: string) {
	const r = await t.request("POST", "/api/v1/secrets", {
		token,
		body: { name, values, ...(scope ? { scope } : {}) },
	});
	expect(r.status).toBe(201);
	return r.json.id as string;
}

function resolve(token: string, body: unknown) {
	return t.request("POST", "/api/v1/resolve", { token, body });
}

// biome-ignore lint/suspicious/noExplicitAny: audit rows are checked field by field.
async function auditRows(requestId: string): Promise<any[]> {
	// Fail-open entries are written in batches shortly after the answer.
	for (let i = 0; i < 50; i++) {
		const r = await t.request("GET", `/api/v1/audit?size=100`, { token: t.adminToken });
		// biome-ignore lint/suspicious/noExplicitAny: as above.
		const rows = r.json.items.filter((e: any) => e.requestId === requestId);
		if (rows.length > 0) return rows;
		await new Promise((done) => setTimeout(done, 20));
	}
	return [];
}

beforeAll(async () => {
	t = await startTestServer({ rateLimit: { requestsPerMinute: 0 }, limits: { bodyBytes: 65_536 } });
	alice = await t.user("alice", "ws-a");
	bob = await t.user("bob", "ws-a");
	ids.db = await create(alice, "db", { user: "app", password: CANARY });
	ids.api = await create(alice, "api", { token: "t-1" });
	// Alice's own `api` shadows the workspace's; Bob's private secret is invisible to her.
	ids.aliceApi = await create(alice, "api", { token: "mine" }, "user");
	ids.bobOnly = await create(bob, "bob-only", { k: "b" }, "user");
});

afterAll(async () => {
	await t?.close();
});

describe("resolve", () => {
	it("replaces every reference for the caller, user scope first, in one request", async () => {
		const document = {
			url: "postgres://{{db.user}}:{{ db.password }}@db/app",
			list: ["{{api.token}}", 3, null, { deep: "x-{{db.user}}-y" }],
			escaped: "\\{{db.user}}",
			keyIs: { "{{db.user}}": true },
		};
		const r = await resolve(alice, { document });
		expect(r.status).toBe(200);
		expect(r.json).toEqual({
			document: {
				url: `postgres://app:${CANARY}@db/app`,
				list: ["mine", 3, null, { deep: "x-app-y" }],
				escaped: "{{db.user}}",
				keyIs: { "{{db.user}}": true },
			},
		});
		expect((await resolve(bob, { document: "{{api.token}}" })).json.document).toBe("t-1");
		expect((await resolve(alice, { document: null })).json).toEqual({ document: null });
		expect((await resolve(alice, { document: "plain" })).json).toEqual({ document: "plain" });
	});

	it("lists every missing reference at once in a 422, another user's private secret included, with no value", async () => {
		const r = await resolve(alice, {
			document: { a: "{{db.nope}}", b: "{{ghost.k}}", c: "{{bob-only.k}}", d: "{{db.password}}" },
		});
		expect(r.status).toBe(422);
		expect(r.json.error.code).toBe("REFERENCE_UNRESOLVED");
		expect(r.json.error.details.missing).toEqual([
			{ reference: "{{db.nope}}", name: "db", key: "nope", reason: "key-not-found", path: "$.a" },
			{
				reference: "{{ghost.k}}",
				name: "ghost",
				key: "k",
				reason: "secret-not-found",
				path: "$.b",
			},
			{
				reference: "{{bob-only.k}}",
				name: "bob-only",
				key: "k",
				reason: "secret-not-found",
				path: "$.c",
			},
		]);
		expect(r.text).not.toContain(CANARY);
		// Bob sees his own.
		expect((await resolve(bob, { document: "{{bob-only.k}}" })).json.document).toBe("b");
	});

	it("looks names up in another workspace when asked, within the caller's memberships", async () => {
		const carol = await t.user("carol", "ws-c");
		await create(carol, "db", { user: "carol-app" });
		expect((await resolve(carol, { document: "{{db.user}}" })).json.document).toBe("carol-app");
		const other = await resolve(carol, { document: "{{db.user}}", workspace: "ws-a" });
		expect(other.status).toBe(422);
		const admin = await resolve(t.adminToken, { document: "{{db.user}}", workspace: "ws-a" });
		expect(admin.json.document).toBe("app");
	});

	it("refuses malformed references, a missing document, unknown fields and oversized input", async () => {
		const bad = await resolve(alice, { document: { a: "{{db}}", b: "{{db.a.b}}" } });
		expect(bad.status).toBe(400);
		expect(bad.json.error.code).toBe("VALIDATION_FAILED");
		expect(bad.json.error.details.issues.map((i: { path: string }) => i.path).join()).toContain(
			"$.a",
		);
		const missing = await resolve(alice, {});
		expect(missing.status).toBe(400);
		expect(missing.json.error.details.issues).toEqual([
			{ path: "document", message: "is required" },
		]);
		expect((await resolve(alice, { document: 1, extra: 1 })).status).toBe(400);
		expect((await resolve(alice, { document: 1, level: "NONE" })).status).toBe(400);
		expect((await resolve(alice, { document: 1, validateOnly: true, level: "ALL" })).status).toBe(
			400,
		);
		const tooMany = await resolve(alice, {
			document: Array.from({ length: 1001 }, () => "{{db.user}}"),
		});
		expect(tooMany.status).toBe(400);
		let deep: unknown = "{{db.user}}";
		for (let i = 0; i < 70; i++) deep = [deep];
		expect((await resolve(alice, { document: deep })).status).toBe(400);
		const large = await resolve(alice, { document: "x".repeat(70_000) });
		expect(large.status).toBe(413);
		expect(large.json.error.code).toBe("PAYLOAD_TOO_LARGE");
		expect((await t.request("POST", "/api/v1/resolve", { body: { document: 1 } })).status).toBe(
			401,
		);
	});

	it("answers 413 rather than build a resolved document above 16 MiB", async () => {
		const big = await create(alice, "big", { v: "y".repeat(60_000) });
		const r = await resolve(alice, { document: Array.from({ length: 300 }, () => "{{big.v}}") });
		expect(r.status).toBe(413);
		expect(r.text).not.toContain("yyyy");
		await t.request("DELETE", `/api/v1/secrets/${big}`, { token: alice });
	});
});

describe("validateOnly", () => {
	it("checks at the level asked, reading no value, and answers the references found", async () => {
		const document = { a: "{{db.user}}", b: "{{db.nope}}", c: "{{ghost.k}}" };
		const none = await resolve(alice, { document, validateOnly: true, level: "NONE" });
		expect(none.status).toBe(200);
		expect(none.json.level).toBe("NONE");
		expect(none.json.references.map((r: { reference: string }) => r.reference)).toEqual([
			"{{db.user}}",
			"{{db.nope}}",
			"{{ghost.k}}",
		]);
		const exists = await resolve(alice, { document, validateOnly: true, level: "SECRET_EXISTS" });
		expect(exists.status).toBe(422);
		expect(exists.json.error.details.missing.map((m: { name: string }) => m.name)).toEqual([
			"ghost",
		]);
		const keys = await resolve(alice, { document, validateOnly: true });
		expect(keys.status).toBe(422);
		expect(keys.json.error.details.missing.map((m: { reference: string }) => m.reference)).toEqual([
			"{{db.nope}}",
			"{{ghost.k}}",
		]);
		const ok = await resolve(alice, { document: { a: "{{db.user}}" }, validateOnly: true });
		expect(ok.json).toEqual({
			level: "SECRET_AND_KEY_EXISTS",
			references: [{ reference: "{{db.user}}", name: "db", key: "user", path: "$.a" }],
		});
		expect(JSON.stringify([none.json, ok.json])).not.toContain("app");
	});
});

describe("audit", () => {
	it("records one `resolve` entry per secret read, with id and name, never a value", async () => {
		const r = await t.request("POST", "/api/v1/resolve", {
			token: alice,
			body: { document: ["{{db.password}}", "{{api.token}}", "{{db.user}}"] },
			headers: { "x-request-id": "resolve-audit-1" },
		});
		expect(r.status).toBe(200);
		const rows = await auditRows("resolve-audit-1");
		expect(rows.map((e) => `${e.op} ${e.secretName} ${e.secretId} ${e.outcome}`).sort()).toEqual(
			[`resolve api ${ids.aliceApi} ok`, `resolve db ${ids.db} ok`].sort(),
		);
		expect(rows[0]).toMatchObject({ actor: "alice", workspace: "ws-a", status: 200 });

		await t.request("POST", "/api/v1/resolve", {
			token: alice,
			body: { document: ["{{db.password}}", "{{ghost.k}}"] },
			headers: { "x-request-id": "resolve-audit-2" },
		});
		const failed = await auditRows("resolve-audit-2");
		expect(failed.map((e) => `${e.secretId} ${e.outcome} ${e.status}`)).toEqual([
			`${ids.db} REFERENCE_UNRESOLVED 422`,
		]);

		await t.request("POST", "/api/v1/resolve", {
			token: alice,
			body: { document: ["{{db.password}}"], validateOnly: true },
			headers: { "x-request-id": "resolve-audit-3" },
		});
		const validated = await auditRows("resolve-audit-3");
		expect(validated.map((e) => `${e.op} ${e.secretId} ${e.outcome}`)).toEqual([
			`resolve.validate ${ids.db} ok`,
		]);

		const all = await t.request("GET", "/api/v1/audit?size=1000", { token: t.adminToken });
		expect(all.text).not.toContain(CANARY);
		expect(t.logs()).not.toContain(CANARY);
	});
});

describe("OpenAPI", () => {
	it("documents the route, its body and its answers", async () => {
		const doc = (await t.request("GET", "/api/v1/openapi.json")).json;
		const op = doc.paths["/api/v1/resolve"].post;
		expect(op.operationId).toBe("resolveReferences");
		const body = op.requestBody.content["application/json"].schema;
		expect(Object.keys(body.properties).sort()).toEqual([
			"document",
			"level",
			"validateOnly",
			"workspace",
		]);
		expect(Object.keys(op.responses).sort()).toEqual(
			["200", "400", "401", "413", "422", "429", "503"].sort(),
		);
	});
});
