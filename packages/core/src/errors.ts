/**
 * Error classes with stable codes, mapped once to HTTP statuses and back.
 *
 * Invariant: no message, `details`, `toJSON()` or `cause` of these errors ever holds a
 * secret value, a token or a credential. Causes coming from SDKs are passed through
 * {@link safeCause} first, which keeps only their name, code, status and message.
 */

/** Structured, value-free detail attached to an error (validation issues, missing references...). */
export type ErrorDetails = Record<string, unknown>;

/** Options accepted by every Strongbox error. */
export interface StrongboxErrorOptions {
	/** The underlying error. SDK errors are sanitised with {@link safeCause} before being kept. */
	cause?: unknown;
	/** The store type the error comes from (`aws`, `sql`, ...). */
	store?: string;
	/** Value-free structured detail, returned in HTTP error bodies. */
	details?: ErrorDetails;
}

/** Base class of every Strongbox error. */
export class StrongboxError extends Error {
	/** Stable machine-readable code. Never changes meaning between versions. */
	readonly code: string = "INTERNAL";
	/** HTTP status the server answers with. */
	readonly status: number = 500;
	/** Whether retrying the same call later may succeed. */
	readonly retryable: boolean = false;
	/** The store type the error comes from, when it comes from a store. */
	readonly store: string | undefined;
	readonly details: ErrorDetails | undefined;

	constructor(message: string, options: StrongboxErrorOptions = {}) {
		super(message, options.cause === undefined ? undefined : { cause: safeCause(options.cause) });
		this.name = new.target.name;
		this.store = options.store;
		this.details = options.details;
	}

	/** The shape sent in HTTP error bodies: never a value, never the cause. */
	toJSON(): { name: string; code: string; message: string; details?: ErrorDetails } {
		return {
			name: this.name,
			code: this.code,
			message: this.message,
			...(this.details === undefined ? {} : { details: this.details }),
		};
	}
}

/** No secret with that id or name is visible to the caller (also used for "forbidden" towards outsiders). */
export class SecretNotFoundError extends StrongboxError {
	override readonly code = "SECRET_NOT_FOUND";
	override readonly status = 404;
}

/** A secret with that name already exists in that workspace, scope and owner. */
export class SecretExistsError extends StrongboxError {
	override readonly code = "SECRET_EXISTS";
	override readonly status = 409;
}

/** The secret changed since the version the caller expected (optimistic concurrency). */
export class ConflictError extends StrongboxError {
	override readonly code = "CONFLICT";
	override readonly status = 409;
}

/** One problem found while validating input. */
export interface ValidationIssue {
	/** Dotted path of the offending field (`values.password`, `name`, `options.region`). */
	path: string;
	message: string;
}

/** Input has the wrong shape or breaks a rule. Lists every problem found. */
export class ValidationError extends StrongboxError {
	override readonly code = "VALIDATION_FAILED";
	override readonly status = 400;
	readonly issues: ValidationIssue[];

	constructor(
		message: string,
		issues: ValidationIssue[] = [],
		options: StrongboxErrorOptions = {},
	) {
		super(message, { ...options, details: { ...options.details, issues } });
		this.issues = issues;
	}
}

/** The values are larger than the configured limit or the store's own limit. */
export class PayloadTooLargeError extends StrongboxError {
	override readonly code = "PAYLOAD_TOO_LARGE";
	override readonly status = 413;
}

/** The caller is known but not allowed to do this. */
export class ForbiddenError extends StrongboxError {
	override readonly code = "FORBIDDEN";
	override readonly status = 403;
}

/** The caller could not be authenticated (missing, unknown, expired or revoked token). */
export class AuthError extends StrongboxError {
	override readonly code = "UNAUTHENTICATED";
	override readonly status = 401;
}

/** Too many requests; retry after `retryAfterSeconds`. */
export class RateLimitedError extends StrongboxError {
	override readonly code = "RATE_LIMITED";
	override readonly status = 429;
	override readonly retryable = true;
	readonly retryAfterSeconds: number;

	constructor(message: string, retryAfterSeconds: number, options: StrongboxErrorOptions = {}) {
		super(message, { ...options, details: { ...options.details, retryAfterSeconds } });
		this.retryAfterSeconds = retryAfterSeconds;
	}
}

/** References (`{{name.key}}`) that could not be resolved; `details.missing` names them, never a value. */
export class UnresolvedReferenceError extends StrongboxError {
	override readonly code = "REFERENCE_UNRESOLVED";
	override readonly status = 422;
}

/** Base of the errors raised by a store (back-end) rather than by the caller's input. */
export class StoreError extends StrongboxError {
	override readonly code: string = "STORE_ERROR";
	override readonly status: number = 500;
}

/** The back-end is unreachable, throttling or failing; transient, retried with backoff first. */
export class StoreUnavailableError extends StoreError {
	override readonly code: string = "STORE_UNAVAILABLE";
	override readonly status: number = 503;
	override readonly retryable: boolean = true;
}

/** The store was closed; create a new one. */
export class StoreClosedError extends StoreUnavailableError {
	override readonly code = "STORE_CLOSED";
	override readonly retryable = false;
}

/** The back-end refused Strongbox's own credentials (missing IAM permission, bad token). */
export class StorePermissionError extends StoreError {
	override readonly code = "STORE_PERMISSION_DENIED";
	override readonly status = 502;
}

/** The store is misconfigured: missing package, bad options, wrong encryption key. Raised at start-up. */
export class StoreConfigError extends StoreError {
	override readonly code = "STORE_CONFIG";
	override readonly status = 500;
}

/** Stored data failed its integrity check (tampered, truncated or moved ciphertext). */
export class DecryptionError extends StoreError {
	override readonly code = "DECRYPTION_FAILED";
	override readonly status = 500;
}

/** Every error class by its stable code: how a client turns an HTTP error body back into an error. */
export const errorClasses = {
	INTERNAL: StrongboxError,
	SECRET_NOT_FOUND: SecretNotFoundError,
	SECRET_EXISTS: SecretExistsError,
	CONFLICT: ConflictError,
	VALIDATION_FAILED: ValidationError,
	PAYLOAD_TOO_LARGE: PayloadTooLargeError,
	FORBIDDEN: ForbiddenError,
	UNAUTHENTICATED: AuthError,
	RATE_LIMITED: RateLimitedError,
	REFERENCE_UNRESOLVED: UnresolvedReferenceError,
	STORE_ERROR: StoreError,
	STORE_UNAVAILABLE: StoreUnavailableError,
	STORE_CLOSED: StoreClosedError,
	STORE_PERMISSION_DENIED: StorePermissionError,
	STORE_CONFIG: StoreConfigError,
	DECRYPTION_FAILED: DecryptionError,
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof errorClasses;

/** The JSON body of an HTTP error response. */
export interface ErrorBody {
	error: { code: string; message: string; details?: ErrorDetails; requestId?: string };
}

/**
 * Rebuilds a typed error from an HTTP error body (the client side of the mapping).
 * An unknown code becomes a plain {@link StrongboxError}.
 */
export function errorFromBody(body: unknown, status: number): StrongboxError {
	const error = (body as Partial<ErrorBody> | undefined)?.error;
	const code = typeof error?.code === "string" ? error.code : undefined;
	const message =
		typeof error?.message === "string" ? error.message : `Request failed with status ${status}.`;
	const details =
		error?.details && typeof error.details === "object"
			? (error.details as ErrorDetails)
			: undefined;
	const options = details === undefined ? {} : { details };
	switch (code) {
		case "VALIDATION_FAILED":
			return new ValidationError(
				message,
				Array.isArray(details?.issues) ? (details.issues as ValidationIssue[]) : [],
			);
		case "RATE_LIMITED":
			return new RateLimitedError(message, Number(details?.retryAfterSeconds ?? 1), options);
		default: {
			if (code !== undefined && code in errorClasses) {
				const Cls = errorClasses[code as ErrorCode] as typeof StrongboxError;
				return new Cls(message, options);
			}
			if (status === 404) return new SecretNotFoundError(message, options);
			if (status === 401) return new AuthError(message, options);
			if (status === 403) return new ForbiddenError(message, options);
			if (status === 413) return new PayloadTooLargeError(message, options);
			if (status === 503 || status === 502 || status === 504)
				return new StoreUnavailableError(message, options);
			if (status === 400 || status === 422) return new ValidationError(message, [], options);
			return new StrongboxError(message, options);
		}
	}
}

/** Whether `e` is a Strongbox error. */
export function isStrongboxError(e: unknown): e is StrongboxError {
	return e instanceof StrongboxError;
}

const MAX_CAUSE_MESSAGE = 500;

/**
 * A copy of an error that keeps only what is safe to print: its class name, message,
 * `code`, HTTP status and (recursively, three levels deep) its cause. SDK errors carry
 * request objects, headers and configs (node-vault's axios error holds the Vault token);
 * none of that survives.
 */
export function safeCause(error: unknown, depth = 0): Error {
	if (error instanceof StrongboxError) return error;
	const source = error as {
		name?: unknown;
		message?: unknown;
		code?: unknown;
		status?: unknown;
		statusCode?: unknown;
		$metadata?: { httpStatusCode?: unknown };
		response?: { statusCode?: unknown; status?: unknown };
		cause?: unknown;
	} | null;
	const name = typeof source?.name === "string" ? source.name : "Error";
	let message =
		typeof source?.message === "string"
			? source.message
			: typeof error === "string"
				? error
				: "Unknown error";
	if (message.length > MAX_CAUSE_MESSAGE) message = `${message.slice(0, MAX_CAUSE_MESSAGE)}…`;
	const copy = new Error(message);
	copy.name = name;
	// The stack of the copy would point here; keep the original's, which holds no data.
	const stack = (error as { stack?: unknown } | null)?.stack;
	const frames =
		typeof stack === "string"
			? stack
					.split("\n")
					.filter((line) => line.startsWith("    at "))
					.slice(0, 10)
			: [];
	copy.stack = [`${name}: ${message}`, ...frames].join("\n");
	const code = source?.code;
	if (typeof code === "string" || typeof code === "number") {
		(copy as Error & { code?: string | number }).code = code;
	}
	const status =
		source?.$metadata?.httpStatusCode ??
		source?.statusCode ??
		source?.status ??
		source?.response?.statusCode ??
		source?.response?.status;
	if (typeof status === "number") (copy as Error & { status?: number }).status = status;
	if (source?.cause !== undefined && depth < 3) {
		Object.defineProperty(copy, "cause", {
			value: safeCause(source.cause, depth + 1),
			enumerable: false,
			writable: true,
			configurable: true,
		});
	}
	return copy;
}
