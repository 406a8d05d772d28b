import { describe, expect, it } from "vitest";
import { classifyStoreError, isNetworkError } from "./classify.js";
import {
	ConflictError,
	StoreConfigError,
	StoreError,
	StorePermissionError,
	StoreUnavailableError,
} from "./errors.js";

const info = { store: "aws", operation: "get" };

describe("classifyStoreError", () => {
	it.each([
		[{ status: 401 }, StorePermissionError],
		[{ status: 403 }, StorePermissionError],
		[{ denied: true }, StorePermissionError],
		[{ status: 429 }, StoreUnavailableError],
		[{ throttled: true }, StoreUnavailableError],
		[{ status: 408 }, StoreUnavailableError],
		[{ status: 500 }, StoreUnavailableError],
		[{ status: 503 }, StoreUnavailableError],
		[{ misconfigured: true, status: 403 }, StoreConfigError],
		[{ status: 400 }, StoreError],
		[{ status: 404 }, StoreError],
		[{}, StoreError],
	])("%o → %o", (extra, Cls) => {
		const e = classifyStoreError(new Error("boom"), { ...info, ...extra });
		expect(e.constructor).toBe(Cls);
		expect(e.store).toBe("aws");
		expect(e.message).toMatch(/^\[store-aws\] /);
		expect((e.cause as Error).message).toBe("boom");
	});

	it("network failures are unavailable, never not found", () => {
		for (const code of ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "UND_ERR_SOCKET"]) {
			expect(classifyStoreError(Object.assign(new Error("x"), { code }), info)).toBeInstanceOf(
				StoreUnavailableError,
			);
		}
		const nested = new Error("fetch failed", {
			cause: Object.assign(new Error("x"), { code: "ECONNRESET" }),
		});
		expect(isNetworkError(nested)).toBe(true);
		expect(isNetworkError(Object.assign(new Error("x"), { name: "TimeoutError" }))).toBe(true);
		expect(isNetworkError(new Error("x"))).toBe(false);
		expect(isNetworkError(null)).toBe(false);
	});

	it("passes Strongbox errors through", () => {
		const conflict = new ConflictError("x");
		expect(classifyStoreError(conflict, { ...info, status: 500 })).toBe(conflict);
	});
});
