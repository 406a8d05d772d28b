/**
 * The server's configuration: one zod schema, with every default written here and in
 * the README's table. Files and environment variables are merged into this shape by
 * `loadConfig`; `openRuntime` and `createServer` accept it (or a partial input they
 * complete with the same defaults).
 */
import { z } from "zod";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Largest page size the core accepts; the config may lower it, never raise it. */
export const MAX_PAGE_SIZE = 1000;

const storeSchema = z
	.object({
		/** A built-in short name (`sql`, `aws`, `gcp`, `azure`, `vault`) or a full package name. */
		type: z.string().min(1).max(214),
		/** The store's own options, validated by its schema when the store is loaded. */
		options: z.record(z.string(), z.unknown()).default({}),
		/** The back-end name recorded in the catalog. @default the store type */
		name: z
			.string()
			.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "must be 1–64 lower-case letters, digits, '-' and '_'")
			.optional(),
	})
	.strict();

const tlsSchema = z
	.object({
		/** Path of the PEM certificate (chain) file. */
		cert: z.string().min(1),
		/** Path of the PEM private key file. */
		key: z.string().min(1),
	})
	.strict();

/** The configuration schema (input: what a file or a caller may give; output: with defaults). */
export const configSchema = z
	.object({
		/** Directory of local files (the embedded SQLite database, the key file). @default "~/.strongbox" */
		dataDir: z.string().min(1),
		database: z
			.object({
				/**
				 * Catalog database: `sqlite:<path>`, `postgres://…`, `mysql://…`.
				 * @default `sqlite:<dataDir>/strongbox.db`
				 */
				url: z.string().min(1).optional(),
				/** Prefix of every table (catalog, values, identity, audit). @default the catalog's own ("strongbox_") */
				tablePrefix: z
					.string()
					.regex(
						/^[a-z][a-z0-9_]{0,31}$/,
						"must be 1–32 lower-case letters, digits and '_', starting with a letter",
					)
					.optional(),
			})
			.strict()
			.prefault({}),
		/** The store new secrets are written to. @default `{ type: "sql" }` (values encrypted in the catalog database) */
		store: storeSchema.prefault({ type: "sql" }),
		/**
		 * A second store in another location (region, account or provider) that receives a
		 * copy of every write to `store`; reads fall back to it while `store` is unavailable.
		 * Its `name` (a label for `/metrics` and doctor) defaults to `"backup"`.
		 */
		backup: storeSchema.optional(),
		/** Read-only back-ends that still hold the values of older secrets (during and after a migration). */
		secondaryStores: z.array(storeSchema).max(16).default([]),
		encryption: z
			.object({
				/** Key ring of the SQL store, `"<keyId>:<base64 32 bytes>,…"` (first = active). Secret. */
				keys: z.string().min(1).optional(),
				/** File holding the key ring. @default `<dataDir>/strongbox.key` with an embedded SQLite database */
				keyFile: z.string().min(1).optional(),
			})
			.strict()
			.prefault({}),
		server: z
			.object({
				/** Address to listen on. @default "127.0.0.1" */
				host: z.string().min(1).max(255).default("127.0.0.1"),
				/** Port to listen on (0: any free port). @default 8787 */
				port: z.number().int().min(0).max(65535).default(8787),
				/** Serve HTTPS with this certificate and key (PEM paths). */
				tls: tlsSchema.optional(),
				/** Allow plain HTTP on a non-loopback address (behind a TLS-terminating proxy). @default false */
				allowInsecureHttp: z.boolean().default(false),
				/** Trust `X-Forwarded-*` from a proxy in front (the audit's source IP). @default false */
				trustProxy: z.boolean().default(false),
			})
			.strict()
			.prefault({}),
		limits: z
			.object({
				/** Largest request body in bytes. @default 1048576 (1 MiB) */
				bodyBytes: z
					.number()
					.int()
					.min(1024)
					.max(64 * 1024 * 1024)
					.default(1024 * 1024),
				/** Size limit of a secret's values (bytes of their JSON), lowered to the store's own. @default 65536 */
				maxValueBytes: z
					.number()
					.int()
					.min(1)
					.max(16 * 1024 * 1024)
					.default(64 * 1024),
				/** Largest listing page. @default 1000 */
				maxPageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).default(MAX_PAGE_SIZE),
			})
			.strict()
			.prefault({}),
		rateLimit: z
			.object({
				/** Requests per minute per token (per IP without a token); 0 disables. @default 600 */
				requestsPerMinute: z.number().int().min(0).max(1_000_000).default(600),
			})
			.strict()
			.prefault({}),
		cache: z
			.object({
				/**
				 * How long decrypted values may be served from memory, in milliseconds; 0 turns the
				 * cache off. Entries are served only while their version is the catalog row's
				 * (read on every call), so a write by another replica is never served stale. @default 60000
				 */
				ttlMs: z
					.number()
					.int()
					.min(0)
					.max(24 * 3600 * 1000)
					.default(60_000),
				/** Most secrets held. @default 10000 */
				max: z.number().int().min(1).max(1_000_000).default(10_000),
			})
			.strict()
			.prefault({}),
		audit: z
			.object({
				/** Withhold values (503) and refuse writes when the audit entry cannot be written. @default false */
				failClosed: z.boolean().default(false),
			})
			.strict()
			.prefault({}),
		auth: z
			.object({
				/** How long a verified token is trusted before the database is asked again (revocations by other replicas take this long). @default 5000 */
				cacheTtlMs: z.number().int().min(0).max(600_000).default(5000),
				/** Create an admin user, a default workspace and print an admin token on first start. @default true */
				bootstrap: z.boolean().default(true),
			})
			.strict()
			.prefault({}),
		reconcile: z
			.object({
				/** Seconds between two reconciliations (the first runs at start); 0 runs it at start only. @default 300 */
				intervalSeconds: z
					.number()
					.int()
					.min(0)
					.max(7 * 24 * 3600)
					.default(300),
			})
			.strict()
			.prefault({}),
		metrics: z
			.object({
				/** Serve `/metrics`. @default true */
				enabled: z.boolean().default(true),
				/** Require a valid token on `/metrics`. @default false */
				requireAuth: z.boolean().default(false),
			})
			.strict()
			.prefault({}),
		log: z
			.object({
				/** pino level. @default "info" */
				level: z.enum(LOG_LEVELS).default("info"),
			})
			.strict()
			.prefault({}),
	})
	.strict();

/** A complete, validated configuration (every default applied). */
export type StrongboxConfig = z.output<typeof configSchema>;

/** What a file or a caller may give: every field but `dataDir` optional. */
export type StrongboxConfigInput = Omit<z.input<typeof configSchema>, "dataDir"> & {
	dataDir?: string;
};

/** One store entry of the configuration. */
export type StoreEntry = StrongboxConfig["store"];
