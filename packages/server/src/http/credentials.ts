/**
 * The bearer token a request presents, parsed and digested once per request (the rate
 * limiter keys on the digest, then authentication looks it up), and once per few seconds
 * for a token seen again: the digests of recently **authenticated** `Authorization`
 * headers are remembered, so a client reusing its token skips the header parse and the
 * SHA-256.
 *
 * Trade-off, on purpose: the remembered entries are keyed by the raw header, so up to
 * {@link MAX_REMEMBERED} valid tokens stay in this process's memory, each for at most
 * {@link MAX_REMEMBER_MS} (or `auth.cacheTtlMs` when shorter) after it was remembered. Only tokens that authenticated are kept (a flood of made-up tokens
 * cannot fill it, and an unknown token is never held), and nothing is kept when that
 * cache is off. The process already holds the same tokens in its request buffers and
 * the decrypted values of the secrets they read in its values cache. What a token may
 * do is still decided by the authenticator on every request from the digest
 * (revocations, expiry and user changes apply as before): the memo only saves
 * recomputing a pure function.
 */
import type { FastifyRequest } from "fastify";
import { bearerToken } from "../identity/auth.js";
import { hashToken, isTokenShaped } from "../identity/tokens.js";

/** Most remembered headers; the oldest goes first. */
export const MAX_REMEMBERED = 1000;
/** Longest time a header is remembered, whatever the authentication cache's TTL. */
export const MAX_REMEMBER_MS = 5000;

/** A request's token and its digest (`undefined` when absent or not token-shaped). */
export interface Presented {
	readonly token: string | undefined;
	readonly hash: string | undefined;
	/** Whether this came from the memo (then it needs no remembering). */
	readonly remembered: boolean;
}

const NONE: Presented = { token: undefined, hash: undefined, remembered: false };

/** Request property holding its {@link Presented} token (declared with `decorateRequest`). */
export const PRESENTED = "strongboxPresented";

type WithPresented = FastifyRequest & { [PRESENTED]: Presented | null };

/** Parses and digests presented tokens, remembering the digests of authenticated ones. */
export interface Credentials {
	/** The token of a request and its digest, computed at most once per request. */
	of(request: FastifyRequest): Presented;
	/** Records that the request's token authenticated (its digest may be reused for `ttlMs`). */
	authenticated(request: FastifyRequest): void;
}

/**
 * Creates the per-process token memo. `authCacheTtlMs` is the authentication cache's TTL:
 * headers are remembered no longer than it (nor than {@link MAX_REMEMBER_MS}); 0 turns
 * the memo off.
 */
export function createCredentials(authCacheTtlMs: number): Credentials {
	const ttlMs = Math.min(authCacheTtlMs, MAX_REMEMBER_MS);
	const remembered = new Map<string, { presented: Presented; until: number }>();

	function parse(header: string | string[] | undefined): Presented {
		if (header === undefined) return NONE;
		if (typeof header === "string" && ttlMs > 0) {
			const known = remembered.get(header);
			if (known !== undefined) {
				if (known.until > Date.now()) return known.presented;
				remembered.delete(header);
			}
		}
		const token = bearerToken(header);
		if (token === undefined) return NONE;
		return { token, hash: isTokenShaped(token) ? hashToken(token) : undefined, remembered: false };
	}

	return {
		of(request) {
			const r = request as WithPresented;
			let presented = r[PRESENTED];
			if (!presented) {
				presented = parse(request.headers.authorization);
				r[PRESENTED] = presented;
			}
			return presented;
		},
		authenticated(request) {
			const presented = (request as WithPresented)[PRESENTED];
			const header = request.headers.authorization;
			if (ttlMs <= 0 || !presented?.hash || presented.remembered || typeof header !== "string") {
				return;
			}
			// Kept for a fixed time from now (not renewed by use): the token is re-hashed at
			// least once per `ttlMs`, and held at most that long after its last use.
			if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
			remembered.set(header, {
				presented: { token: presented.token, hash: presented.hash, remembered: true },
				until: Date.now() + ttlMs,
			});
		},
	};
}
