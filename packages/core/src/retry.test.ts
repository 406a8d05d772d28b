import { describe, expect, it } from "vitest";
import { ConflictError, StoreUnavailableError } from "./errors.js";
import { backoffDelay, isRetryable, withRetry } from "./retry.js";

describe("backoffDelay", () => {
	it("grows exponentially from the base and is capped", () => {
		const top = { random: () => 0.999_999 };
		expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(a, top))).toEqual([
			49, 99, 199, 399, 799, 1599, 1999,
		]);
		expect(backoffDelay(40, top)).toBe(1999);
		expect(backoffDelay(3, { ...top, baseDelayMs: 10, maxDelayMs: 25 })).toBe(24);
	});

	it("is fully jittered between 0 and the ceiling", () => {
		expect(backoffDelay(5, { random: () => 0 })).toBe(0);
		expect(backoffDelay(2, { random: () => 0.5 })).toBe(50);
		for (let i = 0; i < 100; i++) {
			const d = backoffDelay(3);
			expect(d).toBeGreaterThanOrEqual(0);
			expect(d).toBeLessThan(200);
		}
	});
});

describe("withRetry", () => {
	const noWait = { random: () => 0 };

	it("retries retryable failures and returns the first success", async () => {
		const seen: number[] = [];
		const retries: number[] = [];
		const result = await withRetry(
			async (attempt) => {
				seen.push(attempt);
				if (attempt < 3) throw new StoreUnavailableError("down");
				return "ok";
			},
			{ ...noWait, onRetry: (attempt) => retries.push(attempt) },
		);
		expect(result).toBe("ok");
		expect(seen).toEqual([1, 2, 3]);
		expect(retries).toEqual([1, 2]);
	});

	it("rethrows a non-retryable error at once, as is", async () => {
		const error = new ConflictError("no");
		let calls = 0;
		await expect(
			withRetry(async () => {
				calls++;
				throw error;
			}, noWait),
		).rejects.toBe(error);
		expect(calls).toBe(1);
	});

	it("gives up after the attempts and rethrows the last error", async () => {
		let calls = 0;
		const last = await withRetry(
			async () => {
				calls++;
				throw new StoreUnavailableError(`failure ${calls}`);
			},
			{ ...noWait, attempts: 3 },
		).catch((e: Error) => e);
		expect(calls).toBe(3);
		expect((last as Error).message).toBe("failure 3");
	});

	it("makes at least one attempt and honours a custom retryable", async () => {
		let calls = 0;
		await expect(
			withRetry(
				async () => {
					calls++;
					throw new Error("ECONNRESET");
				},
				{ ...noWait, attempts: 0 },
			),
		).rejects.toThrow("ECONNRESET");
		expect(calls).toBe(1);
		calls = 0;
		await expect(
			withRetry(
				async () => {
					calls++;
					throw new Error("ECONNRESET");
				},
				{ ...noWait, retryable: (e) => (e as Error).message === "ECONNRESET" },
			),
		).rejects.toThrow();
		expect(calls).toBe(4);
	});

	it("waits between attempts when the jitter says so (a few ms)", async () => {
		let calls = 0;
		await withRetry(
			async () => {
				if (++calls < 2) throw new StoreUnavailableError("down");
			},
			{ baseDelayMs: 2, random: () => 0.99 },
		);
		expect(calls).toBe(2);
	});

	it("by default retries exactly the errors flagged retryable", () => {
		expect(isRetryable(new StoreUnavailableError("x"))).toBe(true);
		expect(isRetryable(new ConflictError("x"))).toBe(false);
		expect(isRetryable(new Error("x"))).toBe(false);
	});
});
