/**
 * Options of the store and their schema (zod, a Standard Schema). Defaults are applied in
 * `store.ts`, so the validated options are exactly what the user wrote. No issue message
 * quotes a value: the key is a credential.
 */
import { z } from "zod";

/** Options of `@strongbox/store-custom-template`. */
export interface CustomTemplateStoreOptions {
	/**
	 * The store file. A relative path is resolved from the working directory when the store
	 * is created. Its directory must exist (the store never creates it: a missing directory
	 * is an unmounted volume, reported as unavailable, not an empty store).
	 * @default `<dataDir>/custom-template.json` (the `dataDir` Strongbox hands to stores)
	 */
	path?: string;
	/**
	 * The encryption key: 32 random bytes in base64, for example from
	 * `openssl rand -base64 32`. **Secret**: never printed. Losing it loses every value.
	 */
	key: string;
	/** How long a write waits for another process's lock before failing as unavailable. @default 5000 */
	lockTimeoutMs?: number;
	/**
	 * The largest the store file may grow, in bytes; a write that would pass it is refused
	 * with `PayloadTooLargeError`, and a larger file is not read. @default 67108864 (64 MiB)
	 */
	maxFileBytes?: number;
}

/** Option names that carry credentials (never printed). */
export const SECRET_OPTIONS = ["key"] as const;

/** Defaults of the optional options. */
export const DEFAULTS = {
	lockTimeoutMs: 5000,
	maxFileBytes: 64 * 1024 * 1024,
} as const;

// Exactly 32 bytes in standard base64: 43 characters and one `=` of padding.
const BASE64_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** The options schema. Every problem is reported at once, never with a value. */
export const configSchema = z.strictObject({
	path: z.string().min(1).max(4096).optional(),
	key: z
		.string({ error: "is required: 32 random bytes in base64 (`openssl rand -base64 32`)" })
		.trim()
		.regex(BASE64_KEY, "must be 32 bytes in base64, for example from `openssl rand -base64 32`"),
	lockTimeoutMs: z.number().int().min(1).max(600_000).optional(),
	maxFileBytes: z
		.number()
		.int()
		.min(64 * 1024)
		.max(1024 * 1024 * 1024)
		.optional(),
});
