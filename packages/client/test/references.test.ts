/**
 * `client.resolve` and `client.validateReferences` against a live server: one request,
 * the caller's permissions, core's typed errors (every missing reference in
 * `UnresolvedReferenceError.details.missing`), the validation level from this process's
 * environment by default; and the admin calls `doctor` and `resync`.
 */
import {
	ForbiddenError,
	resolveReferences,
	UnresolvedReferenceError,
	ValidationError,
} from "@strongbox/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StrongboxClient } from "../src/index.js";
import { type LiveServer, startLiveServer } from "./live-server.js";

let live: LiveServer;
let alice: StrongboxClient;
let bob: StrongboxClient;

beforeAll(async () => {
	live = await startLiveServer();
	alice = await live.userClient("alice", "ws-a");
	bob = await live.userClient("bob", "ws-a");
	await alice.createSecret({ name: "db", values: { user: "app", password: "pw" } });
	await bob.createSecret({ name: "private", values: { k: "bob's" }, scope: "user" });
});

afterAll(async () => {
	await live?.close();
});

describe("resolve", () => {
	it("resolves on the server what core resolves through the client, in one request", async () => {
		const document = {
			url: "postgres://{{db.user}}:{{ db.password }}@h/app",
			n: [1, "{{db.user}}"],
		};
		const expected = { url: "postgres://app:pw@h/app", n: [1, "app"] };
		expect(await alice.resolve(document)).toEqual(expected);
		expect(await resolveReferences(alice, document)).toEqual(expected);
		expect(await alice.resolve("no references")).toBe("no references");
		expect(await alice.resolve(null)).toBeNull();
	});

	it("throws core's typed errors: every missing reference at once, another user's secret included", async () => {
		const error = await alice
			.resolve({ a: "{{private.k}}", b: "{{db.nope}}" })
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(UnresolvedReferenceError);
		const missing = (error as UnresolvedReferenceError).details?.missing as Array<{
			reference: string;
			reason: string;
		}>;
		expect(missing.map((m) => `${m.reference} ${m.reason}`)).toEqual([
			"{{private.k}} secret-not-found",
			"{{db.nope}} key-not-found",
		]);
		expect(await bob.resolve("{{private.k}}")).toBe("bob's");
		await expect(alice.resolve({ a: "{{db}}" })).rejects.toBeInstanceOf(ValidationError);
		await expect(alice.resolve(undefined)).rejects.toBeInstanceOf(ValidationError);
		await expect(alice.resolve("{{db.user}}", { workspace: "ws-b" })).rejects.toBeInstanceOf(
			UnresolvedReferenceError,
		);
	});
});

describe("validateReferences", () => {
	it("checks at the level given, or this process's STRONGBOX_SECRET_VALIDATION_LEVEL, reading no value", async () => {
		const document = { a: "{{db.user}}", b: "{{db.nope}}" };
		expect(await alice.validateReferences(document, { level: "SECRET_EXISTS" })).toEqual({
			level: "SECRET_EXISTS",
			references: [
				{ reference: "{{db.user}}", name: "db", key: "user", path: "$.a" },
				{ reference: "{{db.nope}}", name: "db", key: "nope", path: "$.b" },
			],
		});
		await expect(alice.validateReferences(document)).rejects.toBeInstanceOf(
			UnresolvedReferenceError,
		);
		const previous = process.env.STRONGBOX_SECRET_VALIDATION_LEVEL;
		process.env.STRONGBOX_SECRET_VALIDATION_LEVEL = "none";
		try {
			expect((await alice.validateReferences({ a: "{{ghost.k}}" })).level).toBe("NONE");
			process.env.STRONGBOX_SECRET_VALIDATION_LEVEL = "everything";
			await expect(alice.validateReferences({})).rejects.toBeInstanceOf(ValidationError);
		} finally {
			if (previous === undefined) delete process.env.STRONGBOX_SECRET_VALIDATION_LEVEL;
			else process.env.STRONGBOX_SECRET_VALIDATION_LEVEL = previous;
		}
	});
});

describe("doctor and resync", () => {
	it("are admin calls with the server's report", async () => {
		expect(await live.admin.doctor()).toEqual({
			ok: true,
			catalog: { ok: true },
			stores: [{ name: "sql", type: "sql", role: "primary", ok: true }],
			unsettled: 0,
			divergences: [],
		});
		expect(await live.admin.resync()).toEqual({ repaired: 0, failed: [] });
		await expect(alice.doctor()).rejects.toBeInstanceOf(ForbiddenError);
		await expect(alice.resync()).rejects.toBeInstanceOf(ForbiddenError);
	});
});
