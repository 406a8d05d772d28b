/**
 * The key ring of the SQL values store: AES-256 keys, each with an id. The first key
 * encrypts new writes; the others only decrypt (rotation: put the new key first, run
 * `reencrypt`, then drop the old one). Key material never appears in a message.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { type Logger, StoreConfigError, type ValidationIssue } from "@strongbox/core";

/** Key ids: 1–64 letters, digits, `_` and `-` (no `.`: it separates the envelope's parts). */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Most keys a ring may hold. */
export const MAX_KEYS = 32;
/** Longest key ring string or key file accepted (bytes). */
export const MAX_KEY_RING_LENGTH = 8192;

/** A key as configured: base64 (standard or URL-safe) or hex text of 32 bytes, or the bytes. */
export interface KeyInput {
	id: string;
	key: string | Uint8Array;
}

/** A parsed key. */
export interface RingKey {
	id: string;
	key: Buffer;
}

const HOW_TO_GENERATE =
	"32 random bytes in base64, e.g. from `openssl rand -base64 32` or `generateKey()` of @strongbox/store-sql";

/** A new random 256-bit key, base64-encoded (what `openssl rand -base64 32` prints). */
export function generateKey(): string {
	return randomBytes(32).toString("base64");
}

function decodeKey(key: string | Uint8Array): Buffer | undefined {
	if (typeof key !== "string") {
		return key instanceof Uint8Array && key.byteLength === 32 ? Buffer.from(key) : undefined;
	}
	const text = key.trim();
	if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
	if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
		const bytes = Buffer.from(text, "base64");
		return bytes.length === 32 ? bytes : undefined;
	}
	return undefined;
}

/** Entries of a ring string; `undefined` marks a part without `id:`. */
function entriesOf(input: string): (KeyInput | undefined)[] {
	return input
		.split(/[\s,]+/)
		.filter((part) => part !== "")
		.map((part) => {
			const colon = part.indexOf(":");
			return colon <= 0 ? undefined : { id: part.slice(0, colon), key: part.slice(colon + 1) };
		});
}

/**
 * Checks a key ring (a `"id:key,id2:key2"` string or an array of `{ id, key }`) and
 * returns the problems found, every one of them, without quoting any key.
 */
export function keyRingIssues(
	input: string | readonly KeyInput[],
	path = "keys",
): ValidationIssue[] {
	return parseEntries(input, path).issues;
}

function parseEntries(
	input: string | readonly KeyInput[],
	path: string,
): { keys: RingKey[]; issues: ValidationIssue[] } {
	if (typeof input === "string" && input.length > MAX_KEY_RING_LENGTH) {
		return {
			keys: [],
			issues: [{ path, message: `is longer than ${MAX_KEY_RING_LENGTH} characters` }],
		};
	}
	const entries: readonly (KeyInput | undefined)[] =
		typeof input === "string" ? entriesOf(input) : input;
	const issues: ValidationIssue[] = [];
	if (entries.length === 0) issues.push({ path, message: "holds no key" });
	if (entries.length > MAX_KEYS) issues.push({ path, message: `holds more than ${MAX_KEYS} keys` });
	const keys: RingKey[] = [];
	const seen = new Set<string>();
	for (const [index, entry] of entries.slice(0, MAX_KEYS).entries()) {
		const at = `${path}[${index}]`;
		if (entry === undefined) {
			issues.push({ path: at, message: 'must be "<keyId>:<base64 key>"' });
			continue;
		}
		if (typeof entry?.id !== "string" || !KEY_ID_PATTERN.test(entry.id)) {
			issues.push({
				path: `${at}.id`,
				message: "key id must be 1–64 letters, digits, '_' and '-'",
			});
			continue;
		}
		if (seen.has(entry.id)) {
			issues.push({ path: `${at}.id`, message: "the same key id appears twice" });
			continue;
		}
		seen.add(entry.id);
		const key = decodeKey(entry.key);
		if (!key) {
			issues.push({ path: `${at}.key`, message: `must be ${HOW_TO_GENERATE}` });
			continue;
		}
		keys.push({ id: entry.id, key });
	}
	return { keys, issues };
}

/** Parses a key ring; `StoreConfigError` listing every problem. */
export function parseKeyRing(input: string | readonly KeyInput[], path = "keys"): RingKey[] {
	const { keys, issues } = parseEntries(input, path);
	if (issues.length > 0) {
		throw new StoreConfigError(
			`[store-sql] Invalid key ring:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n")}`,
			{ store: "sql", details: { issues } },
		);
	}
	return keys;
}

/** Reads a key file: a key ring, entries separated by commas or new lines, `#` comments. */
export async function readKeyFile(path: string, logger: Logger): Promise<RingKey[]> {
	let text: string;
	try {
		const info = await stat(path);
		if (info.size > MAX_KEY_RING_LENGTH) {
			throw new StoreConfigError(
				`[store-sql] Key file ${path} is larger than ${MAX_KEY_RING_LENGTH} bytes.`,
				{
					store: "sql",
				},
			);
		}
		if (process.platform !== "win32" && (info.mode & 0o077) !== 0) {
			logger.warn(
				`[store-sql] Key file ${path} is readable by other users; restrict it with \`chmod 600\`.`,
			);
		}
		text = await readFile(path, "utf8");
	} catch (error) {
		if (error instanceof StoreConfigError) throw error;
		throw new StoreConfigError(`[store-sql] Cannot read key file ${path}.`, {
			store: "sql",
			cause: error,
		});
	}
	const body = text
		.split(/\r?\n/)
		.filter((line) => !line.trim().startsWith("#"))
		.join("\n");
	return parseKeyRing(body, "keyFile");
}

/** Joins the configured rings (`keys` first, then `keyFile`); the same id twice must hold the same key. */
export function mergeRings(...rings: RingKey[][]): RingKey[] {
	const out: RingKey[] = [];
	for (const ring of rings) {
		for (const key of ring) {
			const existing = out.find((k) => k.id === key.id);
			if (!existing) out.push(key);
			else if (!existing.key.equals(key.key)) {
				throw new StoreConfigError(
					`[store-sql] Key id \`${key.id}\` is configured twice (in \`keys\` and \`keyFile\`) with different keys.`,
					{ store: "sql" },
				);
			}
		}
	}
	if (out.length > MAX_KEYS) {
		throw new StoreConfigError(`[store-sql] The key ring holds more than ${MAX_KEYS} keys.`, {
			store: "sql",
		});
	}
	return out;
}

/**
 * A value that tells whether a key is the one a database was first used with, without
 * revealing it: HMAC-SHA256 of a fixed label under the key.
 */
export function keyCheck(key: RingKey): string {
	return createHmac("sha256", key.key)
		.update(`strongbox store-sql key check v1\0${key.id}`)
		.digest("base64");
}

/** Constant-time comparison of two check values. */
export function sameCheck(a: string, b: string): boolean {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
}

/** How to configure a key, for messages. */
export const NO_KEY_HELP =
	'[store-sql] No encryption key configured. Set `keys` ("<keyId>:<base64 key>", for example from `openssl rand -base64 32` or `generateKey()`) or `keyFile` (a file holding such a key ring). To run without encryption in development only, set `insecureNoEncryption: true`.';
