import { AuthError } from "@strongbox/core";
import { openDatabase } from "@strongbox/store-sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../db.js";
import { bearerToken, callerOf, createAuthenticator } from "./auth.js";
import { migrateServerTables, serverTables } from "./migrations.js";
import { type IdentityStore, identityStore } from "./store.js";

const knex = openDatabase("sqlite::memory:");
const tables = serverTables("auth_test_");
let identity: IdentityStore;
let clock = Date.parse("2026-01-01T00:00:00Z");
const now = () => new Date(clock);
const silent = { debug() {}, info() {}, warn() {}, error() {} };

beforeAll(async () => {
	await migrateServerTables(knex, tables, "sqlite");
	identity = identityStore(createDb(knex, "sqlite"), tables);
	await identity.createWorkspace("ws-a", now());
	await identity.createWorkspace("ws-b", now());
	await identity.createUser({ name: "alice", defaultWorkspace: "ws-a" }, now());
	await identity.setMember("ws-b", "alice", "admin", now());
});

afterAll(async () => {
	await knex.destroy();
});

async function rejection(promise: Promise<unknown>): Promise<AuthError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(AuthError);
	return error as AuthError;
}

describe("authenticator", () => {
	it("maps a token to its user, memberships and roles", async () => {
		const auth = createAuthenticator({ identity, logger: silent, now });
		const { token, info } = await identity.createToken(
			{ user: "alice", name: "t", expiresAt: null, createdBy: "alice" },
			now(),
		);
		const principal = await auth.authenticate(token);
		expect(principal).toEqual({
			user: "alice",
			admin: false,
			defaultWorkspace: "ws-a",
			workspaces: ["ws-a", "ws-b"],
			roles: { "ws-a": "member", "ws-b": "admin" },
			tokenId: info.id,
		});
		expect(callerOf(principal)).toEqual({
			user: "alice",
			workspace: "ws-a",
			workspaces: ["ws-a", "ws-b"],
		});
		expect(callerOf({ ...principal, admin: true }, "ws-b")).toEqual({
			user: "alice",
			workspace: "ws-b",
			workspaces: "*",
		});
	});

	it("honours expiry even for a cached principal", async () => {
		const auth = createAuthenticator({ identity, logger: silent, now, cacheTtlMs: 60_000 });
		const { token } = await identity.createToken(
			{ user: "alice", name: "short", expiresAt: new Date(clock + 10_000), createdBy: "alice" },
			now(),
		);
		await auth.authenticate(token);
		clock += 10_001;
		expect((await rejection(auth.authenticate(token))).message).toMatch(/expired/);
	});

	it("sees a revocation after the cache time, or at once after invalidate()", async () => {
		const auth = createAuthenticator({ identity, logger: silent, now, cacheTtlMs: 5000 });
		const { token, info } = await identity.createToken(
			{ user: "alice", name: "r", expiresAt: null, createdBy: "alice" },
			now(),
		);
		await auth.authenticate(token);
		await identity.revokeToken(info.id, now());
		// Within the cache time another replica's revocation is not seen yet: the documented bound.
		await expect(auth.authenticate(token)).resolves.toMatchObject({ user: "alice" });
		clock += 5001;
		expect((await rejection(auth.authenticate(token))).message).toMatch(/revoked/);
		const second = await identity.createToken(
			{ user: "alice", name: "r2", expiresAt: null, createdBy: "alice" },
			now(),
		);
		await auth.authenticate(second.token);
		await identity.revokeToken(second.info.id, now());
		auth.invalidate();
		await rejection(auth.authenticate(second.token));
	});

	it("refuses missing, malformed and unknown tokens", async () => {
		const auth = createAuthenticator({ identity, logger: silent, now });
		await rejection(auth.authenticate(undefined));
		await rejection(auth.authenticate("not-a-token"));
		await rejection(auth.authenticate(`sbx_${"A".repeat(43)}`));
		expect(bearerToken("Bearer abc")).toBe("abc");
		expect(bearerToken("bearer   abc  ")).toBe("abc");
		expect(bearerToken("Basic abc")).toBeUndefined();
		expect(bearerToken(["Bearer a", "Bearer b"])).toBeUndefined();
		expect(bearerToken(`Bearer ${"a".repeat(2000)}`)).toBeUndefined();
	});
});
