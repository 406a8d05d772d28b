/**
 * One mapping from back-end failures to typed errors, shared by every store: a store
 * reads the status or code off its SDK's error and lets this decide the class. An
 * authentication or network failure is never reported as "not found".
 */
import {
	StoreConfigError,
	StoreError,
	StorePermissionError,
	StoreUnavailableError,
	StrongboxError,
} from "./errors.js";

const NETWORK_CODES = new Set([
	"ECONNREFUSED",
	"ECONNRESET",
	"ECONNABORTED",
	"EPIPE",
	"ETIMEDOUT",
	"ESOCKETTIMEDOUT",
	"EHOSTUNREACH",
	"ENETUNREACH",
	"ENOTFOUND",
	"EAI_AGAIN",
	"UND_ERR_SOCKET",
	"UND_ERR_CONNECT_TIMEOUT",
	"ERR_SOCKET_CONNECTION_TIMEOUT",
]);

/** Whether an error (or one of its causes) is a connection-level failure. */
export function isNetworkError(error: unknown, depth = 0): boolean {
	const e = error as { code?: unknown; name?: unknown; cause?: unknown } | null;
	if (!e || typeof e !== "object") return false;
	if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) return true;
	if (e.name === "TimeoutError" || e.name === "AbortError") return true;
	return depth < 4 && e.cause !== undefined && isNetworkError(e.cause, depth + 1);
}

/** What a store knows about a failed back-end call. */
export interface FailureInfo {
	/** The store type, for the message prefix. */
	store: string;
	/** The operation, for the message (`get`, `set`...). */
	operation: string;
	/** HTTP status of the answer, if any. */
	status?: number;
	/** The back-end said it throttled (`ThrottlingException`, `RESOURCE_EXHAUSTED`, 429). */
	throttled?: boolean;
	/** The back-end refused the credentials or the permission. */
	denied?: boolean;
	/** The failure is a configuration problem (bad region, bad vault URL, bad credentials format). */
	misconfigured?: boolean;
}

/**
 * Turns a back-end failure into a typed Strongbox error, keeping the original as a
 * sanitised `cause`. Strongbox errors pass through unchanged.
 */
export function classifyStoreError(error: unknown, info: FailureInfo): StrongboxError {
	if (error instanceof StrongboxError) return error;
	const prefix = `[store-${info.store}]`;
	const options = { store: info.store, cause: error };
	const status = info.status;
	if (info.misconfigured) {
		return new StoreConfigError(
			`${prefix} \`${info.operation}\` failed: the store is misconfigured.`,
			options,
		);
	}
	if (info.denied || status === 401 || status === 403) {
		return new StorePermissionError(
			`${prefix} The back-end refused \`${info.operation}\`: check the credentials and permissions in this store's README.`,
			options,
		);
	}
	if (info.throttled || status === 429) {
		return new StoreUnavailableError(
			`${prefix} The back-end is throttling \`${info.operation}\`; retry later.`,
			options,
		);
	}
	if (isNetworkError(error) || status === 408 || (status !== undefined && status >= 500)) {
		return new StoreUnavailableError(
			`${prefix} The back-end is unavailable for \`${info.operation}\`.`,
			options,
		);
	}
	return new StoreError(`${prefix} \`${info.operation}\` failed.`, options);
}
