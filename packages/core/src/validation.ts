/**
 * The one rule set for names, keys, values and filters, whatever the back-end.
 * Every function throws a {@link ValidationError} listing every problem at once;
 * messages name fields and rules, never a value.
 */
import { PayloadTooLargeError, ValidationError, type ValidationIssue } from "./errors.js";
import type {
	NameOperator,
	SecretFilter,
	SecretScope,
	SecretValues,
	SecretValuesPatch,
	SortField,
} from "./types.js";

/** Secret names: 1–255 letters, digits, `-` and `_`. */
export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
/** Keys: 1–255 letters, digits, `_` and `-` (no `.`: it separates name and key in references). */
export const KEY_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
/** Workspace ids: 1–64 letters, digits, `-` and `_`. */
export const WORKSPACE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** User ids: 1–255 letters, digits and `_ - . @ :`. */
export const USER_PATTERN = /^[A-Za-z0-9_.@:-]{1,255}$/;
/** A secret id is a UUID. */
export const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Limits applied to every input. */
export const LIMITS = {
	/** Keys in one secret. */
	maxKeys: 1000,
	/** Default size limit of a values map (bytes of its JSON), lowered further by the store's own. */
	maxValueBytes: 64 * 1024,
	/** Default page size of listings. */
	defaultPageSize: 20,
	/** Largest page size of listings. */
	maxPageSize: 1000,
	/** Longest value of a name filter. */
	maxFilterLength: 255,
	/** Largest page number (keeps offsets in safe integer range). */
	maxPage: 1_000_000,
} as const;

const encoder = new TextEncoder();

/** Size of a values map as every limit measures it: UTF-8 bytes of `JSON.stringify(values)`. */
export function valuesSize(values: SecretValues): number {
	return encoder.encode(JSON.stringify(values)).byteLength;
}

function describe(value: unknown): string {
	if (value === null) return "null";
	if (Array.isArray(value)) return "an array";
	return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function fail(message: string, issues: ValidationIssue[]): never {
	throw new ValidationError(
		issues.length === 1
			? `${message}: ${issues[0]!.path}: ${issues[0]!.message}`
			: `${message} (${issues.length} problems).`,
		issues,
	);
}

/** Checks a secret name; returns a list of problems (empty when valid). */
export function nameIssues(name: unknown, path = "name"): ValidationIssue[] {
	if (typeof name !== "string")
		return [{ path, message: `must be a string, got ${describe(name)}` }];
	if (!NAME_PATTERN.test(name)) {
		return [
			{
				path,
				message:
					name.length === 0 || name.length > 255
						? `must be 1–255 characters long (got ${name.length})`
						: "may only contain letters, digits, '-' and '_'",
			},
		];
	}
	return [];
}

/**
 * Keys that match the pattern but cannot be held as plain object keys: `obj["__proto__"] = v`
 * sets the prototype instead of a key (the value is silently lost), and JSON parsers of
 * HTTP servers refuse it.
 */
export const RESERVED_KEYS: readonly string[] = ["__proto__"];

function keyIssues(key: string, path: string): ValidationIssue[] {
	if (RESERVED_KEYS.includes(key)) return [{ path, message: "key is reserved" }];
	if (!KEY_PATTERN.test(key)) {
		return [
			{
				path,
				message:
					key.length === 0 || key.length > 255
						? `key must be 1–255 characters long (got ${key.length})`
						: "key may only contain letters, digits, '_' and '-'",
			},
		];
	}
	return [];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
	const proto = Object.getPrototypeOf(value);
	return proto === Object.prototype || proto === null;
}

function valuesIssues(values: unknown, allowNull: boolean): ValidationIssue[] {
	if (!isPlainObject(values)) {
		return [
			{ path: "values", message: `must be an object of key → string, got ${describe(values)}` },
		];
	}
	const issues: ValidationIssue[] = [];
	const keys = Object.keys(values);
	if (keys.length > LIMITS.maxKeys) {
		issues.push({
			path: "values",
			message: `has ${keys.length} keys; at most ${LIMITS.maxKeys} are allowed`,
		});
	}
	for (const key of keys) {
		// Key names are not secret, but an invalid "key" may be a pasted value: never echo it.
		const path = KEY_PATTERN.test(key) ? `values.${key}` : `values[${keys.indexOf(key)}]`;
		issues.push(...keyIssues(key, path));
		const value = values[key];
		if (value === null && allowNull) continue;
		if (typeof value !== "string") {
			issues.push({
				path,
				message: allowNull
					? `must be a string or null, got ${describe(value)}`
					: `must be a string, got ${describe(value)}`,
			});
		} else if (!value.isWellFormed()) {
			issues.push({ path, message: "is not well-formed Unicode (lone surrogate)" });
		}
		if (issues.length >= 20) break;
	}
	return issues;
}

/** Validates a full values map (create). */
export function validateValues(values: unknown): asserts values is SecretValues {
	const issues = valuesIssues(values, false);
	if (issues.length > 0) fail("Invalid secret values", issues);
}

/** Validates a values patch (update): `null` removes a key. */
export function validatePatch(values: unknown): asserts values is SecretValuesPatch {
	const issues = valuesIssues(values, true);
	if (issues.length > 0) fail("Invalid secret values", issues);
}

/** Validates a secret name. */
export function validateName(name: unknown, path = "name"): asserts name is string {
	const issues = nameIssues(name, path);
	if (issues.length > 0) fail("Invalid secret name", issues);
}

/** Validates a scope. */
export function scopeIssues(scope: unknown, path = "scope"): ValidationIssue[] {
	return scope === "workspace" || scope === "user"
		? []
		: [{ path, message: `must be "workspace" or "user", got ${describe(scope)}` }];
}

/** Validates a workspace id. */
export function workspaceIssues(workspace: unknown, path = "workspace"): ValidationIssue[] {
	if (typeof workspace !== "string" || !WORKSPACE_PATTERN.test(workspace)) {
		return [{ path, message: "must be 1–64 letters, digits, '-' and '_'" }];
	}
	return [];
}

/** Validates a user id. */
export function userIssues(user: unknown, path = "owner"): ValidationIssue[] {
	if (typeof user !== "string" || !USER_PATTERN.test(user)) {
		return [{ path, message: "must be 1–255 letters, digits and '_-.@:'" }];
	}
	return [];
}

/** Validates a secret id (UUID). */
export function isSecretId(id: unknown): id is string {
	return typeof id === "string" && ID_PATTERN.test(id);
}

/** Validates an `expectedVersion`. */
export function versionIssues(version: unknown, path = "expectedVersion"): ValidationIssue[] {
	if (version === undefined) return [];
	return Number.isSafeInteger(version) && (version as number) >= 0
		? []
		: [{ path, message: "must be a non-negative integer" }];
}

/** Throws `PayloadTooLargeError` when `values` exceed `limit` bytes. */
export function assertSize(values: SecretValues, limit: number, store?: string): void {
	const size = valuesSize(values);
	if (size > limit) {
		throw new PayloadTooLargeError(
			`Secret values are ${size} bytes; the limit is ${limit} bytes${store ? ` (store \`${store}\`)` : ""}.`,
			{ details: { size, limit }, ...(store ? { store } : {}) },
		);
	}
}

/** A listing filter after validation, with defaults applied. */
export interface NormalizedFilter {
	name?: { op: NameOperator; value: string };
	scope?: SecretScope;
	workspace?: string;
	owner?: string;
	createdAfter?: Date;
	createdBefore?: Date;
	updatedAfter?: Date;
	updatedBefore?: Date;
	sortBy: SortField;
	sortOrder: "asc" | "desc";
	page: number;
	size: number;
}

const OPERATORS: readonly NameOperator[] = ["equals", "contains", "startswith", "endswith"];
const SORT_FIELDS: readonly SortField[] = ["name", "createdAt", "updatedAt"];
// ISO 8601 date-time with an explicit zone (Z or ±hh:mm); a bare local time is ambiguous.
const ISO_WITH_ZONE =
	/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

function parseDate(value: unknown, path: string, issues: ValidationIssue[]): Date | undefined {
	if (value === undefined) return undefined;
	if (value instanceof Date) {
		if (Number.isNaN(value.getTime())) issues.push({ path, message: "is an invalid date" });
		return value;
	}
	if (typeof value !== "string" || !ISO_WITH_ZONE.test(value)) {
		issues.push({
			path,
			message: "must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T12:00:00Z",
		});
		return undefined;
	}
	const date = new Date(value);
	// `Date` rolls impossible days over (Feb 31 → Mar 3): check the day against its month.
	const [year, month, day] = value.slice(0, 10).split("-").map(Number) as [number, number, number];
	const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
	if (Number.isNaN(date.getTime()) || day < 1 || day > daysInMonth) {
		issues.push({ path, message: "is not a valid date" });
		return undefined;
	}
	return date;
}

function parseInteger(
	value: unknown,
	path: string,
	min: number,
	max: number,
	issues: ValidationIssue[],
): number | undefined {
	if (value === undefined) return undefined;
	const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
	if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
		issues.push({ path, message: `must be an integer from ${min} to ${max}` });
		return undefined;
	}
	return n;
}

/** Validates a listing filter and applies defaults. Unknown fields are refused. */
export function normalizeFilter(input: SecretFilter = {}): NormalizedFilter {
	const issues: ValidationIssue[] = [];
	if (!isPlainObject(input as unknown))
		fail("Invalid filter", [{ path: "filter", message: "must be an object" }]);
	const filter = input;
	const known = new Set([
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
	]);
	for (const key of Object.keys(filter)) {
		if (!known.has(key))
			issues.push({ path: key.slice(0, 64), message: "is not a known filter field" });
	}
	const out: NormalizedFilter = {
		sortBy: "createdAt",
		sortOrder: "asc",
		page: 1,
		size: LIMITS.defaultPageSize,
	};
	if (filter.name !== undefined) {
		let op: unknown = "equals";
		let value: unknown = filter.name;
		if (typeof filter.name === "string") {
			const colon = filter.name.indexOf(":");
			if (colon > 0 && OPERATORS.includes(filter.name.slice(0, colon) as NameOperator)) {
				op = filter.name.slice(0, colon);
				value = filter.name.slice(colon + 1);
			} else if (colon >= 0) {
				issues.push({ path: "name", message: `operator must be one of ${OPERATORS.join(", ")}` });
			}
		} else if (isPlainObject(filter.name)) {
			op = filter.name.op;
			value = filter.name.value;
		}
		if (!OPERATORS.includes(op as NameOperator)) {
			issues.push({ path: "name.op", message: `must be one of ${OPERATORS.join(", ")}` });
		} else if (
			typeof value !== "string" ||
			value.length === 0 ||
			value.length > LIMITS.maxFilterLength
		) {
			issues.push({
				path: "name",
				message: `filter value must be 1–${LIMITS.maxFilterLength} characters`,
			});
		} else {
			out.name = { op: op as NameOperator, value };
		}
	}
	if (filter.scope !== undefined) {
		const scopeProblems = scopeIssues(filter.scope);
		if (scopeProblems.length > 0) issues.push(...scopeProblems);
		else out.scope = filter.scope;
	}
	if (filter.workspace !== undefined) {
		const problems = workspaceIssues(filter.workspace);
		if (problems.length > 0) issues.push(...problems);
		else out.workspace = filter.workspace;
	}
	if (filter.owner !== undefined) {
		const problems = userIssues(filter.owner);
		if (problems.length > 0) issues.push(...problems);
		else out.owner = filter.owner;
	}
	const createdAfter = parseDate(filter.createdAfter, "createdAfter", issues);
	const createdBefore = parseDate(filter.createdBefore, "createdBefore", issues);
	const updatedAfter = parseDate(filter.updatedAfter, "updatedAfter", issues);
	const updatedBefore = parseDate(filter.updatedBefore, "updatedBefore", issues);
	if (createdAfter) out.createdAfter = createdAfter;
	if (createdBefore) out.createdBefore = createdBefore;
	if (updatedAfter) out.updatedAfter = updatedAfter;
	if (updatedBefore) out.updatedBefore = updatedBefore;
	if (filter.sortBy !== undefined) {
		if (SORT_FIELDS.includes(filter.sortBy)) out.sortBy = filter.sortBy;
		else issues.push({ path: "sortBy", message: `must be one of ${SORT_FIELDS.join(", ")}` });
	}
	if (filter.sortOrder !== undefined) {
		if (filter.sortOrder === "asc" || filter.sortOrder === "desc") out.sortOrder = filter.sortOrder;
		else issues.push({ path: "sortOrder", message: 'must be "asc" or "desc"' });
	}
	const page = parseInteger(filter.page, "page", 1, LIMITS.maxPage, issues);
	const size = parseInteger(filter.size, "size", 1, LIMITS.maxPageSize, issues);
	if (page !== undefined) out.page = page;
	if (size !== undefined) out.size = size;
	if (issues.length > 0) fail("Invalid filter", issues);
	return out;
}
