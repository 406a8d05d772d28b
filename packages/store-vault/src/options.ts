/**
 * Options of the Vault store and their schema. Defaults are applied in `store.ts`, so the
 * validated options are exactly what the user wrote.
 */
import { z } from "zod";
import type { NodeVaultClient } from "./client.js";

/** Retry policy of every back-end call (bounded exponential backoff with full jitter). */
export interface VaultRetryOptions {
	/** Total attempts, the first included. @default 4 */
	attempts?: number;
	/** Delay before the first retry, before jitter. @default 100 */
	baseDelayMs?: number;
	/** Largest delay between two attempts. @default 2000 */
	maxDelayMs?: number;
}

/** AppRole credentials: the store logs in, renews its token and logs in again when needed. */
export interface VaultAppRoleOptions {
	/** The role's `role_id`. */
	roleId: string;
	/** The role's `secret_id`. **Secret**: never printed. */
	secretId: string;
	/** Where the AppRole auth method is mounted. @default "approle" */
	mountPath?: string;
}

/** Options of `@strongbox/store-vault`. */
export interface VaultStoreOptions {
	/**
	 * Vault's address, `https://vault.example.com:8200`. Required unless `fromEnv` is set
	 * (then `VAULT_ADDR`) or a `client` is given.
	 */
	address?: string;
	/**
	 * A Vault token. Give `token` or `appRole` (or neither with `fromEnv`, which then reads
	 * `VAULT_TOKEN`). **Secret**: never printed.
	 */
	token?: string;
	/** Log in with AppRole instead of a fixed token. `secretId` is **secret**. */
	appRole?: VaultAppRoleOptions;
	/** Vault Enterprise / OpenBao namespace, sent as `X-Vault-Namespace`. @default none (root) */
	namespace?: string;
	/** The KV version 2 mount. The store never tunes or creates it. @default "secret" */
	mount?: string;
	/** Folder of the store's keys inside the mount: `<prefix><uuid>`. @default "strongbox/" */
	prefix?: string;
	/**
	 * Versions Vault keeps of each key, set on the key (`max_versions` in its metadata) when
	 * the store creates it. KV v2 keeps old versions readable until they fall out, so `1`
	 * keeps no old value around. The mount's own setting is never changed.
	 * @default the mount's setting (10 unless configured)
	 */
	maxVersions?: number;
	/** PEM CA certificate(s) that sign Vault's TLS certificate. @default Node's trusted CAs */
	caCert?: string;
	/** PEM client certificate, for Vault listeners that require TLS client auth. @default none */
	clientCert?: string;
	/** PEM private key of `clientCert`. **Secret**: never printed. @default none */
	clientKey?: string;
	/** Check Vault's TLS certificate. Turn off only for throwaway test servers. @default true */
	rejectUnauthorized?: boolean;
	/**
	 * Read `VAULT_ADDR`, `VAULT_TOKEN` and `VAULT_NAMESPACE` for the options not given.
	 * Without it the store never reads a `VAULT_*` variable. @default false
	 */
	fromEnv?: boolean;
	/**
	 * A ready node-vault client. Its endpoint, TLS settings and namespace are used as they
	 * are; `token`/`appRole` are still sent on every call when given. Connection options
	 * cannot be combined with it. **Secret**: never printed.
	 * @default a client created on first use
	 */
	client?: NodeVaultClient;
	/** Retries of throttled, failing and timed-out calls. @default { attempts: 4, baseDelayMs: 100, maxDelayMs: 2000 } */
	retry?: VaultRetryOptions;
	/** Timeout of each back-end call attempt, in milliseconds. @default 10000 */
	timeoutMs?: number;
}

/** Option names that carry credentials (never printed). */
export const SECRET_OPTIONS = ["token", "appRole", "clientKey", "client"] as const;

// Vault paths are free-form, but the store only needs plain segments; anything else is
// more likely a mistake (a pasted URL, a stray `..`) than a real mount.
const SEGMENTS = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
const PREFIX = /^(?:[A-Za-z0-9_.-]+\/)*[A-Za-z0-9_.-]*$/;
const NAMESPACE = /^\/?[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*\/?$/;
const noDotSegments = (value: string) => value.split("/").every((s) => s !== "." && s !== "..");
const vaultPath = (max: number, message: string) =>
	z
		.string()
		.max(max)
		.regex(SEGMENTS, message)
		.refine(noDotSegments, "must not contain `.` or `..` segments");
const PEM = (what: string) =>
	z
		.string()
		.max(65_536)
		.regex(/-----BEGIN [A-Z0-9 ]+-----/, `must be a PEM ${what}`);

const isAddress = (value: string) => {
	try {
		const url = new URL(value);
		return (
			(url.protocol === "http:" || url.protocol === "https:") &&
			url.username === "" &&
			url.password === ""
		);
	} catch {
		return false;
	}
};

const aClient = z.custom<NodeVaultClient>(
	(value) =>
		typeof value === "object" &&
		value !== null &&
		typeof (value as { request?: unknown }).request === "function",
	"must be a node-vault client",
);

/** The options schema (zod, a Standard Schema). Every problem is reported, never a value. */
export const configSchema = z
	.strictObject({
		address: z
			.string()
			.max(2048)
			.refine(
				isAddress,
				"must be an http(s) URL without credentials, like https://vault.example.com:8200",
			)
			.optional(),
		token: z.string().min(1).max(4096).optional(),
		appRole: z
			.strictObject({
				roleId: z.string().min(1).max(512),
				secretId: z.string().min(1).max(512),
				mountPath: vaultPath(256, "must be a path like `approle`").optional(),
			})
			.optional(),
		namespace: z
			.string()
			.max(512)
			.regex(NAMESPACE, "must be a namespace path like `team-a` or `org/team-a`")
			.refine(noDotSegments, "must not contain `.` or `..` segments")
			.optional(),
		mount: vaultPath(256, "must be a mount path like `secret` or `kv/team-a`").optional(),
		prefix: z
			.string()
			.max(256)
			.regex(PREFIX, "must be folder names separated by `/`, like `strongbox/`")
			.refine(noDotSegments, "must not contain `.` or `..` segments")
			.optional(),
		maxVersions: z.number().int().min(1).max(1000).optional(),
		caCert: PEM("certificate").optional(),
		clientCert: PEM("certificate").optional(),
		clientKey: PEM("private key").optional(),
		rejectUnauthorized: z.boolean().optional(),
		fromEnv: z.boolean().optional(),
		client: aClient.optional(),
		retry: z
			.strictObject({
				attempts: z.number().int().min(1).max(10).optional(),
				baseDelayMs: z.number().int().min(0).max(60_000).optional(),
				maxDelayMs: z.number().int().min(0).max(600_000).optional(),
			})
			.optional(),
		timeoutMs: z.number().int().min(1).max(600_000).optional(),
	})
	.superRefine((options, ctx) => {
		if (options.token !== undefined && options.appRole !== undefined) {
			ctx.addIssue({
				code: "custom",
				path: ["appRole"],
				message: "cannot be combined with `token`",
			});
		}
		if ((options.clientCert === undefined) !== (options.clientKey === undefined)) {
			ctx.addIssue({
				code: "custom",
				path: [options.clientCert === undefined ? "clientCert" : "clientKey"],
				message: "`clientCert` and `clientKey` go together",
			});
		}
		if (options.client !== undefined) {
			for (const key of [
				"address",
				"caCert",
				"clientCert",
				"clientKey",
				"rejectUnauthorized",
				"fromEnv",
			] as const) {
				if (options[key] !== undefined) {
					ctx.addIssue({
						code: "custom",
						path: [key],
						message: "cannot be combined with `client`",
					});
				}
			}
		} else if (!options.fromEnv) {
			if (options.address === undefined) {
				ctx.addIssue({
					code: "custom",
					path: ["address"],
					message: "is required (or set `fromEnv: true` to read VAULT_ADDR)",
				});
			}
			if (options.token === undefined && options.appRole === undefined) {
				ctx.addIssue({
					code: "custom",
					path: ["token"],
					message: "give `token` or `appRole` (or set `fromEnv: true` to read VAULT_TOKEN)",
				});
			}
		}
	}) as unknown as z.ZodType<VaultStoreOptions>;
