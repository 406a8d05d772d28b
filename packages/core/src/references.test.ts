import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { catalogOf } from "../test/counting.js";
import {
	StoreUnavailableError,
	StrongboxError,
	UnresolvedReferenceError,
	ValidationError,
} from "./errors.js";
import {
	findReferences,
	type MissingReference,
	resolveReferences,
	validateReferences,
	validationLevelFromEnv,
} from "./references.js";
import type { Secrets } from "./types.js";

const CANARY = "canary-7f3e-do-not-print";

function setup(options: { maxBatchSize?: number } = {}) {
	const { secrets, raw } = catalogOf(options);
	const calls: Record<string, number> = {};
	// Counts calls of the Secrets API the resolver makes (as a client would send them).
	const counted = new Proxy(secrets, {
		get(target, prop, receiver) {
			const value = Reflect.get(target, prop, receiver);
			if (typeof value !== "function") return value;
			return (...args: unknown[]) => {
				calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
				return value.apply(target, args);
			};
		},
	}) as Secrets;
	return { secrets, counted, calls, raw };
}

type Failure = StrongboxError & { details: { missing: MissingReference[] } };

async function failure(promise: Promise<unknown>): Promise<Failure> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(StrongboxError);
	return error as Failure;
}

function everyOutput(error: Error & { toJSON?: () => unknown }): string {
	return [
		error.message,
		String(error),
		inspect(error, { depth: 10 }),
		JSON.stringify(error),
		JSON.stringify((error as { details?: unknown }).details ?? null),
	].join("\n");
}

describe("reference grammar", () => {
	it("finds references anywhere in a string, several per string, with whitespace", () => {
		const refs = findReferences({
			url: "postgres://{{db.user}}:{{ db.password }}@host/{{\tdb.name\t}}",
			again: "{{db.user}}",
		});
		expect(refs.map((r) => [r.reference, r.name, r.key, r.path])).toEqual([
			["{{db.user}}", "db", "user", "$.url"],
			["{{db.password}}", "db", "password", "$.url"],
			["{{db.name}}", "db", "name", "$.url"],
		]);
	});

	it("resolves embedded references and keeps the rest of the string", async () => {
		const { secrets } = setup();
		await secrets.createSecret({ name: "db", values: { user: "app", password: "s3cret" } });
		expect(
			await resolveReferences(secrets, "postgres://{{db.user}}:{{ db.password }}@host:5432/x"),
		).toBe("postgres://app:s3cret@host:5432/x");
	});

	it("escapes a literal `{{` with a backslash, and `\\\\` before `{{` stands for one backslash", async () => {
		const { secrets } = setup();
		await secrets.createSecret({ name: "db", values: { user: "app" } });
		const out = await resolveReferences(secrets, {
			escaped: "\\{{db.user}}",
			lone: "a \\{{ b",
			backslash: "C:\\\\{{db.user}}",
			odd: "\\\\\\{{db.user}}",
			plain: "back\\slash {{db.user}}",
			closing: "}} alone",
		});
		expect(out).toEqual({
			escaped: "{{db.user}}",
			lone: "a {{ b",
			backslash: "C:\\app",
			odd: "\\{{db.user}}",
			plain: "back\\slash app",
			closing: "}} alone",
		});
		expect(findReferences("\\{{not a ref")).toEqual([]);
	});

	it.each([
		["{{db}}", "has no `.key`"],
		["{{db.}}", "invalid key"],
		["{{.user}}", "invalid name"],
		["{{db.user.x}}", "key containing '.'"],
		["{{ db .user }}", "whitespace inside"],
		["{{d b.user}}", "whitespace inside"],
		["{{db.user", "not closed"],
		["{{}}", "is empty"],
		["{{{db.user}}}", "invalid name"],
		["{{db.us$er}}", "invalid key"],
		[`{{${"n".repeat(256)}.k}}`, "invalid name"],
		[`{{db.${"k".repeat(700)}}}`, "too long"],
	])("refuses %s with its position", (text, reason) => {
		const error = (() => {
			try {
				findReferences({ list: ["ok", `${CANARY} ${text}`] });
			} catch (e) {
				return e as ValidationError;
			}
		})();
		expect(error).toBeInstanceOf(ValidationError);
		expect(error!.issues).toHaveLength(1);
		expect(error!.issues[0]!.path).toBe("$.list[1]");
		expect(error!.issues[0]!.message).toContain(`character ${CANARY.length + 1}`);
		expect(error!.issues[0]!.message).toContain(reason);
		expect(everyOutput(error!)).not.toContain(CANARY);
	});

	it("reports every malformed reference at once", () => {
		const error = (() => {
			try {
				findReferences({ a: "{{x}} and {{y.}}", b: ["{{z"] });
			} catch (e) {
				return e as ValidationError;
			}
		})();
		expect(error!.issues.map((i) => i.path)).toEqual(["$.a", "$.a", "$.b[0]"]);
	});

	it("never leaves an invalid reference in the output", async () => {
		const { secrets } = setup();
		await expect(resolveReferences(secrets, { a: "x {{oops}} y" })).rejects.toBeInstanceOf(
			ValidationError,
		);
	});

	it("bounds the string length, the number of references and the depth", () => {
		expect(() => findReferences("x".repeat(101), { maxStringLength: 100 })).toThrow(
			/at most 100 are scanned/,
		);
		const many = Array.from({ length: 11 }, (_, i) => `{{s${i}.k}}`);
		expect(() => findReferences(many, { maxReferences: 10 })).toThrow(/more than 10 references/);
		// Repeats count too: the limit bounds the work of a document, not its distinct names.
		expect(() => findReferences(Array(11).fill("{{s.k}}"), { maxReferences: 10 })).toThrow(
			ValidationError,
		);
		let deep: unknown = "{{a.b}}";
		for (let i = 0; i < 5; i++) deep = [deep];
		expect(() => findReferences(deep, { maxDepth: 4 })).toThrow(/deeper than 4 levels/);
		expect(findReferences(deep, { maxDepth: 5 })).toHaveLength(1);
		const cycle: Record<string, unknown> = { a: "{{a.b}}" };
		cycle.self = cycle;
		expect(() => findReferences(cycle)).toThrow(/deeper than 64 levels/);
		expect(() => findReferences("x", { maxDepth: 0 })).toThrow(ValidationError);
	});

	it("bounds what a substitution produces", async () => {
		const { secrets } = setup();
		await secrets.createSecret({ name: "big", values: { v: "x".repeat(80) } });
		await expect(
			resolveReferences(secrets, "{{big.v}}{{big.v}}", { limits: { maxStringLength: 100 } }),
		).rejects.toThrow(/longer than 100 characters once resolved/);
	});
});

describe("resolveReferences", () => {
	it("walks nested objects and arrays, resolves string values only, and leaves the input untouched", async () => {
		const { secrets } = setup();
		await secrets.createSecret({ name: "api", values: { token: "t0k", host: "api.example" } });
		const input = {
			"{{api.token}}": "keys are not resolved",
			services: [
				{ env: { TOKEN: "{{api.token}}", URL: "https://{{api.host}}/v1" }, port: 8080 },
				["{{ api.host }}", null, true, 1.5],
			],
			when: new Date(0),
			nothing: "no references here",
		};
		const before = structuredClone(input);
		const out = await resolveReferences(secrets, input);
		expect(out).toEqual({
			"{{api.token}}": "keys are not resolved",
			services: [
				{ env: { TOKEN: "t0k", URL: "https://api.example/v1" }, port: 8080 },
				["api.example", null, true, 1.5],
			],
			when: new Date(0),
			nothing: "no references here",
		});
		expect(input).toEqual(before);
		expect(out).not.toBe(input);
		expect(out.services).not.toBe(input.services);
	});

	it("keeps a `__proto__` member a member", async () => {
		const { secrets } = setup();
		await secrets.createSecret({ name: "a", values: { b: "v" } });
		const input = JSON.parse('{"__proto__": {"x": "{{a.b}}"}}');
		const out = (await resolveReferences(secrets, input)) as Record<string, unknown>;
		expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
		expect(Object.hasOwn(out, "__proto__")).toBe(true);
		expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toEqual({ x: "v" });
	});

	it("looks names up in the caller's user scope first, then the workspace", async () => {
		const { secrets } = setup();
		await secrets.createSecret({ name: "db", values: { user: "shared" } });
		await secrets.createSecret({ name: "db", values: { user: "mine" }, scope: "user" });
		const bob = secrets.as({ user: "bob", workspace: "ws-a" });
		expect(await resolveReferences(secrets, "{{db.user}}")).toBe("mine");
		expect(await resolveReferences(bob, "{{db.user}}")).toBe("shared");
	});

	it("looks names up in another workspace when asked", async () => {
		const { secrets } = setup();
		await secrets.createSecret({ name: "db", values: { user: "a" } });
		await secrets
			.as({ user: "carol", workspace: "ws-b" })
			.createSecret({ name: "db", values: { user: "b" } });
		const both = secrets.as({ user: "dan", workspace: "ws-a", workspaces: ["ws-a", "ws-b"] });
		expect(await resolveReferences(both, "{{db.user}}", { workspace: "ws-b" })).toBe("b");
	});

	it("reports a secret the caller may not see exactly like a missing one", async () => {
		const { secrets } = setup();
		const bob = secrets.as({ user: "bob", workspace: "ws-a" });
		await bob.createSecret({ name: "private", values: { k: CANARY }, scope: "user" });
		await secrets
			.as({ user: "carol", workspace: "ws-b" })
			.createSecret({ name: "other", values: { k: "v" } });
		const hidden = await failure(resolveReferences(secrets, "{{private.k}}"));
		const missing = await failure(resolveReferences(secrets, "{{absent.k}}"));
		const foreign = await failure(resolveReferences(secrets, "{{other.k}}"));
		for (const error of [hidden, missing, foreign]) {
			expect(error).toBeInstanceOf(UnresolvedReferenceError);
			expect(error.details.missing[0]?.reason).toBe("secret-not-found");
		}
		expect(hidden.details.missing[0]).toEqual({
			...missing.details.missing[0],
			reference: "{{private.k}}",
			name: "private",
		});
		expect(everyOutput(hidden)).not.toContain(CANARY);
	});

	it("reads each distinct secret once, in one getSecrets call and one bulk read per chunk", async () => {
		const { secrets, counted, calls, raw } = setup();
		const doc: Record<string, string> = {};
		for (let s = 0; s < 50; s++) {
			await secrets.createSecret({
				name: `s${s}`,
				values: { a: `a${s}`, b: `b${s}` },
			});
			// 200 references over 50 secrets: two keys, each referenced twice.
			for (let r = 0; r < 4; r++) doc[`k${s}-${r}`] = `{{s${s}.${r % 2 === 0 ? "a" : "b"}}}`;
		}
		raw.reset();
		const out = await resolveReferences(counted, doc);
		expect(out["k7-1"]).toBe("b7");
		expect(Object.keys(out)).toHaveLength(200);
		expect(calls.getSecrets).toBe(1);
		expect(calls.getSecretMetadataByName).toBe(50);
		expect(calls.getSecret ?? 0).toBe(0);
		expect(calls.getSecretByName ?? 0).toBe(0);
		expect(raw.calls).toEqual({ getMany: 1, idsRead: 50 });
	});

	it("reads in one bulk call per chunk of the store's batch size", async () => {
		const { secrets, raw } = setup({ maxBatchSize: 20 });
		const doc: string[] = [];
		for (let s = 0; s < 50; s++) {
			await secrets.createSecret({ name: `s${s}`, values: { a: "x" } });
			doc.push(`{{s${s}.a}}`, `{{s${s}.a}}`);
		}
		raw.reset();
		await resolveReferences(secrets, doc);
		expect(raw.calls).toEqual({ getMany: 3, idsRead: 50 });
	});

	it("reports every missing secret and key at once, by reference, never with a value", async () => {
		const { secrets } = setup();
		await secrets.createSecret({ name: "db", values: { user: CANARY } });
		await secrets.createSecret({ name: "proto", values: { k: CANARY } });
		const error = await failure(
			resolveReferences(secrets, {
				ok: "{{db.user}}",
				a: "{{db.password}}",
				b: ["{{nope.x}}", "{{nope.y}}"],
				c: "{{proto.__proto__}}",
			}),
		);
		expect(error).toBeInstanceOf(UnresolvedReferenceError);
		expect(error.code).toBe("REFERENCE_UNRESOLVED");
		expect(error.status).toBe(422);
		expect(error.details.missing).toEqual([
			{
				reference: "{{db.password}}",
				name: "db",
				key: "password",
				reason: "key-not-found",
				path: "$.a",
			},
			{
				reference: "{{nope.x}}",
				name: "nope",
				key: "x",
				reason: "secret-not-found",
				path: "$.b[0]",
			},
			{
				reference: "{{nope.y}}",
				name: "nope",
				key: "y",
				reason: "secret-not-found",
				path: "$.b[1]",
			},
			{
				reference: "{{proto.__proto__}}",
				name: "proto",
				key: "__proto__",
				reason: "key-not-found",
				path: "$.c",
			},
		]);
		expect(error.message).toMatch(
			/^4 secret references could not be resolved: \{\{db\.password\}\} \(key not found\)/,
		);
		expect(everyOutput(error)).not.toContain(CANARY);
	});

	it("never reports a store failure as a missing secret", async () => {
		const { secrets, raw } = setup();
		await secrets.createSecret({ name: "db", values: { user: "u" } });
		raw.unavailable = true;
		await expect(resolveReferences(secrets, "{{db.user}}")).rejects.toBeInstanceOf(
			StoreUnavailableError,
		);
	});

	it("makes no call for a document without references", async () => {
		const { counted, calls } = setup();
		expect(await resolveReferences(counted, { a: ["plain", 1] })).toEqual({ a: ["plain", 1] });
		expect(calls).toEqual({});
	});
});

describe("validateReferences", () => {
	afterEach(() => {
		vi.unstubAllEnvs();
	});

	async function fixture() {
		const ctx = setup();
		await ctx.secrets.createSecret({ name: "db", values: { user: CANARY } });
		ctx.raw.reset();
		return ctx;
	}

	it("NONE checks the grammar only and makes no call", async () => {
		const { counted, calls } = await fixture();
		const result = await validateReferences(counted, { a: "{{nope.x}}" }, { level: "NONE" });
		expect(result.references.map((r) => r.reference)).toEqual(["{{nope.x}}"]);
		expect(calls).toEqual({});
		await expect(validateReferences(counted, "{{bad}}", { level: "NONE" })).rejects.toBeInstanceOf(
			ValidationError,
		);
	});

	it("SECRET_EXISTS checks secrets, not keys, and reads no value", async () => {
		const { counted, calls, raw } = await fixture();
		await expect(
			validateReferences(counted, "{{db.missing-key}}", { level: "SECRET_EXISTS" }),
		).resolves.toMatchObject({ level: "SECRET_EXISTS" });
		const error = await failure(
			validateReferences(counted, ["{{db.user}}", "{{nope.x}}"], { level: "SECRET_EXISTS" }),
		);
		expect(error.details.missing).toMatchObject([{ name: "nope", reason: "secret-not-found" }]);
		expect(raw.calls).toEqual({});
		expect(calls.getSecrets ?? 0).toBe(0);
	});

	it("SECRET_AND_KEY_EXISTS checks keys from metadata and reads no value", async () => {
		const { counted, calls, raw } = await fixture();
		await validateReferences(counted, "{{db.user}}", { level: "SECRET_AND_KEY_EXISTS" });
		const error = await failure(
			validateReferences(counted, ["{{db.password}}", "{{nope.x}}"], {
				level: "SECRET_AND_KEY_EXISTS",
			}),
		);
		expect(error.details.missing).toMatchObject([
			{ name: "db", key: "password", reason: "key-not-found" },
			{ name: "nope", reason: "secret-not-found" },
		]);
		expect(everyOutput(error)).not.toContain(CANARY);
		expect(raw.calls).toEqual({});
		expect(calls.getSecrets ?? 0).toBe(0);
		expect(calls.getSecret ?? 0).toBe(0);
	});

	it("takes its default level from STRONGBOX_SECRET_VALIDATION_LEVEL", async () => {
		const { counted } = await fixture();
		vi.stubEnv("STRONGBOX_SECRET_VALIDATION_LEVEL", "");
		await expect(validateReferences(counted, "{{db.password}}")).rejects.toBeInstanceOf(
			UnresolvedReferenceError,
		);
		vi.stubEnv("STRONGBOX_SECRET_VALIDATION_LEVEL", "secret_exists");
		await expect(validateReferences(counted, "{{db.password}}")).resolves.toMatchObject({
			level: "SECRET_EXISTS",
		});
	});

	it("validationLevelFromEnv defaults to SECRET_AND_KEY_EXISTS and refuses unknown levels", async () => {
		expect(validationLevelFromEnv({})).toBe("SECRET_AND_KEY_EXISTS");
		expect(validationLevelFromEnv({ STRONGBOX_SECRET_VALIDATION_LEVEL: " none " })).toBe("NONE");
		expect(() => validationLevelFromEnv({ STRONGBOX_SECRET_VALIDATION_LEVEL: "ALL" })).toThrow(
			ValidationError,
		);
		await expect(
			validateReferences({} as Secrets, "x", { level: "SOME" as never }),
		).rejects.toThrow(ValidationError);
	});
});
