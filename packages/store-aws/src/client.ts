/**
 * SDK glue: builds the Secrets Manager client from the options (region, endpoint,
 * credentials, profile, assumed role) with the SDK's own retries turned off, and runs
 * one back-end call with a time limit and core's bounded, jittered retries.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type StrongboxError, withRetry } from "@strongbox/core";
import { classifyAwsError } from "./errors.js";
import { type AwsStoreOptions, DEFAULT_TIMEOUT_MS } from "./options.js";

/** Builds a client from the options. The role provider is imported only when a role is used. */
export async function createClient(options: AwsStoreOptions): Promise<SecretsManagerClient> {
	// A copy: the SDK annotates the credentials object it is given, and the options are the caller's.
	const explicit = options.credentials && {
		accessKeyId: options.credentials.accessKeyId,
		secretAccessKey: options.credentials.secretAccessKey,
		...(options.credentials.sessionToken === undefined
			? {}
			: { sessionToken: options.credentials.sessionToken }),
	};
	let credentials: SecretsManagerClient["config"]["credentials"] | typeof explicit = explicit;
	if (options.roleArn) {
		const { fromIni, fromTemporaryCredentials } = await import("@aws-sdk/credential-providers");
		credentials = fromTemporaryCredentials({
			params: {
				RoleArn: options.roleArn,
				RoleSessionName: options.roleSessionName ?? `strongbox-${Date.now()}`,
				...(options.externalId === undefined ? {} : { ExternalId: options.externalId }),
			},
			...(explicit
				? { masterCredentials: explicit }
				: options.profile
					? { masterCredentials: fromIni({ profile: options.profile }) }
					: {}),
			clientConfig: {
				...(options.region === undefined ? {} : { region: options.region }),
				maxAttempts: 1,
			},
		});
	}
	return new SecretsManagerClient({
		...(options.region === undefined ? {} : { region: options.region }),
		...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
		// `profile` also feeds the SDK's region resolution, so it is passed even with a role.
		...(options.profile === undefined ? {} : { profile: options.profile }),
		...(credentials === undefined ? {} : { credentials }),
		// Retries are ours (withRetry), so that every store retries the same way.
		maxAttempts: 1,
	});
}

/** A failed call whose error the caller expected (`ResourceNotFoundException`, ...). */
export interface ExpectedFailure {
	ok: false;
	/** The AWS error code. */
	code: string;
	message: string;
	/** The SDK error, for `classifyAwsError` if the caller decides it is a failure after all. */
	error: unknown;
}

/** The outcome of {@link Caller}: the answer, or an expected failure. */
export type Outcome<T> = { ok: true; value: T } | ExpectedFailure;

/** Any Secrets Manager command (`new GetSecretValueCommand(...)`, ...). */
export type SdkCommand = object;

type Send = (command: SdkCommand, options: { abortSignal: AbortSignal }) => Promise<unknown>;

/** Sends one command (built afresh for every attempt). */
export type Caller = <T>(
	operation: string,
	command: () => SdkCommand,
	options?: {
		/** AWS error codes returned as outcomes instead of thrown. */
		expected?: readonly string[];
		/** Inspects a successful answer; may throw a typed error (a retryable one is retried). */
		check?: (value: T) => void;
	},
) => Promise<Outcome<T>>;

/** Makes the function every store call goes through: time limit, classification, retries. */
export function makeCaller(
	client: () => Promise<SecretsManagerClient>,
	options: Pick<AwsStoreOptions, "retry" | "timeoutMs">,
): Caller {
	const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	const retry = {
		attempts: options.retry?.attempts ?? 4,
		baseDelayMs: options.retry?.baseDelayMs ?? 100,
		maxDelayMs: options.retry?.maxDelayMs ?? 2000,
	};
	return async <T>(
		operation: string,
		command: () => SdkCommand,
		callOptions: { expected?: readonly string[]; check?: (value: T) => void } = {},
	): Promise<Outcome<T>> => {
		const sdk = await client();
		// Each command class has its own input type; the call site pairs command and answer.
		const send = sdk.send.bind(sdk) as unknown as Send;
		return withRetry(async () => {
			let value: T;
			try {
				value = (await send(command(), { abortSignal: AbortSignal.timeout(timeoutMs) })) as T;
			} catch (error) {
				const code = (error as { name?: unknown } | null)?.name;
				if (typeof code === "string" && callOptions.expected?.includes(code)) {
					const message = (error as { message?: unknown }).message;
					return {
						ok: false as const,
						code,
						message: typeof message === "string" ? message : "",
						error,
					};
				}
				throw classifyAwsError(error, operation) satisfies StrongboxError;
			}
			callOptions.check?.(value);
			return { ok: true as const, value };
		}, retry);
	};
}
