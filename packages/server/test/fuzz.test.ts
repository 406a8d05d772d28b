/**
 * Property-based fuzzing of every route (fast-check, a few hundred runs each): random
 * path parameters, query strings, headers and bodies (JSON of any shape, broken JSON,
 * other content types, deep nesting). Whatever comes in, the server never answers 5xx,
 * and every 4xx carries a stable code from core's `errorClasses`.
 */
import { errorClasses } from "@strongbox/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminRoutes } from "../src/http/admin-routes.js";
import { identityRoutes } from "../src/http/identity-routes.js";
import { resolveRoutes } from "../src/http/resolve-routes.js";
import type { AnyRoute } from "../src/http/route.js";
import { secretRoutes } from "../src/http/secrets-routes.js";
import { tokenRoutes } from "../src/http/token-routes.js";
import { startTestServer, type TestServer } from "./helpers.js";

const RUNS = 250;
const CODES = new Set(Object.keys(errorClasses));

let t: TestServer;
let member: string;
let secretId: string;

beforeAll(async () => {
	t = await startTestServer({ rateLimit: { requestsPerMinute: 0 }, log: { level: "silent" } });
	member = await t.user("fuzzer", "ws-a");
	const created = await t.request("POST", "/api/v1/secrets", {
		token: member,
		body: { name: "target", values: { a: "b" } },
	});
	secretId = created.json.id;
});

afterAll(async () => {
	await t?.close();
});

const text = fc.oneof(
	fc.string({ maxLength: 40 }),
	fc.string({ unit: "grapheme", maxLength: 20 }),
	fc.constantFrom(
		"",
		"target",
		"ws-a",
		"user",
		"workspace",
		"contains:ta",
		"eq:x",
		"%",
		"_",
		"..",
		"-1",
		"0",
		"1e9",
		"2026-01-01T00:00:00Z",
		"null",
		"{{target.a}}",
		"x {{ target.a }} {{target.zz}}",
		"{{target",
		"\\{{target.a}}",
		"SECRET_EXISTS",
	),
	fc.string({ minLength: 200, maxLength: 400 }),
);
const segment = fc.oneof(
	text.filter((s) => s.length > 0 && s !== "." && s !== ".."),
	fc.uuid(),
	fc.constant("{id}"),
);
const jsonValue = fc.jsonValue({ maxDepth: 4 });
const FIELDS = [
	"name",
	"values",
	"scope",
	"workspace",
	"ids",
	"role",
	"admin",
	"disabled",
	"defaultWorkspace",
	"user",
	"expiresAt",
	"expiresInSeconds",
	"document",
	"validateOnly",
	"level",
];
const body = fc.oneof(
	fc.record({ kind: fc.constant("json" as const), value: jsonValue }),
	fc.record({
		kind: fc.constant("json" as const),
		value: fc.dictionary(
			fc.constantFrom(...FIELDS),
			fc.oneof(
				jsonValue,
				fc.dictionary(text, fc.oneof(text, fc.constant(null))),
				fc.array(fc.oneof(text, fc.uuid()), { maxLength: 5 }),
			),
			{ maxKeys: 5 },
		),
	}),
	fc.record({ kind: fc.constant("raw" as const), value: fc.string({ maxLength: 100 }) }),
	fc.record({ kind: fc.constant("deep" as const), value: fc.integer({ min: 1000, max: 20000 }) }),
	fc.record({ kind: fc.constant("text" as const), value: fc.string({ maxLength: 50 }) }),
	fc.constant({ kind: "none" as const, value: undefined }),
);
const QUERY_KEYS = [
	"name",
	"scope",
	"workspace",
	"owner",
	"createdAfter",
	"createdBefore",
	"updatedAfter",
	"updatedBefore",
	"sortBy",
	"sortOrder",
	"page",
	"size",
	"user",
	"actor",
	"secretId",
	"op",
	"since",
	"until",
	"outcome",
	"bogus",
];
const query = fc.dictionary(
	fc.constantFrom(...QUERY_KEYS),
	fc.oneof(text, fc.array(text, { minLength: 2, maxLength: 3 })),
	{ maxKeys: 4 },
);
const headers = fc.record(
	{
		"if-match": fc.oneof(text, fc.constantFrom('"1"', "*", 'W/"2"', '"1", "2"')),
		"x-strongbox-workspace": fc.oneof(text, fc.constantFrom("ws-a", "ws-b", "default")),
		"x-request-id": text,
	},
	{ requiredKeys: [] },
);
const who = fc.constantFrom("admin", "member", "none", "garbage");

function payload(b: { kind: string; value: unknown }) {
	switch (b.kind) {
		case "json":
			return { payload: JSON.stringify(b.value), contentType: "application/json" };
		case "raw":
			return { payload: b.value as string, contentType: "application/json" };
		case "deep": {
			const n = b.value as number;
			return { payload: `${'{"a":'.repeat(n)}1${"}".repeat(n)}`, contentType: "application/json" };
		}
		case "text":
			return { payload: b.value as string, contentType: "text/plain" };
		default:
			return undefined;
	}
}

function fill(url: string, params: string[]): string {
	let i = 0;
	return url.replace(/:([A-Za-z0-9_]+)/g, () => {
		const p = params[i++] ?? "x";
		return encodeURIComponent(p === "{id}" ? secretId : p);
	});
}

const routes: AnyRoute[] = [
	...secretRoutes,
	...resolveRoutes,
	...identityRoutes,
	...tokenRoutes,
	...adminRoutes,
];

describe("fuzzed requests", () => {
	for (const route of routes) {
		it(`${route.method} ${route.url}: no 5xx, every 4xx with a core error code`, async () => {
			await fc.assert(
				fc.asyncProperty(
					fc.array(segment, { minLength: 2, maxLength: 2 }),
					query,
					body,
					headers,
					who,
					async (params, q, b, h, caller) => {
						const token =
							caller === "admin"
								? t.adminToken
								: caller === "member"
									? member
									: caller === "garbage"
										? "sbx_garbage"
										: undefined;
						const p = payload(b);
						const search = new URLSearchParams();
						for (const [key, value] of Object.entries(q)) {
							for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
						}
						const qs = search.toString();
						const response = await t.server.app.inject({
							method: route.method,
							url: `${fill(route.url, params)}${qs ? `?${qs}` : ""}`,
							headers: {
								...(h as Record<string, string>),
								...(token ? { authorization: `Bearer ${token}` } : {}),
								...(p ? { "content-type": p.contentType } : {}),
							},
							...(p ? { payload: p.payload } : {}),
						});
						expect(response.statusCode, response.body).toBeLessThan(500);
						if (response.statusCode >= 400) {
							const code = response.json().error?.code;
							expect(CODES.has(code), `${response.statusCode} ${response.body}`).toBe(true);
						}
					},
				),
				{ numRuns: RUNS, interruptAfterTimeLimit: 20_000 },
			);
		}, 60_000);
	}
});
