/**
 * Request validation with zod, reported as core `ValidationError`s. Messages are built
 * here from the issue kind, never taken from the input: a request body is where values
 * live, and an unexpected field name may be a pasted secret.
 */
import { ValidationError, type ValidationIssue } from "@strongbox/core";
import type { z } from "zod";

const SAFE_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_ISSUES = 20;

function pathOf(path: readonly PropertyKey[], extra?: string): string {
	const parts = path.map((segment) => {
		if (typeof segment === "number") return `[${segment}]`;
		const text = String(segment);
		return SAFE_SEGMENT.test(text) ? text : "[?]";
	});
	if (extra !== undefined) parts.push(SAFE_SEGMENT.test(extra) ? extra : "[?]");
	return parts.join(".").replace(/\.\[/g, "[") || "(body)";
}

function messageOf(issue: z.core.$ZodIssue): string {
	switch (issue.code) {
		case "invalid_type":
			if (issue.expected === "nonoptional") return "is required";
			return `must be ${issue.expected === "object" ? "an object" : issue.expected === "array" ? "an array" : `a ${issue.expected}`}`;
		case "too_big":
			return issue.origin === "string"
				? `must be at most ${issue.maximum} characters`
				: issue.origin === "array"
					? `must hold at most ${issue.maximum} items`
					: `must be at most ${issue.maximum}`;
		case "too_small":
			return issue.origin === "string"
				? `must be at least ${issue.minimum} character${issue.minimum === 1 ? "" : "s"}`
				: issue.origin === "array"
					? `must hold at least ${issue.minimum} item${issue.minimum === 1 ? "" : "s"}`
					: `must be at least ${issue.minimum}`;
		case "invalid_value":
			return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
		case "invalid_format":
			return `must be a valid ${issue.format}`;
		case "invalid_union":
			return "has an invalid type";
		case "not_multiple_of":
			return "must be an integer";
		default:
			// Custom refinements carry messages written in this package.
			return issue.message;
	}
}

/** zod issues as value-free validation issues. */
export function toIssues(error: z.ZodError): ValidationIssue[] {
	const issues: ValidationIssue[] = [];
	for (const issue of error.issues) {
		if (issue.code === "unrecognized_keys") {
			for (const key of issue.keys)
				issues.push({ path: pathOf(issue.path, key), message: "is not a known field" });
		} else if (issue.code === "invalid_key") {
			issues.push({ path: pathOf(issue.path), message: "has an invalid key" });
		} else {
			issues.push({ path: pathOf(issue.path), message: messageOf(issue) });
		}
		if (issues.length >= MAX_ISSUES) break;
	}
	return issues;
}

/** Parses `data` with `schema`, or throws a `ValidationError` naming `what`. */
export function parseInput<S extends z.ZodType>(
	schema: S,
	data: unknown,
	what: string,
): z.output<S> {
	const result = schema.safeParse(data);
	if (result.success) return result.data;
	const issues = toIssues(result.error);
	throw new ValidationError(
		issues.length === 1
			? `Invalid ${what}: ${issues[0]!.path}: ${issues[0]!.message}`
			: `Invalid ${what} (${issues.length} problems).`,
		issues,
	);
}
