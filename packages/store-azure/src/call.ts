/**
 * Every back-end call goes through here: a time limit per attempt, core's bounded
 * exponential backoff with full jitter for throttling, 5xx, timeouts and dropped
 * connections, a throttled answer's `Retry-After` honoured up to `maxDelayMs`, and typed
 * errors. The SDK's own retries are off, so this is the only retry policy.
 */
import { withRetry } from "@strongbox/core";
import { type AzureFailure, readFailure, toStoreError } from "./errors.js";
import type { ResolvedAzureStoreOptions } from "./options.js";

/** Lets a caller turn an expected failure (a 404, a 409) into a value instead of an error. */
export type FailureHandler<T> = (failure: AzureFailure) => { value: T } | undefined;

/** Runs one back-end operation with retries and a time limit per attempt. */
export type Call = <T>(
	operation: string,
	fn: (abortSignal: AbortSignal) => Promise<T>,
	handle?: FailureHandler<T>,
) => Promise<T>;

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Creates the call wrapper for a store's retry and timeout options. */
export function createCall(options: Pick<ResolvedAzureStoreOptions, "retry" | "timeoutMs">): Call {
	const { attempts, baseDelayMs, maxDelayMs } = options.retry;
	return async (operation, fn, handle) => {
		let retryAfterMs = 0;
		return withRetry(
			async () => {
				if (retryAfterMs > 0) {
					const wait = retryAfterMs;
					retryAfterMs = 0;
					await sleep(wait);
				}
				try {
					return await fn(AbortSignal.timeout(options.timeoutMs));
				} catch (error) {
					const failure = readFailure(error);
					const handled = handle?.(failure);
					if (handled) return handled.value;
					const typed = toStoreError(error, operation);
					if (typed.retryable && failure.retryAfterMs !== undefined) {
						retryAfterMs = Math.min(failure.retryAfterMs, maxDelayMs);
					}
					throw typed;
				}
			},
			{ attempts, baseDelayMs, maxDelayMs },
		);
	};
}

/**
 * Polls `check` every `intervalMs` until it returns a value, for at most `timeoutMs`;
 * `undefined` when time ran out.
 */
export async function pollUntil<T>(
	check: () => Promise<T | undefined>,
	intervalMs: number,
	timeoutMs: number,
): Promise<T | undefined> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() + intervalMs > deadline) return undefined;
		await sleep(intervalMs);
	}
}

/**
 * `promise`, or the signal's reason once it aborts: the SDK does not pass an abort signal
 * to the requests of a listing's later pages, so their time limit is enforced here.
 */
export function within<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
	if (signal.aborted) return Promise.reject(signal.reason);
	return new Promise<T>((resolve, reject) => {
		const onAbort = () => reject(signal.reason);
		signal.addEventListener("abort", onAbort, { once: true });
		promise.then(
			(value) => {
				signal.removeEventListener("abort", onAbort);
				resolve(value);
			},
			(error: unknown) => {
				signal.removeEventListener("abort", onAbort);
				reject(error);
			},
		);
	});
}
