/**
 * API tokens: 256 random bits, shown once, stored only as their SHA-256 digest. The
 * digest of a presented token is compared with the stored one by `timingSafeEqual` on
 * two 32-byte buffers, so neither the comparison nor a length check leaks timing.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Every token starts with this, so that secret scanners can recognise a leaked one. */
export const TOKEN_PREFIX = "sbx_";
/** `sbx_` + base64url of 32 random bytes (43 characters). */
export const TOKEN_PATTERN = /^sbx_[A-Za-z0-9_-]{43}$/;

/** A new random token (256 bits). */
export function generateToken(): string {
	return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** The SHA-256 digest of a token, as stored (hex). */
export function hashToken(token: string): string {
	return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Whether a string has the shape of a token (checked before any lookup). */
export function isTokenShaped(token: string): boolean {
	return TOKEN_PATTERN.test(token);
}

/**
 * Constant-time comparison of two hex SHA-256 digests. Anything that is not a 64-digit
 * hex string is unequal, without throwing.
 */
export function digestsEqual(a: string, b: string): boolean {
	if (!/^[0-9a-f]{64}$/.test(a) || !/^[0-9a-f]{64}$/.test(b)) return false;
	return timingSafeEqual(Buffer.from(a, "hex"), Buffer.from(b, "hex"));
}
