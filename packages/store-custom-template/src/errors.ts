/**
 * File-system failures as typed Strongbox errors. What "unavailable" means for a file
 * store: the file system cannot serve the call now but may later — the directory is gone
 * (an unmounted volume), the disk is full or read-only, I/O failed, the lock is held too
 * long. Those are `StoreUnavailableError` (retried with backoff). A refused permission is
 * `StorePermissionError`; anything else goes through core's `classifyStoreError`.
 * Messages name paths and operations, never a value.
 */
import { classifyStoreError, StoreUnavailableError, type StrongboxError } from "@strongbox/core";

/** The store type: the `type` of the definition and the prefix of every message. */
export const STORE_TYPE = "custom-template";

/** Message prefix, as core's errors use it. */
export const PREFIX = `[store-${STORE_TYPE}]`;

const UNAVAILABLE_CODES = new Set([
	"ENOENT",
	"ENOTDIR",
	"EIO",
	"ENOSPC",
	"EDQUOT",
	"EROFS",
	"EAGAIN",
	"EBUSY",
	"EMFILE",
	"ENFILE",
	"ESTALE",
	"ETIMEDOUT",
	"ENXIO",
]);

/** The `code` of a Node.js system error, if any. */
export function errnoOf(error: unknown): string | undefined {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === "string" ? code : undefined;
}

/** The store is unavailable for `operation`; `reason` says why in words (no value). */
export function unavailable(operation: string, reason: string, cause?: unknown): StrongboxError {
	return new StoreUnavailableError(`${PREFIX} \`${operation}\` failed: ${reason}.`, {
		store: STORE_TYPE,
		...(cause === undefined ? {} : { cause }),
	});
}

/** Turns a failed file-system call into a typed error. */
export function fsError(error: unknown, operation: string): StrongboxError {
	const code = errnoOf(error);
	if (code !== undefined && UNAVAILABLE_CODES.has(code)) {
		return unavailable(operation, `the store file cannot be reached (${code})`, error);
	}
	return classifyStoreError(error, {
		store: STORE_TYPE,
		operation,
		denied: code === "EACCES" || code === "EPERM",
	});
}
