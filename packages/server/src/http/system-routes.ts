/**
 * `/health` (no auth: load balancers call it), `/metrics` (Prometheus text; open unless
 * `metrics.requireAuth`, since it holds counts and route templates only) and the
 * OpenAPI document. None of them is rate limited.
 */
import { StrongboxError } from "@strongbox/core";
import { bearerToken } from "../identity/auth.js";
import { defineRoute } from "./route.js";
import { health } from "./schemas.js";

const HEALTH_TIMEOUT_MS = 5000;

async function check(fn: () => Promise<unknown>): Promise<{ ok: boolean; code?: string }> {
	let timer: NodeJS.Timeout | undefined;
	try {
		await Promise.race([
			fn(),
			new Promise((_, reject) => {
				timer = setTimeout(
					() => reject(Object.assign(new Error("timeout"), { code: "TIMEOUT" })),
					HEALTH_TIMEOUT_MS,
				);
				timer.unref();
			}),
		]);
		return { ok: true };
	} catch (error) {
		const code =
			error instanceof StrongboxError
				? error.code
				: (error as { code?: unknown }).code === "TIMEOUT"
					? "TIMEOUT"
					: "UNKNOWN";
		return { ok: false, code };
	} finally {
		clearTimeout(timer);
	}
}

/** The system routes; `document` returns the OpenAPI document. */
export function systemRoutes(document: () => unknown) {
	return [
		defineRoute({
			method: "GET",
			url: "/health",
			operationId: "health",
			summary: "Catalog and store reachability (200 when all are up, 503 otherwise)",
			tag: "system",
			auth: "none",
			rateLimited: false,
			responses: {
				200: { description: "Healthy", schema: health },
				503: { description: "Unhealthy", schema: health },
			},
			async handler(ctx) {
				const { runtime } = ctx.services;
				const checks: Record<string, { ok: boolean; code?: string }> = {
					catalog: await check(() => runtime.catalog.getSetting("strongbox.health")),
				};
				// Each store by the name its catalog rows carry (a third-party store's `type` is a
				// package name; its name is the type it declares).
				for (const store of runtime.stores) {
					checks[`store:${store.name}`] = await check(() => store.verify());
				}
				const ok = Object.values(checks).every((c) => c.ok);
				return { status: ok ? 200 : 503, body: { status: ok ? "ok" : "unavailable", checks } };
			},
		}),
		defineRoute({
			method: "GET",
			url: "/metrics",
			operationId: "metrics",
			summary: "Prometheus metrics (text format 0.0.4)",
			tag: "system",
			auth: "none",
			rateLimited: false,
			responses: { 200: { description: "Metrics", contentType: "text/plain" } },
			errors: [401],
			async handler(ctx) {
				const { config, auth, metrics } = ctx.services;
				if (config.metrics.requireAuth)
					await auth.authenticate(bearerToken(ctx.request.headers.authorization));
				return { body: metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8" };
			},
		}),
		defineRoute({
			method: "GET",
			url: "/api/v1/openapi.json",
			operationId: "openapi",
			summary: "This API's OpenAPI 3.1 document",
			tag: "system",
			auth: "none",
			rateLimited: false,
			responses: { 200: { description: "The document" } },
			async handler() {
				return { body: document() };
			},
		}),
	];
}
