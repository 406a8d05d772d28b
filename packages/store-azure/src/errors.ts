/**
 * Reads what the Azure SDK's errors say (HTTP status, service code, inner code,
 * `Retry-After`) and turns them into Strongbox's typed errors. The SDK's `RestError` keeps
 * the request (with its bearer token) on the object: only core's `safeCause` copy of it
 * ever leaves this package.
 */
import {
	classifyStoreError,
	PayloadTooLargeError,
	StoreConfigError,
	StoreError,
	type StrongboxError,
} from "@strongbox/core";

/** Store type, for messages. */
export const STORE = "azure";

/** What an SDK failure says. */
export interface AzureFailure {
	/** HTTP status of the answer; `undefined` when there was none (network, abort). */
	status: number | undefined;
	/** Key Vault's error code (`SecretNotFound`, `Conflict`, `Forbidden`...) or a Node error code. */
	code: string | undefined;
	/** Key Vault's inner error code (`ObjectIsDeletedButRecoverable`, `SecretDisabled`...). */
	inner: string | undefined;
	/** `Retry-After` of a throttled answer, in milliseconds. */
	retryAfterMs: number | undefined;
	/** HTTP method of the request that failed. */
	method: string | undefined;
}

// Node's TLS verification failures: a wrong or missing `tlsOptions.ca`, not an outage.
const TLS_CODES = new Set([
	"UNABLE_TO_VERIFY_LEAF_SIGNATURE",
	"SELF_SIGNED_CERT_IN_CHAIN",
	"DEPTH_ZERO_SELF_SIGNED_CERT",
	"UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
	"CERT_HAS_EXPIRED",
	"ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Reads an SDK error without keeping it. */
export function readFailure(error: unknown): AzureFailure {
	const e = error as {
		statusCode?: unknown;
		code?: unknown;
		details?: { error?: { innerError?: { code?: unknown }; innererror?: { code?: unknown } } };
		response?: { headers?: { get?(name: string): string | undefined } };
		request?: { method?: unknown };
	} | null;
	const inner = e?.details?.error?.innerError?.code ?? e?.details?.error?.innererror?.code;
	let retryAfterMs: number | undefined;
	const header = e?.response?.headers?.get?.("retry-after");
	if (typeof header === "string" && header.trim() !== "") {
		const seconds = Number(header);
		retryAfterMs = Number.isFinite(seconds)
			? seconds * 1000
			: Math.max(0, Date.parse(header) - Date.now()) || undefined;
	}
	return {
		status: typeof e?.statusCode === "number" ? e.statusCode : undefined,
		code: typeof e?.code === "string" ? e.code : undefined,
		inner: typeof inner === "string" ? inner : undefined,
		retryAfterMs,
		method: typeof e?.request?.method === "string" ? e.request.method : undefined,
	};
}

/** Turns an SDK failure into a typed Strongbox error (the original, sanitised, as `cause`). */
export function toStoreError(error: unknown, operation: string): StrongboxError {
	const failure = readFailure(error);
	const name = (error as { name?: unknown } | null)?.name;
	const options = { store: STORE, cause: error };
	if (failure.inner === "SecretDisabled") {
		return new StoreError(
			`[store-${STORE}] \`${operation}\` failed: the Key Vault secret is disabled. Enable its latest version to use it again.`,
			{ ...options, details: { reason: "secret-disabled" } },
		);
	}
	if (failure.inner === "SecretTooLarge") {
		return new PayloadTooLargeError(
			`[store-${STORE}] Key Vault refused the value as too large (its limit is 25,600 bytes).`,
			options,
		);
	}
	if (failure.code !== undefined && TLS_CODES.has(failure.code)) {
		return new StoreConfigError(
			`[store-${STORE}] The vault's TLS certificate is not trusted; for a private CA set \`tlsOptions.ca\`.`,
			options,
		);
	}
	if (name === "CredentialUnavailableError") {
		return new StoreConfigError(
			`[store-${STORE}] No Azure credential is available: set \`credential\`, \`clientSecret\` or \`managedIdentity\`, or the environment DefaultAzureCredential reads (see the README).`,
			options,
		);
	}
	return classifyStoreError(error, {
		store: STORE,
		operation,
		...(failure.status === undefined ? {} : { status: failure.status }),
		// A token the identity platform refuses is a credentials problem, whatever its status.
		...(name === "AuthenticationError" || name === "AggregateAuthenticationError"
			? { denied: true }
			: {}),
	});
}
