/**
 * Token and audit routes: every user manages their own tokens (admins everyone's); the
 * audit log is for admins.
 */
import { ForbiddenError, ValidationError } from "@strongbox/core";
import { API, change, notifyReplicas, pageNumber, parseDate, tokenJson } from "./admin-support.js";
import { defineRoute } from "./route.js";
import {
	auditPage,
	auditQuery,
	createdToken,
	createTokenBody,
	listOf,
	tokenInfo,
	tokenParams,
	tokensQuery,
} from "./schemas.js";

const TAG = "identity";

/** The token and audit routes. */
export const tokenRoutes = [
	defineRoute({
		method: "GET",
		url: `${API}/tokens`,
		operationId: "listTokens",
		summary: "Tokens (the caller's own; admins: every user's, or `?user=`)",
		tag: TAG,
		auth: "token",
		query: tokensQuery,
		responses: {
			200: {
				description: "Tokens (never the token itself)",
				schema: listOf(tokenInfo, "TokenList"),
			},
		},
		errors: [400, 401, 403, 429],
		async handler(ctx) {
			const asked = ctx.query.user;
			if (!ctx.principal.admin && asked !== undefined && asked !== ctx.principal.user) {
				throw new ForbiddenError("Only admins can list other users' tokens.");
			}
			const owner = ctx.principal.admin ? asked : ctx.principal.user;
			return { body: { items: (await ctx.services.identity.listTokens(owner)).map(tokenJson) } };
		},
	}),
	defineRoute({
		method: "POST",
		url: `${API}/tokens`,
		operationId: "createToken",
		summary: "Create a token (for the caller; admins: for any user). The token is shown once.",
		tag: TAG,
		auth: "token",
		body: createTokenBody,
		responses: { 201: { description: "Created", schema: createdToken } },
		errors: [400, 401, 403, 429],
		async handler(ctx) {
			const owner = ctx.body.user ?? ctx.principal.user;
			if (owner !== ctx.principal.user && !ctx.principal.admin) {
				throw new ForbiddenError("Only admins can create tokens for other users.");
			}
			if (ctx.body.expiresAt !== undefined && ctx.body.expiresInSeconds !== undefined) {
				throw new ValidationError("Invalid token: give expiresAt or expiresInSeconds, not both", [
					{ path: "expiresAt", message: "give expiresAt or expiresInSeconds, not both" },
				]);
			}
			const now = new Date();
			const expiresAt =
				ctx.body.expiresInSeconds !== undefined
					? new Date(now.getTime() + ctx.body.expiresInSeconds * 1000)
					: (parseDate(ctx.body.expiresAt, "expiresAt") ?? null);
			const created = await change(
				ctx,
				"token.create",
				owner,
				() =>
					ctx.services.identity.createToken(
						{ user: owner, name: ctx.body.name, expiresAt, createdBy: ctx.principal.user },
						now,
					),
				201,
			);
			return { status: 201, body: { token: created.token, info: tokenJson(created.info) } };
		},
	}),
	defineRoute({
		method: "DELETE",
		url: `${API}/tokens/:id`,
		operationId: "revokeToken",
		summary: "Revoke a token (the caller's own; admins: any)",
		tag: TAG,
		auth: "token",
		params: tokenParams,
		responses: { 204: { description: "Revoked" } },
		errors: [400, 401, 429],
		async handler(ctx) {
			await change(
				ctx,
				"token.revoke",
				ctx.params.id,
				async () => {
					const found = await ctx.services.identity.getToken(ctx.params.id);
					// Another user's token is reported like a missing one.
					if (!found || (found.user !== ctx.principal.user && !ctx.principal.admin)) {
						throw new ValidationError("Invalid id: token does not exist", [
							{ path: "id", message: "token does not exist" },
						]);
					}
					await ctx.services.identity.revokeToken(ctx.params.id, new Date());
				},
				204,
			);
			await notifyReplicas(ctx, "token", ctx.params.id);
			return { status: 204 };
		},
	}),
	defineRoute({
		method: "GET",
		url: `${API}/audit`,
		operationId: "queryAudit",
		summary: "Query the audit log, newest first",
		tag: "audit",
		auth: "admin",
		query: auditQuery,
		responses: { 200: { description: "One page of entries", schema: auditPage } },
		errors: [400, 401, 403, 429],
		async handler(ctx) {
			const q = ctx.query;
			const since = parseDate(q.since, "since");
			const until = parseDate(q.until, "until");
			const result = await ctx.services.audit.query({
				...(q.actor === undefined ? {} : { actor: q.actor }),
				...(q.secretId === undefined ? {} : { secretId: q.secretId }),
				...(q.op === undefined ? {} : { op: q.op }),
				...(q.outcome === undefined ? {} : { outcome: q.outcome }),
				...(since === undefined ? {} : { since }),
				...(until === undefined ? {} : { until }),
				page: pageNumber(q.page, "page", 1_000_000, 1),
				size: pageNumber(q.size, "size", 1000, 100),
			});
			return {
				body: { ...result, items: result.items.map((r) => ({ ...r, at: r.at.toISOString() })) },
			};
		},
	}),
];
