/**
 * Answers as core's types (dates as `Date`, secrets from `makeSecret`), and the checks of
 * inputs that go into a URL: the same rules and messages as core, so that a bad id or
 * name fails like in-process instead of reaching another route.
 */
import {
	isSecretId,
	makeSecret,
	type Secret,
	type SecretFilter,
	type SecretMetadata,
	ValidationError,
	type ValidationIssue,
	versionIssues,
} from "@strongbox/core";
import type { TokenInfo } from "./types.js";

/** A JSON object of an answer. */
export type Json = Record<string, unknown>;

/** Throws a `ValidationError` worded like core's. */
export function invalid(message: string, issues: ValidationIssue[]): never {
	throw new ValidationError(
		issues.length === 1
			? `${message}: ${issues[0]!.path}: ${issues[0]!.message}`
			: `${message} (${issues.length} problems).`,
		issues,
	);
}

// The same checks and messages as core's, for inputs that go into a URL path: a bad
// one must fail like in-process rather than reach another route.
/** Core's secret id check. */
export function checkId(id: unknown): asserts id is string {
	if (!isSecretId(id)) invalid("Invalid secret id", [{ path: "id", message: "must be a UUID" }]);
}

/** Core's `expectedVersion` check. */
export function checkVersion(version: unknown, what: string): void {
	const issues = versionIssues(version);
	if (issues.length > 0) invalid(what, issues);
}

/** A non-empty, bounded path segment. */
export function checkSegment(value: unknown, path: string, max: number): asserts value is string {
	if (typeof value !== "string" || value.length === 0 || value.length > max) {
		invalid(`Invalid ${path}`, [{ path, message: `must be 1–${max} characters` }]);
	}
}

const date = (v: unknown) => new Date(String(v));
const maybeDate = (v: unknown) => (v === null || v === undefined ? null : date(v));

/** Metadata from its JSON (dates revived). */
export function metadataOf(json: Json): SecretMetadata {
	return {
		id: String(json.id),
		name: String(json.name),
		scope: json.scope === "user" ? "user" : "workspace",
		workspace: String(json.workspace),
		owner: json.owner === null || json.owner === undefined ? null : String(json.owner),
		keys: Array.isArray(json.keys) ? json.keys.map(String) : [],
		version: Number(json.version),
		createdAt: date(json.createdAt),
		updatedAt: date(json.updatedAt),
		backend: String(json.backend),
	};
}

/** A `Secret` from its JSON, built with core's `makeSecret` (values masked when printed). */
export function secretOf(json: Json): Secret {
	const values = (json.values ?? {}) as Record<string, string>;
	return makeSecret(metadataOf(json), { ...values });
}

/** A copy with the named fields revived as dates. */
export function withDates<T>(json: Json, fields: string[]): T {
	const out: Json = { ...json };
	for (const field of fields) if (field in out) out[field] = maybeDate(out[field]);
	return out as T;
}

/** Token metadata from its JSON. */
export const tokenOf = (j: Json) =>
	withDates<TokenInfo>(j, ["createdAt", "expiresAt", "revokedAt", "lastUsedAt"]);
/** The `items` of a list answer. */
export const items = (body: unknown) => ((body as { items?: Json[] }).items ?? []) as Json[];

/** A listing filter as query parameters (`name` objects as `op:value`, dates as ISO). */
export function filterQuery(filter: SecretFilter): Record<string, string> {
	if (typeof filter !== "object" || filter === null)
		invalid("Invalid filter", [{ path: "filter", message: "must be an object" }]);
	const query: Record<string, string> = {};
	for (const [key, value] of Object.entries(filter)) {
		if (value === undefined) continue;
		if (key === "name" && typeof value === "object" && value !== null && !(value instanceof Date)) {
			const { op, value: v } = value as { op: unknown; value: unknown };
			query.name = `${String(op)}:${String(v)}`;
		} else if (value instanceof Date) {
			if (Number.isNaN(value.getTime()))
				invalid("Invalid filter", [{ path: key, message: "is an invalid date" }]);
			query[key] = value.toISOString();
		} else {
			query[key] = String(value);
		}
	}
	return query;
}
