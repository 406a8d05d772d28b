/**
 * What the identity, token and audit routes share: JSON shapes with ISO dates, the
 * system view of the runtime, role and input checks, and audited identity changes
 * (which also clear the authentication cache).
 */
import { ForbiddenError, type SecretsService, ValidationError } from "@strongbox/core";
import type { TokenInfo, User } from "../identity/store.js";
import { audited } from "./audited.js";
import type { HandlerContext } from "./route.js";

/** Prefix of the API routes. */
export const API = "/api/v1";

// biome-ignore lint/suspicious/noExplicitAny: any handler context.
export type Ctx = HandlerContext<any, any, any>;

/** A date as ISO 8601 (or null). */
export const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** A user as JSON. */
export function userJson(u: User) {
	return { ...u, createdAt: iso(u.createdAt) };
}

/** A token's metadata as JSON. */
export function tokenJson(t: TokenInfo) {
	return {
		...t,
		createdAt: iso(t.createdAt),
		expiresAt: iso(t.expiresAt),
		revokedAt: iso(t.revokedAt),
		lastUsedAt: iso(t.lastUsedAt),
	};
}

/** The runtime as the trusted system caller (for checks across every scope). */
export function system(ctx: Ctx): SecretsService {
	return ctx.services.runtime.secrets.as({
		user: "strongbox-server",
		workspace: "default",
		system: true,
	});
}

/** `ForbiddenError` unless the caller is an admin or an admin of `workspace`. */
export function requireWorkspaceAdmin(ctx: Ctx, workspace: string): void {
	if (!ctx.principal.admin && ctx.principal.roles[workspace] !== "admin") {
		throw new ForbiddenError(`Managing the members of \`${workspace}\` needs its admin role.`);
	}
}

const ISO_WITH_ZONE =
	/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO 8601 date-time with a zone, or a `ValidationError` on `path`. */
export function parseDate(value: string | undefined, path: string): Date | undefined {
	if (value === undefined) return undefined;
	const date = ISO_WITH_ZONE.test(value) ? new Date(value) : new Date(Number.NaN);
	if (Number.isNaN(date.getTime())) {
		throw new ValidationError(`Invalid ${path}: must be an ISO 8601 date-time with a time zone`, [
			{
				path,
				message: "must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T12:00:00Z",
			},
		]);
	}
	return date;
}

/** An integer 1…max from a query string, or a `ValidationError` on `path`. */
export function pageNumber(
	value: string | undefined,
	path: string,
	max: number,
	fallback: number,
): number {
	if (value === undefined) return fallback;
	const n = Number(value);
	if (!Number.isInteger(n) || n < 1 || n > max) {
		throw new ValidationError(`Invalid ${path}: must be an integer from 1 to ${max}`, [
			{ path, message: `must be an integer from 1 to ${max}` },
		]);
	}
	return n;
}

/**
 * Tells the other replicas (PostgreSQL `NOTIFY`) to drop what they cached about a token
 * or a user; this replica's cache is cleared by {@link change}. Never throws.
 */
export function notifyReplicas(ctx: Ctx, kind: "token" | "user", id: string): Promise<void> {
	return ctx.services.runtime.invalidation.publish(kind, id);
}

/** Runs an identity change, audited as a write, then clears the authentication cache. */
export async function change<T>(
	ctx: Ctx,
	op: string,
	target: string,
	fn: () => Promise<T>,
	status = 200,
): Promise<T> {
	try {
		return await audited(ctx, { op, kind: "write", status, subject: { target } }, fn);
	} finally {
		ctx.services.auth.invalidate();
	}
}
