/**
 * Vault failures as typed Strongbox errors, and the per-call runner (retries with
 * backoff, typed errors). The cause kept on each error is the store's own
 * `VaultRequestError` (status, Vault's messages, transport code), never node-vault's.
 */
import {
	classifyStoreError,
	PayloadTooLargeError,
	type RetryOptions,
	StoreConfigError,
	type StrongboxError,
	withRetry,
} from "@strongbox/core";
import { VaultRequestError } from "./client.js";

const STORE = "vault";

// Certificate problems are configuration, not outages: retrying cannot fix them.
const TLS_CODES =
	/^(?:CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|ERR_TLS_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH)/;

/** Turns any failure of a Vault call into a typed error. */
export function toStoreError(error: unknown, operation: string): StrongboxError {
	const prefix = `[store-${STORE}]`;
	if (!(error instanceof VaultRequestError))
		return classifyStoreError(error, { store: STORE, operation });
	const options = { store: STORE, cause: error };
	if (error.status === 404 && error.errors.length > 0) {
		// Vault found no route: the mount (or namespace) does not exist, or is not KV v2.
		return new StoreConfigError(
			`${prefix} Vault has no route for \`${operation}\`: check the \`mount\` (a KV version 2 mount) and \`namespace\` options.`,
			options,
		);
	}
	if (error.status === 413) {
		return new PayloadTooLargeError(`${prefix} Vault refused the values as too large.`, options);
	}
	if (error.status === undefined && error.code !== undefined && TLS_CODES.test(error.code)) {
		return classifyStoreError(error, { store: STORE, operation, misconfigured: true });
	}
	return classifyStoreError(error, {
		store: STORE,
		operation,
		...(error.status === undefined ? {} : { status: error.status }),
		throttled: error.status === 429,
		// A refused AppRole login is a credentials problem, whatever status Vault used.
		denied: operation === "login" && error.status === 400,
	});
}

/** Whether the failure is Vault's "check-and-set parameter did not match" answer. */
export function isCasMismatch(error: unknown): boolean {
	return (
		error instanceof VaultRequestError &&
		error.status === 400 &&
		error.errors.some((m) => m.includes("check-and-set parameter did not match"))
	);
}

/** Runs one back-end call with retries; failures come out typed (except those `keep` lets through). */
export type Attempt = <T>(
	operation: string,
	fn: () => Promise<T>,
	keep?: (error: unknown) => boolean,
) => Promise<T>;

/** The runner every call goes through. */
export function makeAttempt(retry: RetryOptions): Attempt {
	return (operation, fn, keep) =>
		withRetry(async () => {
			try {
				return await fn();
			} catch (error) {
				if (keep?.(error)) throw error;
				throw toStoreError(error, operation);
			}
		}, retry);
}
