/**
 * The SDK glue: loading `@google-cloud/secret-manager` lazily (it takes ~150 ms to
 * import), building a client from the options, and running each back-end call with the
 * SDK's own retries off, a per-attempt timeout, core's `withRetry`, and one mapping of
 * gRPC failures to typed errors.
 */
import type { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import {
	classifyStoreError,
	isNetworkError,
	type StrongboxError,
	withRetry,
} from "@strongbox/core";
import { serviceAccountClient } from "./auth.js";
import type { GcpStoreOptions } from "./options.js";

/** The part of `SecretManagerServiceClient` the store uses (an injected client needs only these). */
export type SecretManagerClient = Pick<
	SecretManagerServiceClient,
	| "createSecret"
	| "getSecret"
	| "deleteSecret"
	| "listSecrets"
	| "addSecretVersion"
	| "accessSecretVersion"
	| "listSecretVersions"
	| "destroySecretVersion"
	| "disableSecretVersion"
	| "close"
>;

/** gRPC status codes the store looks at. */
export const Code = {
	CANCELLED: 1,
	UNKNOWN: 2,
	INVALID_ARGUMENT: 3,
	DEADLINE_EXCEEDED: 4,
	NOT_FOUND: 5,
	ALREADY_EXISTS: 6,
	PERMISSION_DENIED: 7,
	RESOURCE_EXHAUSTED: 8,
	FAILED_PRECONDITION: 9,
	ABORTED: 10,
	UNIMPLEMENTED: 12,
	INTERNAL: 13,
	UNAVAILABLE: 14,
	UNAUTHENTICATED: 16,
} as const;

const TRANSIENT = new Set<number>([
	Code.CANCELLED,
	Code.UNKNOWN,
	Code.DEADLINE_EXCEEDED,
	Code.RESOURCE_EXHAUSTED,
	Code.ABORTED,
	Code.INTERNAL,
	Code.UNAVAILABLE,
]);

/** The gRPC status code of an SDK error, if it carries one. */
export function grpcCode(error: unknown): number | undefined {
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === "number" ? code : undefined;
}

/** Throttling, server errors, timeouts and broken connections: worth another attempt. */
export function isTransient(error: unknown): boolean {
	const code = grpcCode(error);
	return code !== undefined ? TRANSIENT.has(code) : isNetworkError(error);
}

/** Whether an auth-library failure means "no usable credentials configured" (a start-up problem). */
function isCredentialSetupError(error: unknown): boolean {
	const e = error as { code?: unknown; message?: unknown } | null;
	if (e?.code === "ENOENT" || e?.code === "EACCES") return true;
	const message = typeof e?.message === "string" ? e.message : "";
	return /could not load the default credentials|no key or keyfile|DECODER routines|private key|client_email/i.test(
		message,
	);
}

/** Maps a failed call to a typed error; the SDK error is kept as a sanitised `cause`. */
export function classify(
	error: unknown,
	operation: string,
	extra: { notFoundIsConfig?: boolean } = {},
): StrongboxError {
	const info = { store: "gcp", operation };
	const code = grpcCode(error);
	if (code === undefined) {
		if (isNetworkError(error)) return classifyStoreError(error, { ...info, status: 503 });
		const status = (error as { status?: unknown; response?: { status?: unknown } } | null)?.response
			?.status;
		if (status === 400 || status === 401 || status === 403)
			return classifyStoreError(error, { ...info, denied: true });
		if (isCredentialSetupError(error))
			return classifyStoreError(error, { ...info, misconfigured: true });
		return classifyStoreError(error, info);
	}
	if (code === Code.RESOURCE_EXHAUSTED)
		return classifyStoreError(error, { ...info, throttled: true });
	if (TRANSIENT.has(code)) return classifyStoreError(error, { ...info, status: 503 });
	if (code === Code.PERMISSION_DENIED || code === Code.UNAUTHENTICATED) {
		return classifyStoreError(error, { ...info, denied: true });
	}
	if (code === Code.UNIMPLEMENTED || (code === Code.NOT_FOUND && extra.notFoundIsConfig)) {
		return classifyStoreError(error, { ...info, misconfigured: true });
	}
	return classifyStoreError(error, info);
}

/** Loads the SDK and builds a client from the options (the SDK is imported here, on first use). */
export async function createSdkClient(options: GcpStoreOptions): Promise<SecretManagerClient> {
	const [sdk, gax] = await Promise.all([
		import("@google-cloud/secret-manager"),
		import("google-gax"),
	]);
	const Client =
		sdk.SecretManagerServiceClient ??
		(sdk as unknown as { default: typeof sdk }).default.SecretManagerServiceClient;
	const grpc = gax.grpc ?? (gax as unknown as { default: typeof gax }).default.grpc;
	const clientOptions: ConstructorParameters<typeof Client>[0] = { projectId: options.projectId };
	if (options.apiEndpoint !== undefined) clientOptions.apiEndpoint = options.apiEndpoint;
	if (options.port !== undefined) clientOptions.port = options.port;
	const authClient =
		options.authClient ??
		(options.credentials !== undefined || options.keyFilename !== undefined
			? await serviceAccountClient(options)
			: undefined);
	// Without an auth client the SDK uses Application Default Credentials.
	if (authClient !== undefined)
		clientOptions.authClient = authClient as NonNullable<typeof clientOptions>["authClient"];
	if (options.insecure) {
		// Channel credentials must come from the very grpc-js instance google-gax uses.
		clientOptions.sslCreds = grpc.credentials.createInsecure();
		// An insecure channel sends no credentials; naming the universe keeps the auth
		// library from probing the metadata server to discover it.
		if (authClient === undefined) clientOptions.universeDomain = "googleapis.com";
	}
	return new Client(clientOptions);
}

/** Per-call settings of a {@link Caller}. */
export interface CallerSettings {
	attempts: number;
	baseDelayMs: number;
	maxDelayMs: number;
	timeoutMs: number;
}

/** The SDK's call options: its own retries off, our per-attempt timeout. */
export interface SdkCallOptions {
	retry: null;
	timeout: number;
	autoPaginate: false;
}

/**
 * Runs one logical back-end call: retried with backoff while transient, then mapped
 * to a typed error. Codes listed in `on` are answers, not failures: the call resolves
 * with the value given for that code (`{ [Code.NOT_FOUND]: undefined }`).
 */
export type Caller = <T, F = never>(
	operation: string,
	fn: (client: SecretManagerClient, options: SdkCallOptions) => Promise<T>,
	on?: Partial<Record<number, F>>,
	extra?: { notFoundIsConfig?: boolean },
) => Promise<T | F>;

/** Makes the {@link Caller} of a store. */
export function makeCaller(
	getClient: () => Promise<SecretManagerClient>,
	settings: CallerSettings,
): Caller {
	const sdkOptions: SdkCallOptions = {
		retry: null,
		timeout: settings.timeoutMs,
		autoPaginate: false,
	};
	return async (operation, fn, on, extra) => {
		let client: SecretManagerClient;
		try {
			client = await getClient();
		} catch (error) {
			throw classify(error, operation, extra);
		}
		try {
			return await withRetry(() => fn(client, sdkOptions), {
				attempts: settings.attempts,
				baseDelayMs: settings.baseDelayMs,
				maxDelayMs: settings.maxDelayMs,
				retryable: isTransient,
			});
		} catch (error) {
			const code = grpcCode(error);
			if (on && code !== undefined && Object.hasOwn(on, code)) return on[code] as never;
			throw classify(error, operation, extra);
		}
	};
}
