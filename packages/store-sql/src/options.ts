/**
 * Options of the SQL values store, validated with zod (every problem listed at once by
 * core's `validateStoreOptions`; no message ever quotes a key or a URL).
 */
import type { Knex } from "knex";
import { z } from "zod";
import { type KeyInput, keyRingIssues, MAX_KEY_RING_LENGTH, MAX_KEYS } from "./keyring.js";
import { TABLE_PREFIX_PATTERN } from "./tables.js";

/** Default size limit of one secret's values (bytes of their JSON). */
export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;
/** Largest accepted `maxValueBytes` (the MySQL column holds 16 MiB of base64). */
export const MAX_MAX_VALUE_BYTES = 8 * 1024 * 1024;

/** Options of the SQL values store (`type: "sql"`). */
export interface SqlStoreOptions {
	/**
	 * Database URL of the values table (`sqlite:<path>`, `postgres://…`, `mysql://…`).
	 * **Credential**: may hold a password; never printed.
	 * @default the catalog's own connection (`StoreContext.catalogConnection`)
	 */
	url?: string;
	/** A knex instance to use instead of `url`; the store never destroys it. */
	knex?: Knex;
	/** Prefix of the store's tables (`<prefix>values`, `<prefix>value_keys`). @default "strongbox_" */
	tablePrefix?: string;
	/**
	 * **Credential.** The key ring: `"<keyId>:<base64 32 bytes>,<keyId2>:<base64>"` or
	 * `[{ id, key }]`. The first key encrypts new writes; the others only decrypt.
	 * Generate a key with `openssl rand -base64 32` or `generateKey()`.
	 */
	keys?: string | KeyInput[];
	/** A file holding a key ring (entries separated by commas or new lines, `#` comments); read at start. Its keys come after `keys`. */
	keyFile?: string;
	/** Store values WITHOUT encryption when no key is configured. Development only; logs a warning. @default false */
	insecureNoEncryption?: boolean;
	/** Size limit of one secret's values, in bytes of their JSON. @default 1048576 (1 MiB), at most 8 MiB */
	maxValueBytes?: number;
}

const keyInput = z.strictObject({
	id: z.string(),
	key: z.union([z.string().max(256), z.instanceof(Uint8Array)]),
});

function isKnex(value: unknown): value is Knex {
	return (
		typeof value === "function" &&
		typeof (value as { raw?: unknown }).raw === "function" &&
		typeof (value as { client?: unknown }).client === "object"
	);
}

/** The zod schema of {@link SqlStoreOptions}. */
export const sqlStoreOptionsSchema = z.strictObject({
	url: z
		.string()
		.min(1, "must not be empty")
		.max(4096, "is longer than 4096 characters")
		.optional(),
	knex: z.custom<Knex>(isKnex, "must be a knex instance").optional(),
	tablePrefix: z
		.string()
		.regex(
			TABLE_PREFIX_PATTERN,
			"must be at most 32 lower-case letters, digits and '_', starting with a letter",
		)
		.optional(),
	keys: z
		.union([
			z.string().max(MAX_KEY_RING_LENGTH, `is longer than ${MAX_KEY_RING_LENGTH} characters`),
			z.array(keyInput).max(MAX_KEYS, `holds more than ${MAX_KEYS} keys`),
		])
		.superRefine((keys, ctx) => {
			for (const issue of keyRingIssues(keys)) {
				ctx.addIssue({
					code: "custom",
					message: issue.message,
					path: issue.path
						.replace(/^keys/, "")
						.split(/[.[\]]+/)
						.filter(Boolean)
						.map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
				});
			}
		})
		.optional(),
	keyFile: z
		.string()
		.min(1, "must not be empty")
		.max(4096, "is longer than 4096 characters")
		.optional(),
	insecureNoEncryption: z.boolean().optional(),
	maxValueBytes: z
		.number()
		.int("must be an integer")
		.min(1, "must be at least 1")
		.max(MAX_MAX_VALUE_BYTES, `must be at most ${MAX_MAX_VALUE_BYTES}`)
		.optional(),
}) satisfies z.ZodType<SqlStoreOptions>;
