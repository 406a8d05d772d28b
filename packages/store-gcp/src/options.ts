/**
 * Options of the GCP store and their schema. Defaults are applied in `store.ts`, so the
 * validated options are exactly what the user wrote.
 */
import { z } from "zod";
import type { SecretManagerClient } from "./client.js";
import { MAX_PREFIX_LENGTH } from "./naming.js";

/** Retry policy of every back-end call (bounded exponential backoff with full jitter). */
export interface GcpRetryOptions {
	/** Total attempts, the first included. @default 4 */
	attempts?: number;
	/** Delay before the first retry, before jitter. @default 100 */
	baseDelayMs?: number;
	/** Largest delay between two attempts. @default 2000 */
	maxDelayMs?: number;
}

/** Service-account credentials (the `client_email` and `private_key` of a key file). */
export interface GcpCredentials {
	client_email: string;
	private_key: string;
	[field: string]: unknown;
}

/** Options of `@strongbox/store-gcp`. */
export interface GcpStoreOptions {
	/** The Google Cloud project (id or number) that holds the secrets. Required. */
	projectId: string;
	/**
	 * Path of a service-account key file. Without `keyFilename`, `credentials` or
	 * `authClient`, Application Default Credentials are used
	 * (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud's login, or the metadata server on Google Cloud).
	 * @default Application Default Credentials
	 */
	keyFilename?: string;
	/**
	 * Service-account credentials given inline. **Secret**: never printed.
	 * @default Application Default Credentials
	 */
	credentials?: GcpCredentials;
	/**
	 * A ready auth client (a google-auth-library `AuthClient` or `GoogleAuth`), for
	 * impersonation or workload identity set up by the application. **Secret**: never printed.
	 * @default Application Default Credentials
	 */
	authClient?: object;
	/** Host of the Secret Manager API. @default "secretmanager.googleapis.com" */
	apiEndpoint?: string;
	/** Port of the Secret Manager API. @default 443 */
	port?: number;
	/**
	 * Plain-text gRPC without TLS or credentials, for local emulators only. Needs `apiEndpoint`.
	 * @default false
	 */
	insecure?: boolean;
	/**
	 * Prefix of every back-end secret id: `<prefix><deployment tag>-<uuid>`, the tag being
	 * 12 hex characters derived from the deployment id. @default "strongbox-"
	 */
	prefix?: string;
	/**
	 * Enabled versions kept per secret. After a new version is written, older enabled
	 * versions beyond the newest `keepVersions` are destroyed (or disabled), so old values
	 * neither stay readable nor billed. @default 1
	 */
	keepVersions?: number;
	/** What happens to versions beyond `keepVersions`. @default "destroy" */
	oldVersions?: "destroy" | "disable";
	/** Extra labels put on every secret (keys must not start with `strongbox-`). @default {} */
	labels?: Record<string, string>;
	/**
	 * A ready `SecretManagerServiceClient`. The store does not close a client it was given.
	 * Connection and auth options cannot be combined with it. **Secret**: never printed.
	 * @default a client created on first use
	 */
	client?: SecretManagerClient;
	/** Retries of throttled, failing and timed-out calls. @default { attempts: 4, baseDelayMs: 100, maxDelayMs: 2000 } */
	retry?: GcpRetryOptions;
	/** Timeout of each back-end call attempt, in milliseconds. @default 10000 */
	timeoutMs?: number;
}

/** Option names that carry credentials (never printed). */
export const SECRET_OPTIONS = ["credentials", "authClient", "client"] as const;

/** Most labels a secret can carry, and the two the store reserves. */
const MAX_EXTRA_LABELS = 64 - 2;
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
// Project ids (6–30 lower-case letters, digits, hyphens), legacy `domain:project` ids, or numbers.
const PROJECT = /^(?:(?:[a-z0-9.-]{1,63}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,20})$/;
const HOST = /^[A-Za-z0-9.-]{1,253}$|^\[[0-9A-Fa-f:.]{2,45}\]$/;
const PREFIX = new RegExp(`^[A-Za-z0-9_-]{0,${MAX_PREFIX_LENGTH}}$`);

const anObject = (what: string) =>
	z.custom<object>((value) => typeof value === "object" && value !== null, `must be ${what}`);

/** The options schema (zod, a Standard Schema). Every problem is reported, never a value. */
export const configSchema = z
	.strictObject({
		projectId: z.string().regex(PROJECT, "must be a Google Cloud project id or number"),
		keyFilename: z.string().min(1).max(4096).optional(),
		credentials: z
			.looseObject({
				client_email: z.string().min(3).max(320),
				private_key: z.string().min(1).max(16_384),
			})
			.optional(),
		authClient: anObject("an auth client object").optional(),
		apiEndpoint: z.string().regex(HOST, "must be a host name or IP address").optional(),
		port: z.number().int().min(1).max(65_535).optional(),
		insecure: z.boolean().optional(),
		prefix: z
			.string()
			.regex(PREFIX, `must be at most ${MAX_PREFIX_LENGTH} letters, digits, '-' and '_'`)
			.optional(),
		keepVersions: z.number().int().min(1).max(100).optional(),
		oldVersions: z.enum(["destroy", "disable"]).optional(),
		labels: z
			.record(z.string(), z.string())
			.superRefine((labels, ctx) => {
				const entries = Object.entries(labels);
				if (entries.length > MAX_EXTRA_LABELS)
					ctx.addIssue({ code: "custom", message: `at most ${MAX_EXTRA_LABELS} labels` });
				for (const [key, value] of entries.slice(0, MAX_EXTRA_LABELS + 1)) {
					const path = [key.slice(0, 64)];
					if (!LABEL_KEY.test(key)) {
						ctx.addIssue({
							code: "custom",
							path,
							message:
								"label keys: a lower-case letter, then up to 62 lower-case letters, digits, '_' or '-'",
						});
					} else if (key.startsWith("strongbox-")) {
						ctx.addIssue({
							code: "custom",
							path,
							message: "label keys starting with `strongbox-` are reserved",
						});
					}
					if (!LABEL_VALUE.test(value)) {
						ctx.addIssue({
							code: "custom",
							path,
							message: "label values: up to 63 lower-case letters, digits, '_' or '-'",
						});
					}
				}
			})
			.optional(),
		client: anObject("a SecretManagerServiceClient").optional(),
		retry: z
			.strictObject({
				attempts: z.number().int().min(1).max(10).optional(),
				baseDelayMs: z.number().int().min(0).max(60_000).optional(),
				maxDelayMs: z.number().int().min(0).max(600_000).optional(),
			})
			.optional(),
		timeoutMs: z.number().int().min(1).max(600_000).optional(),
	})
	.superRefine(
		(options, ctx) => {
			const auth = (["keyFilename", "credentials", "authClient"] as const).filter(
				(k) => options[k] !== undefined,
			);
			if (auth.length > 1) {
				ctx.addIssue({
					code: "custom",
					path: [auth[1]!],
					message: `cannot be combined with \`${auth[0]}\``,
				});
			}
			if (options.client !== undefined) {
				for (const key of [
					"keyFilename",
					"credentials",
					"authClient",
					"apiEndpoint",
					"port",
					"insecure",
				] as const) {
					if (options[key] !== undefined) {
						ctx.addIssue({
							code: "custom",
							path: [key],
							message: "cannot be combined with `client`",
						});
					}
				}
			}
			if (options.insecure && options.apiEndpoint === undefined) {
				ctx.addIssue({
					code: "custom",
					path: ["insecure"],
					message: "needs `apiEndpoint` (the emulator's host)",
				});
			}
		},
		{
			// Also when other options are invalid: every problem is reported at once.
			when: (payload) => typeof payload.value === "object" && payload.value !== null,
		},
	) as unknown as z.ZodType<GcpStoreOptions>;
