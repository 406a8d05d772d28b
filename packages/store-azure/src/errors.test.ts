import { inspect } from "node:util";
import {
	PayloadTooLargeError,
	StoreConfigError,
	StoreError,
	StorePermissionError,
	StoreUnavailableError,
} from "@strongbox/core";
import { describe, expect, it } from "vitest";
import { readFailure, toStoreError } from "./errors.js";

/** The shape of the SDK's RestError, as data. */
function restError(
	statusCode: number | undefined,
	code: string,
	inner?: string,
	retryAfter?: string,
) {
	return Object.assign(new Error(`${code} happened`), {
		name: "RestError",
		statusCode,
		code,
		details: inner === undefined ? undefined : { error: { code, innerError: { code: inner } } },
		response: {
			headers: { get: (name: string) => (name === "retry-after" ? retryAfter : undefined) },
		},
		request: { method: "PUT", headers: { authorization: "Bearer secret-token" } },
	});
}

describe("reading SDK errors", () => {
	it("reads status, codes, method and Retry-After (seconds or HTTP date)", () => {
		expect(readFailure(restError(429, "Throttled", undefined, "3"))).toEqual({
			status: 429,
			code: "Throttled",
			inner: undefined,
			retryAfterMs: 3000,
			method: "PUT",
		});
		const date = new Date(Date.now() + 60_000).toUTCString();
		expect(
			readFailure(restError(503, "ServiceUnavailable", undefined, date)).retryAfterMs,
		).toBeGreaterThan(1000);
		expect(readFailure(restError(409, "Conflict", "ObjectIsDeletedButRecoverable")).inner).toBe(
			"ObjectIsDeletedButRecoverable",
		);
		expect(readFailure(null)).toMatchObject({ status: undefined, code: undefined });
	});

	it("maps each failure to its typed error", () => {
		const cases: [unknown, abstract new (...args: never[]) => Error][] = [
			[restError(429, "Throttled"), StoreUnavailableError],
			[restError(503, "ServiceUnavailable"), StoreUnavailableError],
			[restError(undefined, "ECONNRESET"), StoreUnavailableError],
			[Object.assign(new Error("aborted"), { name: "AbortError" }), StoreUnavailableError],
			[restError(401, "Unauthorized"), StorePermissionError],
			[restError(403, "Forbidden", "ForbiddenByRbac"), StorePermissionError],
			[restError(403, "Forbidden", "SecretDisabled"), StoreError],
			[restError(400, "BadParameter", "SecretTooLarge"), PayloadTooLargeError],
			[restError(undefined, "UNABLE_TO_VERIFY_LEAF_SIGNATURE"), StoreConfigError],
			[restError(409, "Conflict"), StoreError],
		];
		for (const [error, type] of cases) expect(toStoreError(error, "get")).toBeInstanceOf(type);
		expect(toStoreError(restError(403, "Forbidden", "SecretDisabled"), "get")).not.toBeInstanceOf(
			StorePermissionError,
		);
	});

	it("keeps no request (with its bearer token) in the typed error", () => {
		const typed = toStoreError(restError(500, "InternalServerError"), "set");
		expect(JSON.stringify(typed)).not.toContain("secret-token");
		expect(inspect(typed, { depth: Infinity, showHidden: true })).not.toContain("secret-token");
	});
});
