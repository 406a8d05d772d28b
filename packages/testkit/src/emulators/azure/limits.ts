/**
 * Key Vault's input rules, answered with 400 BadParameter like the service.
 *
 * Limits (service facts, "About Azure Key Vault secrets",
 * https://learn.microsoft.com/azure/key-vault/secrets/about-secrets, and "Key Vault
 * keys, secrets and certificates overview",
 * https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates):
 * - names: 1–127 characters of `0-9 a-z A-Z -`, case-insensitive;
 * - values: "a maximum size of 25k bytes"; the service enforces it as 25,600 (its
 *   answer: `400 BadParameter` "Secret is beyond the maximum permitted length of 25600
 *   characters." with inner `SecretTooLarge`). The emulator counts UTF-8 bytes, the
 *   stricter reading;
 * - contentType: at most 255 characters;
 * - tags: the emulator allows 15 per version, names ≤ 512 and values ≤ 256 characters
 *   (Azure's tag limits; the Key Vault pages above do not state them).
 */
import { badParameter } from "./errors.js";

/** Largest secret value, in UTF-8 bytes (see the module comment). */
export const MAX_VALUE_BYTES = 25_600;
/** Name rule of every Key Vault object. */
export const NAME_PATTERN = /^[0-9a-zA-Z-]{1,127}$/;
/** Longest content type. */
export const MAX_CONTENT_TYPE = 255;
/** Most tags on one version. */
export const MAX_TAGS = 15;
const MAX_TAG_NAME = 512;
const MAX_TAG_VALUE = 256;

/** Validates an object name (400 BadParameter like the service). */
export function checkName(name: string): void {
	if (!NAME_PATTERN.test(name)) {
		throw badParameter(
			`The request URI contains an invalid name: ${name.slice(0, 130)}. Names are 1-127 characters of 0-9, a-z, A-Z and -.`,
		);
	}
}

/** Validates tags: at most 15, string values, bounded lengths. */
export function checkTags(tags: unknown): Record<string, string> | undefined {
	if (tags === undefined || tags === null) return undefined;
	if (typeof tags !== "object" || Array.isArray(tags))
		throw badParameter("Tags must be an object.");
	const entries = Object.entries(tags as Record<string, unknown>);
	if (entries.length > MAX_TAGS) throw badParameter(`At most ${MAX_TAGS} tags are allowed.`);
	for (const [key, value] of entries) {
		if (typeof value !== "string") throw badParameter("Tag values must be strings.");
		if (key.length === 0 || key.length > MAX_TAG_NAME || value.length > MAX_TAG_VALUE) {
			throw badParameter("A tag name or value is too long.");
		}
	}
	return Object.fromEntries(entries) as Record<string, string>;
}

/** Validates a content type. */
export function checkContentType(contentType: unknown): string | undefined {
	if (contentType === undefined || contentType === null) return undefined;
	if (typeof contentType !== "string" || contentType.length > MAX_CONTENT_TYPE) {
		throw badParameter(`contentType must be a string of at most ${MAX_CONTENT_TYPE} characters.`);
	}
	return contentType;
}

/** An optional epoch-seconds attribute. */
export function optionalSeconds(value: unknown, field: string): number | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value !== "number" || !Number.isFinite(value)) {
		throw badParameter(`attributes.${field} must be a number of seconds.`);
	}
	return Math.floor(value);
}

/** An optional boolean attribute. */
export function optionalBoolean(value: unknown, field: string): boolean | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value !== "boolean") throw badParameter(`attributes.${field} must be a boolean.`);
	return value;
}
