/**
 * The authorization matrix over HTTP: two workspaces, a workspace secret and a user
 * secret of alice in `ws-a`, and every operation by every other caller. Nobody outside
 * `ws-a` reaches the workspace secret, nobody but alice (admins included) reaches her
 * user secret, and for an outsider every answer is byte-for-byte the answer for a secret
 * that does not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers.js";

let t: TestServer;
const tokens: Record<string, string> = {};
const secrets: Record<"workspace" | "user", { id: string; name: string }> = {
	workspace: { id: "", name: "shared-db" },
	user: { id: "", name: "alice-private" },
};

beforeAll(async () => {
	t = await startTestServer({ rateLimit: { requestsPerMinute: 0 } });
	tokens.alice = await t.user("alice", "ws-a");
	tokens.amy = await t.user("amy", "ws-a");
	tokens.bob = await t.user("bob", "ws-b");
	tokens.admin = t.adminToken;
	for (const scope of ["workspace", "user"] as const) {
		const r = await t.request("POST", "/api/v1/secrets", {
			token: tokens.alice,
			body: { name: secrets[scope].name, scope, values: { password: `${scope}-value` } },
		});
		expect(r.status).toBe(201);
		secrets[scope].id = r.json.id;
	}
});

afterAll(async () => {
	await t?.close();
});

interface Op {
	name: string;
	/** Request against a secret (id and name), as `who`. */
	send(who: string, target: { id: string; name: string }): ReturnType<TestServer["request"]>;
}

const ops: Op[] = [
	{
		name: "get",
		send: (who, s) => t.request("GET", `/api/v1/secrets/${s.id}`, { token: tokens[who] }),
	},
	{
		name: "metadata",
		send: (who, s) => t.request("GET", `/api/v1/secrets/${s.id}/metadata`, { token: tokens[who] }),
	},
	{
		name: "by-name",
		send: (who, s) =>
			t.request("GET", `/api/v1/secrets/by-name/${s.name}?workspace=ws-a`, { token: tokens[who] }),
	},
	{
		name: "by-name metadata",
		send: (who, s) =>
			t.request("GET", `/api/v1/secrets/by-name/${s.name}/metadata?workspace=ws-a`, {
				token: tokens[who],
			}),
	},
	{
		name: "by-name via the workspace header",
		send: (who, s) =>
			t.request("GET", `/api/v1/secrets/by-name/${s.name}`, {
				token: tokens[who],
				headers: { "x-strongbox-workspace": "ws-a" },
			}),
	},
	{
		name: "update values",
		send: (who, s) =>
			t.request("PATCH", `/api/v1/secrets/${s.id}`, {
				token: tokens[who],
				body: { values: { password: "stolen" } },
			}),
	},
	{
		name: "update with If-Match",
		send: (who, s) =>
			t.request("PATCH", `/api/v1/secrets/${s.id}`, {
				token: tokens[who],
				body: { values: { extra: "x" } },
				headers: { "if-match": '"1"' },
			}),
	},
	{
		name: "rename",
		send: (who, s) =>
			t.request("PATCH", `/api/v1/secrets/${s.id}`, {
				token: tokens[who],
				body: { name: "renamed" },
			}),
	},
	{
		name: "scope change to user",
		send: (who, s) =>
			t.request("PATCH", `/api/v1/secrets/${s.id}`, {
				token: tokens[who],
				body: { scope: "user" },
			}),
	},
	{
		name: "scope change to workspace",
		send: (who, s) =>
			t.request("PATCH", `/api/v1/secrets/${s.id}`, {
				token: tokens[who],
				body: { scope: "workspace" },
			}),
	},
	{
		name: "delete",
		send: (who, s) => t.request("DELETE", `/api/v1/secrets/${s.id}`, { token: tokens[who] }),
	},
	{
		name: "delete with If-Match",
		send: (who, s) =>
			t.request("DELETE", `/api/v1/secrets/${s.id}`, {
				token: tokens[who],
				headers: { "if-match": '"1"' },
			}),
	},
];

/** The body with what legitimately differs between two requests (request id, the id or name asked) removed. */
function normalize(body: unknown, target: { id: string; name: string }): string {
	return JSON.stringify(body)
		.replace(/"requestId":"[^"]*"/g, '"requestId":"-"')
		.replaceAll(target.id, "<id>")
		.replaceAll(target.name, "<name>");
}

const missing = () => ({
	id: crypto.randomUUID(),
	name: `missing-${Math.random().toString(36).slice(2, 8)}`,
});

/** Who must not see which secret. */
const outsiders: Array<{ who: string; scope: "workspace" | "user" }> = [
	{ who: "bob", scope: "workspace" },
	{ who: "bob", scope: "user" },
	{ who: "amy", scope: "user" },
	{ who: "admin", scope: "user" },
];

describe("outsiders", () => {
	for (const { who, scope } of outsiders) {
		for (const op of ops) {
			it(`${who} × ${scope} secret × ${op.name}: the answer of a missing secret`, async () => {
				const target = secrets[scope];
				const answer = await op.send(who, target);
				const control = missing();
				const none = await op.send(who, control);
				expect(answer.status).toBe(404);
				expect(answer.json?.error?.code).toBe("SECRET_NOT_FOUND");
				expect(normalize(answer.json, target)).toBe(normalize(none.json, control));
				expect(answer.text).not.toContain(`${scope}-value`);
				expect(answer.headers.get("etag")).toBeNull();
			});
		}
		it(`${who} × ${scope} secret: get-many leaves it out and listings never show it`, async () => {
			const target = secrets[scope];
			const many = await t.request("POST", "/api/v1/secrets/get-many", {
				token: tokens[who],
				body: { ids: [target.id] },
			});
			expect(many.status).toBe(200);
			expect(many.json.items).toEqual([]);
			for (const query of [
				"",
				"?workspace=ws-a",
				`?name=${target.name}`,
				"?scope=user",
				"?owner=alice",
				"?size=1000",
			]) {
				const list = await t.request("GET", `/api/v1/secrets${query}`, { token: tokens[who] });
				expect(list.status).toBe(200);
				expect(list.json.items.map((i: { id: string }) => i.id)).not.toContain(target.id);
			}
		});
	}

	it("changed nothing: both secrets are still at version 1 with their values, for alice", async () => {
		for (const scope of ["workspace", "user"] as const) {
			const r = await t.request("GET", `/api/v1/secrets/${secrets[scope].id}`, {
				token: tokens.alice,
			});
			expect(r.status).toBe(200);
			expect(r.json.version).toBe(1);
			expect(r.json.name).toBe(secrets[scope].name);
			expect(r.json.scope).toBe(scope);
			expect(r.json.values).toEqual({ password: `${scope}-value` });
		}
	});

	it("cannot create in a workspace they are not a member of (403), whatever the secret's name", async () => {
		for (const name of [secrets.workspace.name, "brand-new"]) {
			const r = await t.request("POST", "/api/v1/secrets", {
				token: tokens.bob,
				body: { name, values: { a: "b" }, workspace: "ws-a" },
			});
			expect(r.status).toBe(403);
			expect(r.json.error.code).toBe("FORBIDDEN");
		}
		const viaHeader = await t.request("POST", "/api/v1/secrets", {
			token: tokens.bob,
			body: { name: "x", values: { a: "b" } },
			headers: { "x-strongbox-workspace": "ws-a" },
		});
		expect(viaHeader.status).toBe(403);
	});
});

describe("insiders", () => {
	it("amy (same workspace) and the admin read and update the workspace secret; only alice reads her user secret", async () => {
		for (const who of ["amy", "admin"]) {
			const r = await t.request("GET", `/api/v1/secrets/${secrets.workspace.id}`, {
				token: tokens[who],
			});
			expect(r.status).toBe(200);
			expect(r.json.values.password).toBe("workspace-value");
			const byName = await t.request(
				"GET",
				`/api/v1/secrets/by-name/${secrets.workspace.name}?workspace=ws-a`,
				{
					token: tokens[who],
				},
			);
			expect(byName.json.id).toBe(secrets.workspace.id);
		}
		const u = await t.request("PATCH", `/api/v1/secrets/${secrets.workspace.id}`, {
			token: tokens.amy,
			body: { values: { rotated: "yes" } },
			headers: { "if-match": '"1"' },
		});
		expect(u.status).toBe(200);
		expect(u.headers.get("etag")).toBe('"2"');
		const own = await t.request("GET", `/api/v1/secrets/by-name/${secrets.user.name}`, {
			token: tokens.alice,
		});
		expect(own.status).toBe(200);
		expect(own.json.owner).toBe("alice");
	});

	it("a user secret moved to workspace scope becomes visible to the workspace, and back to user scope only to its new owner", async () => {
		const created = await t.request("POST", "/api/v1/secrets", {
			token: tokens.alice,
			body: { name: "moving", scope: "user", values: { k: "v" } },
		});
		expect(
			(await t.request("GET", `/api/v1/secrets/${created.json.id}`, { token: tokens.amy })).status,
		).toBe(404);
		const moved = await t.request("PATCH", `/api/v1/secrets/${created.json.id}`, {
			token: tokens.alice,
			body: { scope: "workspace" },
		});
		expect(moved.json.owner).toBeNull();
		expect(
			(await t.request("GET", `/api/v1/secrets/${created.json.id}`, { token: tokens.amy })).status,
		).toBe(200);
		const taken = await t.request("PATCH", `/api/v1/secrets/${created.json.id}`, {
			token: tokens.amy,
			body: { scope: "user" },
		});
		expect(taken.json.owner).toBe("amy");
		expect(
			(await t.request("GET", `/api/v1/secrets/${created.json.id}`, { token: tokens.alice }))
				.status,
		).toBe(404);
		expect(
			(await t.request("GET", `/api/v1/secrets/${created.json.id}`, { token: tokens.bob })).status,
		).toBe(404);
	});

	it("a removed member loses access at once", async () => {
		const carl = await t.user("carl", "ws-b");
		expect(
			(
				await t.request("PUT", "/api/v1/workspaces/ws-a/members/carl", {
					token: t.adminToken,
					body: { role: "member" },
				})
			).status,
		).toBe(200);
		expect(
			(await t.request("GET", `/api/v1/secrets/${secrets.workspace.id}`, { token: carl })).status,
		).toBe(200);
		expect(
			(await t.request("DELETE", "/api/v1/workspaces/ws-a/members/carl", { token: t.adminToken }))
				.status,
		).toBe(204);
		expect(
			(await t.request("GET", `/api/v1/secrets/${secrets.workspace.id}`, { token: carl })).status,
		).toBe(404);
	});
});
