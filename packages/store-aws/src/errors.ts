/**
 * AWS failures as typed Strongbox errors: the SDK's error name decides throttling,
 * permission and configuration problems; statuses and connection failures go through
 * core's `classifyStoreError`. Messages never quote a value or a credential.
 */
import {
	classifyStoreError,
	StoreConfigError,
	StoreError,
	type StrongboxError,
} from "@strongbox/core";

const STORE = "aws";

// Error codes the SDK and the service use for rate limiting.
const THROTTLING = new Set([
	"ThrottlingException",
	"Throttling",
	"TooManyRequestsException",
	"RequestLimitExceeded",
	"RequestThrottled",
	"RequestThrottledException",
	"SlowDown",
]);

// Refused credentials or permissions (KMS refusals included: the caller's key policy).
const DENIED = new Set([
	"AccessDeniedException",
	"AccessDenied",
	"UnrecognizedClientException",
	"InvalidClientTokenId",
	"InvalidSignatureException",
	"SignatureDoesNotMatch",
	"IncompleteSignatureException",
	"MissingAuthenticationTokenException",
	"ExpiredTokenException",
	"ExpiredToken",
	"DecryptionFailure",
	"EncryptionFailure",
]);

/** Whether an InvalidRequestException is the service saying "scheduled for deletion". */
export function isPendingDeletion(message: string): boolean {
	return /marked for deletion|scheduled for deletion|marked deleted/i.test(message);
}

/** A back-end failure of `operation` as a typed error (the SDK error kept, sanitised, as `cause`). */
export function classifyAwsError(error: unknown, operation: string): StrongboxError {
	const e = error as {
		name?: unknown;
		message?: unknown;
		$metadata?: { httpStatusCode?: unknown };
	} | null;
	const name = typeof e?.name === "string" ? e.name : "";
	const message = typeof e?.message === "string" ? e.message : "";
	if (name === "CredentialsProviderError" || name === "ProviderError") {
		return new StoreConfigError(
			"[store-aws] No AWS credentials were found: set `credentials`, `profile` or `roleArn`, or the usual AWS_* environment variables or shared files.",
			{ store: STORE, cause: error },
		);
	}
	if (/Region is missing/i.test(message)) {
		return new StoreConfigError(
			"[store-aws] No AWS region: set the `region` option, AWS_REGION, or a region in the AWS profile.",
			{ store: STORE, cause: error },
		);
	}
	const status = e?.$metadata?.httpStatusCode;
	return classifyStoreError(error, {
		store: STORE,
		operation,
		...(typeof status === "number" ? { status } : {}),
		throttled: THROTTLING.has(name),
		denied: DENIED.has(name),
	});
}

/** The typed error of a write to a secret that is scheduled for deletion. */
export function pendingDeletionError(name: string, cause?: unknown): StoreError {
	return new StoreError(
		`[store-aws] Secret \`${name}\` is scheduled for deletion in AWS Secrets Manager and cannot be written until it is restored (RestoreSecret) or its recovery window ends. This happens only when a deleted id is written again.`,
		{
			store: STORE,
			details: { reason: "scheduled-for-deletion", name },
			...(cause === undefined ? {} : { cause }),
		},
	);
}

/** The typed error of a write to a secret that another deployment (or no Strongbox) owns. */
export function foreignSecretError(name: string): StoreError {
	return new StoreError(
		`[store-aws] Secret \`${name}\` exists in AWS Secrets Manager but does not carry this deployment's \`strongbox:deployment\` tag; it is never overwritten.`,
		{ store: STORE, details: { reason: "foreign-secret", name } },
	);
}
