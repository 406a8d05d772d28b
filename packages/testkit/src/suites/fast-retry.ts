/**
 * The retry policy of stores under test against an emulator.
 */
import type { RetryOptions } from "@strongbox/core";

/**
 * The production number of attempts (4) with millisecond delays: fault tests run the
 * same retry paths as production without waiting for them. Pass it as a store's `retry`
 * option.
 */
export const FAST_RETRY: Readonly<
	Required<Pick<RetryOptions, "attempts" | "baseDelayMs" | "maxDelayMs">>
> = Object.freeze({ attempts: 4, baseDelayMs: 1, maxDelayMs: 5 });
