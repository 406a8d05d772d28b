/**
 * Options of the AWS Secrets Manager store and their schema. Credentials are marked
 * secret in the definition (`secretOptions`) and are never printed; schema messages name
 * options and rules, never the values given.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { z } from "zod";

/** Explicit AWS credentials. */
export interface AwsCredentialsOption {
	accessKeyId: string;
	secretAccessKey: string;
	/** For temporary credentials. */
	sessionToken?: string;
}

/** Retry policy of back-end calls (the SDK's own retries are off). */
export interface AwsRetryOptions {
	/** Total attempts, the first included. @default 4 */
	attempts?: number;
	/** Delay before the first retry, before full jitter. @default 100 */
	baseDelayMs?: number;
	/** Largest delay between two attempts. @default 2000 */
	maxDelayMs?: number;
}

/** Options of `@strongbox/store-aws`. */
export interface AwsStoreOptions {
	/** AWS region (`eu-west-1`). @default the SDK's resolution: `AWS_REGION`, then the profile's region */
	region?: string;
	/**
	 * Explicit credentials. **Secret.** Exclusive with `profile`.
	 * @default the SDK's credential chain (environment, shared files, SSO, container and instance roles)
	 */
	credentials?: AwsCredentialsOption;
	/** A named profile of the shared config/credentials files. @default `AWS_PROFILE`, else `default` */
	profile?: string;
	/**
	 * A role to assume (through STS, refreshed automatically before it expires), starting
	 * from `credentials`, `profile` or the default chain. @default none
	 */
	roleArn?: string;
	/** External id required by the role's trust policy. **Secret.** Needs `roleArn`. @default none */
	externalId?: string;
	/** Session name of the assumed role (shows in CloudTrail). Needs `roleArn`. @default `strongbox-<timestamp>` */
	roleSessionName?: string;
	/** Endpoint override: a VPC endpoint, or an emulator. @default the regional endpoint */
	endpoint?: string;
	/** Prepended to the secret id to name the AWS secret. @default "strongbox/" */
	prefix?: string;
	/** KMS key (id, ARN or alias) that encrypts new secrets. @default the account's `aws/secretsmanager` key */
	kmsKeyId?: string;
	/**
	 * Delete with a recovery window of this many days (7–30) instead of at once. A
	 * soft-deleted name cannot be written until it is restored or the window ends.
	 * @default none: deletes are immediate (`ForceDeleteWithoutRecovery`)
	 */
	recoveryWindowInDays?: number;
	/** Extra tags put on every secret the store creates (`strongbox:*` keys are reserved). @default none */
	tags?: Record<string, string>;
	/**
	 * An SDK client to use instead of creating one. Configure it with `maxAttempts: 1`:
	 * the store retries on its own. It is not destroyed by `close()`. @default a client built from the options above
	 */
	client?: SecretsManagerClient;
	/** Retries of throttled, failing and timed-out calls. @default `{ attempts: 4, baseDelayMs: 100, maxDelayMs: 2000 }` */
	retry?: AwsRetryOptions;
	/** Time limit of one back-end call (each attempt). @default 10000 */
	timeoutMs?: number;
}

/** The default `prefix`. */
export const DEFAULT_PREFIX = "strongbox/";
/** The default per-call time limit. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Tag keys the store owns. */
export const DEPLOYMENT_TAG = "strongbox:deployment";
export const SECRET_ID_TAG = "strongbox:secret-id";

// Tags: up to 50 per secret, the store uses 2.
const MAX_EXTRA_TAGS = 48;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

const credentialsSchema = z
	.object({
		accessKeyId: z.string().regex(/^[A-Za-z0-9_]{1,128}$/, "must be 1–128 letters, digits or `_`"),
		secretAccessKey: z.string().min(1).max(256),
		sessionToken: z.string().min(1).max(8192).optional(),
	})
	.strict();

const retrySchema = z
	.object({
		attempts: z.number().int().min(1).max(10).optional(),
		baseDelayMs: z.number().int().min(0).max(60_000).optional(),
		maxDelayMs: z.number().int().min(0).max(300_000).optional(),
	})
	.strict();

const tagsSchema = z
	.record(
		z
			.string()
			.min(1)
			.max(128)
			.regex(TAG_CHARS, "tag keys may hold letters, digits, spaces and _ . : / = + - @")
			.refine(
				(key) => !/^(aws|strongbox):/i.test(key),
				"tag keys starting with `aws:` or `strongbox:` are reserved",
			),
		z
			.string()
			.max(256)
			.regex(TAG_CHARS, "tag values may hold letters, digits, spaces and _ . : / = + - @"),
	)
	.refine(
		(tags) => Object.keys(tags).length <= MAX_EXTRA_TAGS,
		`at most ${MAX_EXTRA_TAGS} extra tags`,
	);

const clientSchema = z.custom<SecretsManagerClient>(
	(value) =>
		typeof value === "object" &&
		value !== null &&
		typeof (value as { send?: unknown }).send === "function" &&
		typeof (value as { destroy?: unknown }).destroy === "function",
	"must be a SecretsManagerClient",
);

/** The options schema (zod; a Standard Schema). */
export const configSchema = z
	.object({
		region: z
			.string()
			.regex(/^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/, "must be an AWS region such as `eu-west-1`")
			.optional(),
		credentials: credentialsSchema.optional(),
		profile: z
			.string()
			.regex(/^[\w.+@:/-]{1,128}$/, "must be 1–128 letters, digits or `_ . + @ : / -`")
			.optional(),
		roleArn: z
			.string()
			.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, "must be an IAM role ARN")
			.optional(),
		externalId: z
			.string()
			.regex(/^[\w+=,.@:/-]{2,1224}$/, "must be 2–1224 letters, digits or `_ + = , . @ : / -`")
			.optional(),
		roleSessionName: z
			.string()
			.regex(/^[\w+=,.@-]{2,64}$/, "must be 2–64 letters, digits or `_ + = , . @ -`")
			.optional(),
		endpoint: z
			.string()
			.max(2048)
			.refine((url) => {
				try {
					const parsed = new URL(url);
					return (
						(parsed.protocol === "https:" || parsed.protocol === "http:") &&
						parsed.username === "" &&
						parsed.password === ""
					);
				} catch {
					return false;
				}
			}, "must be an http(s) URL without credentials")
			.optional(),
		prefix: z
			.string()
			.regex(
				/^[A-Za-z0-9/_+=.@-]{0,256}$/,
				"must be at most 256 letters, digits or `/ _ + = . @ -`",
			)
			.optional(),
		kmsKeyId: z
			.string()
			.regex(/^\S{1,2048}$/, "must be a KMS key id, ARN or alias")
			.optional(),
		recoveryWindowInDays: z.number().int().min(7).max(30).optional(),
		tags: tagsSchema.optional(),
		client: clientSchema.optional(),
		retry: retrySchema.optional(),
		timeoutMs: z.number().int().min(1).max(300_000).optional(),
	})
	.strict()
	.superRefine(
		(options, ctx) => {
			if (options.credentials && options.profile) {
				ctx.addIssue({
					code: "custom",
					path: ["profile"],
					message: "use either `credentials` or `profile`, not both",
				});
			}
			for (const key of ["externalId", "roleSessionName"] as const) {
				if (options[key] !== undefined && options.roleArn === undefined) {
					ctx.addIssue({ code: "custom", path: [key], message: "needs `roleArn`" });
				}
			}
			if (options.client) {
				for (const key of ["region", "credentials", "profile", "roleArn", "endpoint"] as const) {
					if (options[key] !== undefined) {
						ctx.addIssue({
							code: "custom",
							path: [key],
							message: "is ignored when `client` is given: configure the client instead",
						});
					}
				}
			}
		},
		// Reported together with the field problems (only key presence is looked at).
		{ when: (payload) => typeof payload.value === "object" && payload.value !== null },
	) satisfies z.ZodType<AwsStoreOptions>;
