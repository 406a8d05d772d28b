/**
 * Authentication: a bearer token → the principal it belongs to, and the principal → a
 * core `Caller`. Verified principals are cached for `cacheTtlMs` (a few seconds) so a
 * read costs no identity query; a revocation or membership change made through this
 * process clears the cache at once; one made through another replica arrives as an
 * eviction notice on PostgreSQL, and otherwise takes at most that long.
 */
import { AuthError, type Caller, type Logger, StrongboxError } from "@strongbox/core";
import type { IdentityStore, Role } from "./store.js";
import { digestsEqual, hashToken, isTokenShaped } from "./tokens.js";

/** An authenticated user, as a request sees it. */
export interface Principal {
	user: string;
	admin: boolean;
	defaultWorkspace: string;
	/** Workspaces the user is a member of. */
	workspaces: string[];
	/** Role per workspace. */
	roles: Record<string, Role>;
	/** The token used. */
	tokenId: string;
}

/** Options of {@link createAuthenticator}. */
export interface AuthenticatorOptions {
	identity: IdentityStore;
	/** @default 5000 */
	cacheTtlMs?: number;
	logger: Logger;
	now?: () => Date;
}

/** Verifies tokens. */
export interface Authenticator {
	/**
	 * The principal of a raw bearer token; `AuthError` when missing, unknown, expired or
	 * revoked. `hash` is the token's digest when the caller computed it already.
	 */
	authenticate(token: string | undefined, hash?: string): Promise<Principal>;
	/** Forgets every cached principal (after a change to users, memberships or tokens). */
	invalidate(): void;
	/** Forgets the principal of one token (revoked on another replica). */
	invalidateToken(tokenId: string): void;
	/** Forgets every principal of one user (disabled, changed or deleted on another replica). */
	invalidateUser(user: string): void;
}

const MAX_CACHE_ENTRIES = 10_000;
const TOUCH_EVERY_MS = 60_000;

/** Reads the token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
	if (typeof header !== "string" || header.length > 1024) return undefined;
	const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
	return match?.[1];
}

/** Creates the authenticator. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
	const { identity, logger } = options;
	const ttl = options.cacheTtlMs ?? 5000;
	const now = options.now ?? (() => new Date());
	const cache = new Map<
		string,
		{ principal: Principal; until: number; expiresAt: number | null }
	>();
	const touched = new Map<string, number>();

	function touch(tokenId: string, at: number): void {
		const last = touched.get(tokenId) ?? 0;
		if (at - last < TOUCH_EVERY_MS) return;
		touched.set(tokenId, at);
		if (touched.size > MAX_CACHE_ENTRIES) touched.delete(touched.keys().next().value!);
		identity.touchToken(tokenId, new Date(at)).catch((error: unknown) => {
			logger.warn("Could not record a token's last use.", {
				error: error instanceof StrongboxError ? error.code : "UNKNOWN",
			});
		});
	}

	async function load(
		hash: string,
		at: number,
	): Promise<{ principal: Principal; expiresAt: number | null }> {
		const record = await identity.findTokenByHash(hash);
		// The lookup is by hash; the digests are compared again in constant time so that
		// no database collation or index quirk can match a different token.
		if (!record || !digestsEqual(record.hash, hash)) throw new AuthError("Unknown token.");
		if (record.revokedAt !== null) throw new AuthError("This token was revoked.");
		const expiresAt = record.expiresAt?.getTime() ?? null;
		if (expiresAt !== null && expiresAt <= at) throw new AuthError("This token has expired.");
		const user = await identity.getUser(record.user);
		if (!user || user.disabled) throw new AuthError("This token's user is disabled.");
		const memberships = await identity.memberships(user.name);
		return {
			expiresAt,
			principal: {
				user: user.name,
				admin: user.admin,
				defaultWorkspace: user.defaultWorkspace,
				workspaces: memberships.map((m) => m.workspace),
				roles: Object.fromEntries(memberships.map((m) => [m.workspace, m.role])),
				tokenId: record.id,
			},
		};
	}

	return {
		async authenticate(token, knownHash) {
			if (token === undefined) {
				throw new AuthError("Missing token: send `Authorization: Bearer <token>`.");
			}
			if (!isTokenShaped(token)) throw new AuthError("Malformed token.");
			const hash = knownHash ?? hashToken(token);
			const at = now().getTime();
			const cached = cache.get(hash);
			if (cached && cached.until > at && (cached.expiresAt === null || cached.expiresAt > at)) {
				touch(cached.principal.tokenId, at);
				return cached.principal;
			}
			cache.delete(hash);
			const loaded = await load(hash, at);
			if (ttl > 0) {
				if (cache.size >= MAX_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
				cache.set(hash, { ...loaded, until: at + ttl });
			}
			touch(loaded.principal.tokenId, at);
			return loaded.principal;
		},
		invalidate() {
			cache.clear();
		},
		invalidateToken(tokenId) {
			for (const [hash, entry] of cache)
				if (entry.principal.tokenId === tokenId) cache.delete(hash);
		},
		invalidateUser(user) {
			for (const [hash, entry] of cache) if (entry.principal.user === user) cache.delete(hash);
		},
	};
}

/**
 * The core caller of a principal: the selected workspace (or the user's default), the
 * workspaces it is a member of, and every workspace for admins. User-scoped secrets stay
 * visible to their owner only, admins included (core enforces it).
 */
export function callerOf(principal: Principal, workspace?: string): Caller {
	return {
		user: principal.user,
		workspace: workspace ?? principal.defaultWorkspace,
		workspaces: principal.admin ? "*" : principal.workspaces,
	};
}
