/**
 * Routes are declared once, as data: method, URL, auth level, zod schemas and handler.
 * The same declarations register the fastify routes and generate the OpenAPI document,
 * so the document lists every route by construction.
 */
import type { Caller, SecretsService } from "@strongbox/core";
import type { FastifyRequest } from "fastify";
import type { Logger as PinoLogger } from "pino";
import type { z } from "zod";
import type { AuditLog } from "../audit.js";
import type { StrongboxConfig } from "../config/schema.js";
import type { Authenticator, Principal } from "../identity/auth.js";
import type { IdentityStore } from "../identity/store.js";
import type { Metrics } from "../metrics.js";
import type { Runtime } from "../runtime.js";

/** Everything a handler may use. */
export interface Services {
	runtime: Runtime;
	identity: IdentityStore;
	auth: Authenticator;
	audit: AuditLog;
	metrics: Metrics;
	config: StrongboxConfig;
	log: PinoLogger;
}

/** What a handler answers. */
export interface Reply {
	/** @default 200 */
	status?: number;
	body?: unknown;
	headers?: Record<string, string>;
	/** Content type of a non-JSON body. */
	contentType?: string;
}

/** Who may call a route. */
export type AuthLevel = "none" | "token" | "admin";

/** The request as a handler sees it. */
export interface HandlerContext<P, Q, B> {
	services: Services;
	request: FastifyRequest;
	params: P;
	query: Q;
	body: B;
	/** Set on routes with auth `token` or `admin`. */
	principal: Principal;
	/** The core caller of the principal (selected workspace applied). */
	caller: Caller;
	/** `runtime.secrets.as(caller)`. */
	secrets: SecretsService;
	requestId: string;
	ip: string;
	/** The version of an `If-Match` precondition, when one was sent. */
	ifMatch: number | undefined;
}

/** One documented answer. */
export interface ResponseSpec {
	description: string;
	schema?: z.ZodType;
	/** Response headers documented for this answer. */
	headers?: string[];
	contentType?: string;
}

/** A route declaration. */
export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
	method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
	/** Fastify syntax (`/api/v1/secrets/:id`). */
	url: string;
	operationId: string;
	summary: string;
	tag: string;
	auth: AuthLevel;
	params?: P;
	query?: Q;
	body?: B;
	responses: Record<number, ResponseSpec>;
	/** Error statuses this route may answer (documented with the error body). */
	errors?: number[];
	/** Subject to the per-token rate limit. @default true */
	rateLimited?: boolean;
	/** Accepts `If-Match: "<version>"`. */
	ifMatch?: boolean;
	handler(
		ctx: HandlerContext<
			P extends z.ZodType ? z.output<P> : undefined,
			Q extends z.ZodType ? z.output<Q> : undefined,
			B extends z.ZodType ? z.output<B> : undefined
		>,
	): Promise<Reply>;
}

/** A route of any shape. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of routes.
export type AnyRoute = RouteSpec<any, any, any>;

/** Declares a route (typing only: the handler's inputs follow from the schemas). */
export function defineRoute<
	P extends z.ZodType = z.ZodUndefined,
	Q extends z.ZodType = z.ZodUndefined,
	B extends z.ZodType = z.ZodUndefined,
>(spec: RouteSpec<P, Q, B>): AnyRoute {
	return spec as AnyRoute;
}

/** `"<version>"`, the ETag of a secret. */
export function etag(version: number): string {
	return `"${version}"`;
}
