/**
 * The fastify application: security headers, the per-token rate limit, authentication,
 * request parsing, the routes, one error format, metrics and one log line per request
 * (never a header, never a body).
 */
import { randomUUID } from "node:crypto";
import rateLimit from "@fastify/rate-limit";
import {
	ForbiddenError,
	RateLimitedError,
	safeCause,
	ValidationError,
	WORKSPACE_PATTERN,
} from "@strongbox/core";
import Fastify, { type FastifyInstance, type FastifyRequest, LogController } from "fastify";
import { z } from "zod";
import type { Principal } from "../identity/auth.js";
import { type CallerEntry, type Callers, createCallers, RequestContext } from "./context.js";
import { type Credentials, createCredentials, PRESENTED } from "./credentials.js";
import { errorBody, ROUTE_NOT_FOUND, statusOf, toStrongboxError } from "./errors.js";
import type { AnyRoute, Services } from "./route.js";
import { parseInput } from "./validate.js";

/** Header that selects the caller's workspace. */
export const WORKSPACE_HEADER = "x-strongbox-workspace";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const emptyQuery = z.strictObject({});

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
	/** TLS material (PEM). */
	https?: { key: string | Buffer; cert: string | Buffer };
}

function parseIfMatch(header: string | string[] | undefined): number | undefined {
	if (header === undefined) return undefined;
	const text = Array.isArray(header) ? header.join(",") : header;
	if (text.trim() === "*") return undefined;
	const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(text);
	if (!match) {
		throw new ValidationError('Invalid If-Match: must be one version, as in the ETag (`"3"`).', [
			{ path: "If-Match", message: 'must be one version, as in the ETag ("3")' },
		]);
	}
	return Number(match[1]);
}

function selectedWorkspace(request: FastifyRequest): string | undefined {
	const header = request.headers[WORKSPACE_HEADER];
	if (header === undefined) return undefined;
	if (typeof header !== "string" || !WORKSPACE_PATTERN.test(header)) {
		throw new ValidationError(
			"Invalid X-Strongbox-Workspace: must be 1–64 letters, digits, '-' and '_'",
			[{ path: "X-Strongbox-Workspace", message: "must be 1–64 letters, digits, '-' and '_'" }],
		);
	}
	return header;
}

/** Whether a parsed query string has any parameter. */
function hasParameters(query: unknown): boolean {
	for (const _ in query as object) return true;
	return false;
}

function register(
	app: FastifyInstance,
	route: AnyRoute,
	services: Services,
	credentials: Credentials,
	callers: Callers,
): void {
	app.route({
		method: route.method,
		url: route.url,
		...(route.rateLimited === false ? { config: { rateLimit: false } } : {}),
		handler: async (request, reply) => {
			let principal: Principal | undefined;
			let entry: CallerEntry | undefined;
			if (route.auth !== "none") {
				const { token, hash } = credentials.of(request);
				principal = await services.auth.authenticate(token, hash);
				credentials.authenticated(request);
				if (route.auth === "admin" && !principal.admin) {
					throw new ForbiddenError("This needs an admin.");
				}
				entry = callers.entry(principal, selectedWorkspace(request));
			}
			const ctx = new RequestContext(
				services,
				request,
				route.params
					? parseInput(route.params, { ...(request.params as object) }, "path")
					: undefined,
				// Most requests have no query string: an empty one needs no parsing.
				route.query || hasParameters(request.query)
					? parseInput(route.query ?? emptyQuery, { ...(request.query as object) }, "query")
					: {},
				route.body ? parseInput(route.body, request.body, "body") : undefined,
				principal as Principal,
				entry,
				route.ifMatch ? parseIfMatch(request.headers["if-match"]) : undefined,
			);
			const result = await route.handler(ctx as never);
			reply.code(result.status ?? 200);
			if (result.headers) reply.headers(result.headers);
			if (result.contentType) reply.type(result.contentType);
			return reply.send(result.body);
		},
	});
}

/** Builds the fastify application over the server's services. */
export async function buildApp(
	services: Services,
	routes: readonly AnyRoute[],
	options: BuildAppOptions = {},
): Promise<FastifyInstance> {
	const { config, log, metrics } = services;
	const app = Fastify({
		loggerInstance: log,
		// No child logger per request (pino builds and redacts its bindings each time): every
		// line this server writes about a request names its request id itself.
		childLoggerFactory: (logger) => logger,
		// One line per request is logged in onResponse, with the route template.
		logController: new LogController({ disableRequestLogging: true }),
		bodyLimit: config.limits.bodyBytes,
		trustProxy: config.server.trustProxy,
		genReqId: (req) => {
			const given = req.headers["x-request-id"];
			return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
		},
		return503OnClosing: true,
		forceCloseConnections: "idle",
		// Longer than any URL Node accepts: over-long parameters reach validation and get a 400.
		routerOptions: { maxParamLength: 65_536 },
		onProtoPoisoning: "error",
		onConstructorPoisoning: "error",
		...(options.https ? { https: options.https } : {}),
	}) as unknown as FastifyInstance;

	const credentials = createCredentials(config.auth.cacheTtlMs);
	// Declared up front so that every request object has the same shape.
	app.decorateRequest(PRESENTED, null);

	app.addHook("onRequest", (request, reply, done) => {
		reply.header("cache-control", "no-store");
		reply.header("x-content-type-options", "nosniff");
		reply.header("x-request-id", request.id);
		done();
	});

	app.addHook("onResponse", (request, reply, done) => {
		const route = request.routeOptions.url ?? "unmatched";
		metrics.request(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
		if (log.isLevelEnabled("info")) {
			log.info(
				{
					requestId: request.id,
					method: request.method,
					route,
					status: reply.statusCode,
					ms: Math.round(reply.elapsedTime * 10) / 10,
				},
				"request",
			);
		}
		done();
	});

	app.setErrorHandler((error, request, reply) => {
		const mapped = toStrongboxError(error);
		const status = statusOf(mapped, request.headers["if-match"] !== undefined);
		if (status >= 500) {
			log.error(
				{ requestId: request.id, code: mapped.code, err: safeCause(error) },
				"request failed",
			);
		}
		if (mapped instanceof RateLimitedError)
			reply.header("retry-after", String(mapped.retryAfterSeconds));
		return reply.code(status).send(errorBody(mapped, request.id));
	});

	app.setNotFoundHandler((request, reply) => {
		return reply.code(404).send({
			error: {
				code: ROUTE_NOT_FOUND,
				message: `No route ${request.method} ${request.url.split("?")[0]!.slice(0, 200)}. See /api/v1/openapi.json.`,
				requestId: request.id,
			},
		});
	});

	const perMinute = config.rateLimit.requestsPerMinute;
	if (perMinute > 0) {
		await app.register(rateLimit, {
			global: true,
			max: perMinute,
			timeWindow: 60_000,
			cache: 10_000,
			// Per token (by its digest, never the token itself), else per address.
			keyGenerator: (request) => {
				const { hash } = credentials.of(request);
				return hash ? `t:${hash}` : `ip:${request.ip}`;
			},
			// Limit headers only on a 429 (with Retry-After): three headers less on every answer.
			addHeadersOnExceeding: {
				"x-ratelimit-limit": false,
				"x-ratelimit-remaining": false,
				"x-ratelimit-reset": false,
			},
			errorResponseBuilder: (_request, context) =>
				new RateLimitedError(
					`Rate limit of ${context.max} requests per minute reached; retry in ${context.after}.`,
					Math.max(1, Math.ceil(context.ttl / 1000)),
				),
		});
	}

	const callers = createCallers();
	for (const route of routes) register(app, route, services, credentials, callers);
	await app.ready();
	return app;
}
