/**
 * Bounded exponential backoff with full jitter, shared by every store so that
 * throttling and 5xx answers are retried the same way everywhere.
 */
import { StrongboxError } from "./errors.js";

/** Options of {@link withRetry}. */
export interface RetryOptions {
	/** Total attempts, the first included. @default 4 */
	attempts?: number;
	/** Delay before the first retry, before jitter. @default 50 */
	baseDelayMs?: number;
	/** Largest delay between two attempts. @default 2000 */
	maxDelayMs?: number;
	/** Which errors are worth another attempt. @default `error.retryable === true` */
	retryable?: (error: unknown) => boolean;
	/** Called before each retry (for metrics); never passed a value. */
	onRetry?: (attempt: number, error: unknown) => void;
	/** Random source in [0, 1), for tests. @default Math.random */
	random?: () => number;
}

/** Default retry policy: the store's own errors flagged as retryable. */
export function isRetryable(error: unknown): boolean {
	return error instanceof StrongboxError && error.retryable;
}

/** The delay before retry number `attempt` (1-based): uniform in [0, min(max, base·2^(attempt-1))]. */
export function backoffDelay(attempt: number, options: RetryOptions = {}): number {
	const base = options.baseDelayMs ?? 50;
	const max = options.maxDelayMs ?? 2000;
	const ceiling = Math.min(max, base * 2 ** (attempt - 1));
	return Math.floor((options.random ?? Math.random)() * ceiling);
}

/** Runs `fn`, retrying retryable failures with backoff; the last error is rethrown as is. */
export async function withRetry<T>(
	fn: (attempt: number) => Promise<T>,
	options: RetryOptions = {},
): Promise<T> {
	const attempts = Math.max(1, options.attempts ?? 4);
	const retryable = options.retryable ?? isRetryable;
	for (let attempt = 1; ; attempt++) {
		try {
			return await fn(attempt);
		} catch (error) {
			if (attempt >= attempts || !retryable(error)) throw error;
			options.onRetry?.(attempt, error);
			const delay = backoffDelay(attempt, options);
			if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
		}
	}
}
