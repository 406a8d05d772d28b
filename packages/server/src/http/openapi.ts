/**
 * The OpenAPI 3.1 document, generated from the route declarations and their zod schemas
 * (`z.toJSONSchema`, JSON Schema 2020-12 as OpenAPI 3.1 uses). Schemas that carry a
 * `meta({ id })` become shared components.
 */
import { z } from "zod";
import type { AnyRoute } from "./route.js";
import { errorBodySchema } from "./schemas.js";

type JsonSchema = Record<string, unknown>;

const STATUS_TEXT: Record<number, string> = {
	400: "Invalid input (code VALIDATION_FAILED)",
	401: "Missing, unknown, expired or revoked token (UNAUTHENTICATED)",
	403: "Not allowed (FORBIDDEN)",
	404: "Not found, or not visible to the caller (SECRET_NOT_FOUND)",
	409: "Name taken (SECRET_EXISTS) or concurrent change (CONFLICT)",
	412: "If-Match version mismatch (CONFLICT)",
	413: "Body or values too large (PAYLOAD_TOO_LARGE)",
	422: "References that could not be resolved (REFERENCE_UNRESOLVED), listed in details.missing",
	429: "Rate limited (RATE_LIMITED); see Retry-After",
	503: "Back-end or audit log unavailable (STORE_UNAVAILABLE); retry with backoff",
};

function rewriteRefs(node: unknown): unknown {
	if (Array.isArray(node)) return node.map(rewriteRefs);
	if (typeof node !== "object" || node === null) return node;
	return Object.fromEntries(
		Object.entries(node).map(([key, value]) => [
			key,
			key === "$ref" && typeof value === "string"
				? value.replace("#/$defs/", "#/components/schemas/")
				: rewriteRefs(value),
		]),
	);
}

/** Converts a schema, moving shared definitions (`meta({ id })`) into `components`. */
function converter(components: Record<string, JsonSchema>) {
	return (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
		const json = rewriteRefs(
			z.toJSONSchema(schema, {
				target: "draft-2020-12",
				io,
				unrepresentable: "any",
				reused: "inline",
			}),
		) as JsonSchema;
		const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
		for (const [id, def] of Object.entries(defs)) components[id] = def;
		delete json.$defs;
		delete json.$schema;
		return json;
	};
}

function parameters(
	schema: z.ZodType | undefined,
	where: "path" | "query",
	convert: ReturnType<typeof converter>,
) {
	if (!schema) return [];
	const json = convert(schema, "input");
	const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
	const required = new Set((json.required ?? []) as string[]);
	return Object.entries(properties).map(([name, s]) => ({
		name,
		in: where,
		required: where === "path" || required.has(name),
		schema: s,
	}));
}

/** Builds the OpenAPI 3.1 document of `routes`. */
export function openApiDocument(routes: readonly AnyRoute[], version: string): JsonSchema {
	const components: Record<string, JsonSchema> = {};
	const convert = converter(components);
	const errorRef = convert(errorBodySchema, "output");
	const paths: Record<string, Record<string, unknown>> = {};
	for (const route of routes) {
		const path = route.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
		const responses: Record<string, unknown> = {};
		for (const [status, spec] of Object.entries(route.responses)) {
			responses[status] = {
				description: spec.description,
				...(spec.headers
					? {
							headers: Object.fromEntries(
								spec.headers.map((h) => [h, { schema: { type: "string" } }]),
							),
						}
					: {}),
				...(spec.schema
					? {
							content: {
								[spec.contentType ?? "application/json"]: {
									schema: convert(spec.schema, "output"),
								},
							},
						}
					: {}),
			};
		}
		for (const status of route.errors ?? []) {
			responses[String(status)] = {
				description: STATUS_TEXT[status] ?? "Error",
				content: { "application/json": { schema: errorRef } },
			};
		}
		const headerParams = [
			...(route.auth === "none"
				? []
				: [
						{
							name: "X-Strongbox-Workspace",
							in: "header",
							required: false,
							description: "Select the caller's workspace (default: the user's default workspace)",
							schema: { type: "string", maxLength: 64 },
						},
					]),
			...(route.ifMatch
				? [
						{
							name: "If-Match",
							in: "header",
							required: false,
							description: 'Expected version, as in the ETag: `"3"`',
							schema: { type: "string" },
						},
					]
				: []),
		];
		paths[path] ??= {};
		paths[path][route.method.toLowerCase()] = {
			operationId: route.operationId,
			summary: route.summary,
			tags: [route.tag],
			...(route.auth === "none" ? { security: [] } : {}),
			parameters: [
				...parameters(route.params, "path", convert),
				...parameters(route.query, "query", convert),
				...headerParams,
			],
			...(route.body
				? {
						requestBody: {
							required: true,
							content: { "application/json": { schema: convert(route.body, "input") } },
						},
					}
				: {}),
			responses,
		};
	}
	return {
		openapi: "3.1.0",
		info: {
			title: "Strongbox",
			version,
			description:
				"Secrets API. Values are returned only by reads of single secrets and get-many; listings carry metadata only.",
		},
		servers: [{ url: "/" }],
		security: [{ bearer: [] }],
		paths,
		components: {
			schemas: components,
			securitySchemes: {
				bearer: { type: "http", scheme: "bearer", description: "An API token (`sbx_…`)" },
			},
		},
	};
}
