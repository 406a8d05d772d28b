/**
 * Options of the Azure Key Vault store: the zod schema (every problem reported at once by
 * core) and the TypeScript type users write.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { SecretClient } from "@azure/keyvault-secrets";
import { z } from "zod";

/** Service versions the installed SDK accepts. */
export const SERVICE_VERSIONS = [
	"7.0",
	"7.1",
	"7.2",
	"7.3",
	"7.4",
	"7.5",
	"7.6",
	"2025-07-01",
	"2026-04-01",
] as const;

/** A Key Vault service (REST API) version. */
export type ServiceVersion = (typeof SERVICE_VERSIONS)[number];

/** Largest name Key Vault accepts, and the length of the UUID every name ends with. */
export const MAX_NAME_LENGTH = 127;
const UUID_LENGTH = 36;
/** Prefixes start with a letter (some Key Vault documents require names to) and use the name alphabet. */
const PREFIX_PATTERN = new RegExp(`^[A-Za-z][0-9A-Za-z-]{0,${MAX_NAME_LENGTH - UUID_LENGTH - 1}}$`);
/** Vault names: 3–24 letters, digits and single hyphens, starting with a letter, not ending with a hyphen. */
const VAULT_NAME_PATTERN = /^(?=.{3,24}$)[A-Za-z](?:[0-9A-Za-z]|-(?!-))*[0-9A-Za-z]$/;

/** Options of the Azure Key Vault store. */
export interface AzureStoreOptions {
	/**
	 * The vault's URL, for any cloud (`https://<name>.vault.azure.net`,
	 * `https://<name>.vault.azure.cn`, `https://<name>.vault.usgovcloudapi.net`, a private
	 * endpoint...). Must be `https://`. Give this or `vaultName`.
	 */
	vaultUrl?: string;
	/** The vault's name in the public cloud: shorthand for `https://<vaultName>.vault.azure.net`. */
	vaultName?: string;
	/**
	 * An `@azure/core-auth` `TokenCredential` (any `@azure/identity` credential, or your own).
	 * Takes precedence over `clientSecret` and `managedIdentity`. Secret: never printed.
	 * @default `DefaultAzureCredential` from `@azure/identity` when no credential option is given
	 */
	credential?: TokenCredential;
	/** A service principal with a client secret (needs `@azure/identity`). Secret: never printed. */
	clientSecret?: { tenantId: string; clientId: string; clientSecret: string };
	/**
	 * A managed identity (needs `@azure/identity`); `clientId` picks a user-assigned one.
	 * @default the system-assigned identity when `{}` is given
	 */
	managedIdentity?: { clientId?: string };
	/**
	 * A ready `SecretClient`; every connection, credential and TLS option is then ignored,
	 * and the client's own retry policy applies on top of the store's.
	 */
	client?: SecretClient;
	/**
	 * Prefix of every secret name: `<prefix><uuid>`. A letter first, then letters, digits and
	 * `-`, at most 91 characters. Key Vault names are case-insensitive, so `Strongbox-` and
	 * `strongbox-` name the same secrets.
	 * @default "strongbox-"
	 */
	prefix?: string;
	/**
	 * Purge deleted secrets (needs the purge permission; impossible with purge protection).
	 * When `false`, a delete returns after Key Vault accepted it and the secret stays
	 * recoverable for the vault's retention period.
	 * @default false
	 */
	purgeOnDelete?: boolean;
	/** Pin the Key Vault REST API version. @default the SDK's latest */
	serviceVersion?: ServiceVersion;
	/**
	 * TLS options of the HTTPS connections, for private CAs (`ca`) or client certificates.
	 * Secret (it may hold a private key): never printed.
	 */
	tlsOptions?: {
		ca?: string | string[];
		cert?: string;
		key?: string;
		pfx?: string;
		passphrase?: string;
	};
	/**
	 * Skip the SDK's check that the bearer challenge's resource matches the vault's domain.
	 * Only for tests against an emulator on `127.0.0.1`; never set it against Azure.
	 * @default false
	 */
	disableChallengeResourceVerification?: boolean;
	/** Retries of throttled (429), 5xx, timed-out and dropped calls. The SDK's own retries are off. */
	retry?: {
		/** Total attempts, the first included. @default 4 */
		attempts?: number;
		/** Delay before the first retry (full jitter). @default 100 */
		baseDelayMs?: number;
		/** Largest delay between attempts; also caps a `Retry-After`. @default 2000 */
		maxDelayMs?: number;
	};
	/** Time limit of each HTTP call, in milliseconds. @default 10000 */
	timeoutMs?: number;
	/** Interval between polls while waiting for a delete (before a purge) or a recovery. @default 1000 */
	pollIntervalMs?: number;
	/** How long to wait for a delete or a recovery to finish. @default 60000 */
	pollTimeoutMs?: number;
}

function isCredential(value: unknown): value is TokenCredential {
	return typeof (value as { getToken?: unknown } | null)?.getToken === "function";
}

function isClient(value: unknown): value is SecretClient {
	const v = value as { getSecret?: unknown; setSecret?: unknown } | null;
	return typeof v?.getSecret === "function" && typeof v.setSecret === "function";
}

const nonEmpty = (max: number) => z.string().min(1).max(max);

/** Validates a vault URL: `https://host[:port]` with nothing else; returns it without a trailing slash. */
export function normalizeVaultUrl(value: string): string | undefined {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return undefined;
	}
	if (url.protocol !== "https:" || url.username || url.password) return undefined;
	if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) return undefined;
	return url.origin;
}

/** The zod schema of {@link AzureStoreOptions}. */
export const configSchema = z
	.strictObject({
		vaultUrl: z
			.string()
			.max(2048)
			.refine((v) => normalizeVaultUrl(v) !== undefined, {
				message:
					"must be an https:// URL with no path, query or credentials (https://<name>.vault.azure.net)",
			})
			.optional(),
		vaultName: z
			.string()
			.regex(
				VAULT_NAME_PATTERN,
				"must be 3-24 letters, digits and single hyphens, starting with a letter",
			)
			.optional(),
		credential: z
			.custom<TokenCredential>(isCredential, "must be a TokenCredential (an object with getToken)")
			.optional(),
		clientSecret: z
			.strictObject({
				tenantId: nonEmpty(128),
				clientId: nonEmpty(128),
				clientSecret: nonEmpty(1024),
			})
			.optional(),
		managedIdentity: z.strictObject({ clientId: nonEmpty(128).optional() }).optional(),
		client: z
			.custom<SecretClient>(isClient, "must be a SecretClient from @azure/keyvault-secrets")
			.optional(),
		prefix: z
			.string()
			.regex(
				PREFIX_PATTERN,
				`must start with a letter and hold only letters, digits and -, at most ${MAX_NAME_LENGTH - UUID_LENGTH} characters (the name <prefix><uuid> is limited to ${MAX_NAME_LENGTH})`,
			)
			.default("strongbox-"),
		purgeOnDelete: z.boolean().default(false),
		serviceVersion: z.enum(SERVICE_VERSIONS).optional(),
		tlsOptions: z
			.strictObject({
				ca: z.union([nonEmpty(1_000_000), z.array(nonEmpty(1_000_000)).max(100)]).optional(),
				cert: nonEmpty(1_000_000).optional(),
				key: nonEmpty(1_000_000).optional(),
				pfx: nonEmpty(1_000_000).optional(),
				passphrase: z.string().max(1024).optional(),
			})
			.optional(),
		disableChallengeResourceVerification: z.boolean().default(false),
		retry: z
			.strictObject({
				attempts: z.number().int().min(1).max(10).default(4),
				baseDelayMs: z.number().int().min(0).max(60_000).default(100),
				maxDelayMs: z.number().int().min(0).max(300_000).default(2000),
			})
			.default({ attempts: 4, baseDelayMs: 100, maxDelayMs: 2000 }),
		timeoutMs: z.number().int().min(1).max(300_000).default(10_000),
		pollIntervalMs: z.number().int().min(1).max(60_000).default(1000),
		pollTimeoutMs: z.number().int().min(1).max(3_600_000).default(60_000),
	})
	.superRefine((options, ctx) => {
		if (options.client === undefined) {
			if ((options.vaultUrl === undefined) === (options.vaultName === undefined)) {
				ctx.addIssue({
					code: "custom",
					path: ["vaultUrl"],
					message: "give exactly one of `vaultUrl` or `vaultName` (or an injected `client`)",
				});
			}
		}
		const credentials = [options.credential, options.clientSecret, options.managedIdentity].filter(
			(c) => c !== undefined,
		);
		if (credentials.length > 1) {
			ctx.addIssue({
				code: "custom",
				path: ["credential"],
				message: "give at most one of `credential`, `clientSecret` or `managedIdentity`",
			});
		}
	});

/** Options after validation and defaults. */
export type ResolvedAzureStoreOptions = z.output<typeof configSchema>;

/** Option names that carry credentials or keys; never printed. */
export const SECRET_OPTIONS = ["credential", "clientSecret", "client", "tlsOptions"] as const;
