import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
	AuthError,
	ConflictError,
	DecryptionError,
	type ErrorCode,
	errorClasses,
	errorFromBody,
	ForbiddenError,
	isStrongboxError,
	PayloadTooLargeError,
	RateLimitedError,
	SecretExistsError,
	SecretNotFoundError,
	StoreClosedError,
	StoreConfigError,
	StoreError,
	StorePermissionError,
	StoreUnavailableError,
	StrongboxError,
	safeCause,
	UnresolvedReferenceError,
	ValidationError,
} from "./errors.js";

const TOKEN = "hvs.CAESIsbcanaryVaultToken0123456789";
const PASSWORD = "sbcanary-password-4f1e";

/** One instance of every class, built with its own constructor signature. */
function instanceOf(code: ErrorCode): StrongboxError {
	const details = { reason: "test" };
	switch (code) {
		case "VALIDATION_FAILED":
			return new ValidationError("Invalid input: name: bad", [{ path: "name", message: "bad" }]);
		case "RATE_LIMITED":
			return new RateLimitedError("Slow down.", 7);
		default:
			return new (errorClasses[code] as typeof StrongboxError)(`A ${code} error.`, { details });
	}
}

describe("error classes", () => {
	it.each([
		[StrongboxError, "INTERNAL", 500, false],
		[SecretNotFoundError, "SECRET_NOT_FOUND", 404, false],
		[SecretExistsError, "SECRET_EXISTS", 409, false],
		[ConflictError, "CONFLICT", 409, false],
		[ValidationError, "VALIDATION_FAILED", 400, false],
		[PayloadTooLargeError, "PAYLOAD_TOO_LARGE", 413, false],
		[ForbiddenError, "FORBIDDEN", 403, false],
		[AuthError, "UNAUTHENTICATED", 401, false],
		[RateLimitedError, "RATE_LIMITED", 429, true],
		[UnresolvedReferenceError, "REFERENCE_UNRESOLVED", 422, false],
		[StoreError, "STORE_ERROR", 500, false],
		[StoreUnavailableError, "STORE_UNAVAILABLE", 503, true],
		[StoreClosedError, "STORE_CLOSED", 503, false],
		[StorePermissionError, "STORE_PERMISSION_DENIED", 502, false],
		[StoreConfigError, "STORE_CONFIG", 500, false],
		[DecryptionError, "DECRYPTION_FAILED", 500, false],
	] as const)("%o has code %s, status %i, retryable %s", (Cls, code, status, retryable) => {
		const e = instanceOf(code);
		expect(e).toBeInstanceOf(Cls);
		expect(e).toBeInstanceOf(StrongboxError);
		expect(e).toBeInstanceOf(Error);
		expect(isStrongboxError(e)).toBe(true);
		expect(e).toMatchObject({ code, status, retryable, name: Cls.name });
		expect(errorClasses[code]).toBe(Cls);
	});

	it("store errors share a base, and a closed store is unavailable but not worth retrying", () => {
		for (const Cls of [
			StoreUnavailableError,
			StoreClosedError,
			StorePermissionError,
			StoreConfigError,
			DecryptionError,
		]) {
			expect(new Cls("x")).toBeInstanceOf(StoreError);
		}
		expect(new StoreClosedError("x")).toBeInstanceOf(StoreUnavailableError);
		expect(isStrongboxError(new Error("x"))).toBe(false);
	});

	it("each class's code is its key in errorClasses (so codes are distinct)", () => {
		for (const code of Object.keys(errorClasses) as ErrorCode[])
			expect(instanceOf(code).code).toBe(code);
	});

	it("toJSON has name, code, message and details; never the cause or the stack", () => {
		const e = new StoreUnavailableError("[store-aws] The back-end is unavailable.", {
			store: "aws",
			details: { operation: "get" },
			cause: new Error(`connect failed for ${PASSWORD}`),
		});
		expect(e.toJSON()).toEqual({
			name: "StoreUnavailableError",
			code: "STORE_UNAVAILABLE",
			message: "[store-aws] The back-end is unavailable.",
			details: { operation: "get" },
		});
		expect(JSON.stringify(e)).not.toContain(PASSWORD);
		expect(e.store).toBe("aws");
		expect(new ConflictError("x").toJSON()).not.toHaveProperty("details");
	});

	it("ValidationError and RateLimitedError carry their issues and delay in details", () => {
		const v = new ValidationError("bad", [{ path: "name", message: "too long" }], {
			details: { extra: 1 },
		});
		expect(v.details).toEqual({ extra: 1, issues: [{ path: "name", message: "too long" }] });
		expect(new RateLimitedError("slow", 3).details).toEqual({ retryAfterSeconds: 3 });
	});
});

describe("errorFromBody", () => {
	it.each(Object.keys(errorClasses) as ErrorCode[])(
		"round-trips %s through an HTTP body",
		(code) => {
			const original = instanceOf(code);
			const body = JSON.parse(JSON.stringify({ error: original }));
			const back = errorFromBody(body, original.status);
			expect(back).toBeInstanceOf(original.constructor);
			expect(back.constructor).toBe(original.constructor);
			expect(back).toMatchObject({
				code,
				status: original.status,
				message: original.message,
				name: original.name,
			});
			expect(back.details).toEqual(original.details);
			if (back instanceof ValidationError)
				expect(back.issues).toEqual([{ path: "name", message: "bad" }]);
			if (back instanceof RateLimitedError) expect(back.retryAfterSeconds).toBe(7);
		},
	);

	it.each([
		[404, SecretNotFoundError],
		[401, AuthError],
		[403, ForbiddenError],
		[413, PayloadTooLargeError],
		[502, StoreUnavailableError],
		[503, StoreUnavailableError],
		[504, StoreUnavailableError],
		[400, ValidationError],
		[422, ValidationError],
		[500, StrongboxError],
		[418, StrongboxError],
	] as const)("falls back on status %i without a known code", (status, Cls) => {
		const back = errorFromBody({ error: { code: "SOMETHING_NEW", message: "Nope." } }, status);
		expect(back.constructor).toBe(Cls);
		expect(back.message).toBe("Nope.");
	});

	it("survives bodies that are not error bodies", () => {
		for (const body of [
			undefined,
			null,
			"Bad Gateway",
			42,
			{ error: "x" },
			{ error: { code: 5, message: 6 } },
		]) {
			const e = errorFromBody(body, 502);
			expect(e).toBeInstanceOf(StoreUnavailableError);
			expect(e.message).toBe("Request failed with status 502.");
		}
	});
});

/** An error shaped like the one axios (node-vault) throws: config, request and response with the token. */
function axiosError(): Error {
	const headers = { "X-Vault-Token": TOKEN, "Content-Type": "application/json" };
	const error = Object.assign(new Error("Request failed with status code 403"), {
		name: "AxiosError",
		code: "ERR_BAD_REQUEST",
		isAxiosError: true,
		config: {
			url: "https://vault:8200/v1/secret/data/x",
			method: "post",
			headers,
			data: JSON.stringify({ data: { password: PASSWORD } }),
		},
		request: { _header: `POST /v1/secret/data/x HTTP/1.1\r\nX-Vault-Token: ${TOKEN}\r\n`, headers },
		response: {
			status: 403,
			statusText: "Forbidden",
			headers: {},
			data: { errors: ["permission denied"] },
			config: { headers },
		},
		// axios serialises its config (headers included) in toJSON.
		toJSON(): unknown {
			return { message: "Request failed with status code 403", config: { headers } };
		},
	});
	return error;
}

function everything(value: unknown): string {
	return [
		String(value),
		JSON.stringify(value),
		inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
		(value as Error).stack ?? "",
	].join("\n");
}

describe("safeCause", () => {
	it("drops request, config and headers: the token is nowhere in the wrapped error", () => {
		const wrapped = new StoreError("[store-vault] `set` failed.", {
			store: "vault",
			cause: axiosError(),
		});
		const text = everything(wrapped) + everything(wrapped.cause);
		expect(text).not.toContain(TOKEN);
		expect(text).not.toContain(PASSWORD);
		const cause = wrapped.cause as Error & { code?: string; status?: number };
		expect(cause).toBeInstanceOf(Error);
		expect(cause).toMatchObject({
			name: "AxiosError",
			message: "Request failed with status code 403",
			code: "ERR_BAD_REQUEST",
			status: 403,
		});
		expect(Object.keys(cause)).not.toContain("config");
		expect(cause).not.toHaveProperty("request");
		expect(cause).not.toHaveProperty("response");
	});

	it("keeps the status of AWS SDK errors and the original stack frames", () => {
		const aws = Object.assign(new Error("Rate exceeded"), {
			name: "ThrottlingException",
			$metadata: { httpStatusCode: 400, requestId: "r-1" },
			$response: { headers: { authorization: `AWS4-HMAC-SHA256 Credential=${TOKEN}` } },
		});
		const safe = safeCause(aws) as Error & { status?: number };
		expect(safe).toMatchObject({ name: "ThrottlingException", status: 400 });
		expect(everything(safe)).not.toContain(TOKEN);
		expect(safe.stack).toMatch(/^ThrottlingException: Rate exceeded\n {4}at /);
	});

	it("sanitises the cause chain three levels deep and stops there", () => {
		let inner: Error = axiosError();
		for (let i = 0; i < 5; i++) inner = new Error(`level ${i}`, { cause: inner });
		const safe = safeCause(inner);
		expect(everything(safe)).not.toContain(TOKEN);
		let depth = 0;
		for (let e: unknown = safe; e; e = (e as Error).cause) depth++;
		expect(depth).toBe(4);
	});

	it("truncates long messages and accepts anything thrown", () => {
		expect(safeCause(new Error("x".repeat(2000))).message).toHaveLength(501);
		expect(safeCause("plain string").message).toBe("plain string");
		expect(safeCause(null).message).toBe("Unknown error");
		expect(safeCause(42).message).toBe("Unknown error");
		expect(safeCause({ message: "object", code: 7 })).toMatchObject({ message: "object", code: 7 });
	});

	it("keeps Strongbox errors as they are", () => {
		const e = new ConflictError("x");
		expect(safeCause(e)).toBe(e);
		expect(new StoreError("y", { cause: e }).cause).toBe(e);
	});
});
