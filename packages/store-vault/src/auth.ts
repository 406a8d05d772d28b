/**
 * Where the store's Vault token comes from: a fixed token, or an AppRole login whose
 * token is renewed (`auth/token/renew-self`) once two thirds of its lease have passed,
 * and replaced by a fresh login when renewal fails, the token is not renewable, or the
 * renewal was capped short by the token's max TTL. Renewal happens on the next call
 * after the renewal point (no timer keeps the process alive).
 */
import type { TokenLease, VaultApi } from "./client.js";

/** Supplies the token of each call. */
export interface TokenSource {
	/** The token to send now (logging in or renewing first when due). */
	token(): Promise<string | undefined>;
	/** Whether a refused token can be replaced by logging in again. */
	readonly canLogin: boolean;
	/** Forgets `token` after Vault refused it, so the next `token()` logs in again. */
	invalidate(token: string | undefined): void;
}

/** A fixed token (or none: an injected client carries its own). */
export function staticToken(token: string | undefined): TokenSource {
	return { token: async () => token, canLogin: false, invalidate() {} };
}

interface Lease {
	token: string;
	renewable: boolean;
	/** Clock time (ms) after which the next call renews or logs in. */
	refreshAt: number;
	/** Clock time (ms) the token expires; Infinity when it does not. */
	expiresAt: number;
	/** Log in instead of renewing next time (renewal no longer worth it). */
	loginNext: boolean;
}

/** Options of {@link appRoleToken}. */
export interface AppRoleSource {
	api: VaultApi;
	/** Runs one back-end call with retries and typed errors (the store's caller). */
	call<T>(operation: string, fn: () => Promise<T>): Promise<T>;
	mountPath: string;
	roleId: string;
	secretId: string;
	now: () => number;
}

const REFRESH_FRACTION = 2 / 3;

function leaseFrom(lease: TokenLease, now: number, loginTtl: number): Lease {
	const ms = lease.leaseDuration * 1000;
	return {
		token: lease.token,
		renewable: lease.renewable,
		refreshAt: ms > 0 ? now + ms * REFRESH_FRACTION : Number.POSITIVE_INFINITY,
		expiresAt: ms > 0 ? now + ms : Number.POSITIVE_INFINITY,
		// A renewal cut short by the max TTL buys little: the next refresh logs in.
		loginNext: !lease.renewable || (loginTtl > 0 && lease.leaseDuration < loginTtl / 3),
	};
}

/** AppRole: login, renewal before expiry, re-login. Concurrent callers share one refresh. */
export function appRoleToken(source: AppRoleSource): TokenSource {
	let lease: Lease | undefined;
	let loginTtl = 0;
	let refreshing: Promise<Lease> | undefined;

	async function login(): Promise<Lease> {
		const result = await source.call("login", () =>
			source.api.appRoleLogin(source.mountPath, source.roleId, source.secretId),
		);
		loginTtl = result.leaseDuration;
		return leaseFrom(result, source.now(), loginTtl);
	}

	async function refresh(current: Lease | undefined): Promise<Lease> {
		if (current && !current.loginNext && current.renewable && source.now() < current.expiresAt) {
			try {
				const renewed = await source.call("renew", () => source.api.renewSelf(current.token));
				return leaseFrom({ ...renewed, token: current.token }, source.now(), loginTtl);
			} catch {
				// Whatever went wrong with the old token, a fresh login settles it.
			}
		}
		return login();
	}

	return {
		canLogin: true,
		async token() {
			if (lease && source.now() < lease.refreshAt) return lease.token;
			refreshing ??= refresh(lease).finally(() => {
				refreshing = undefined;
			});
			lease = await refreshing;
			return lease.token;
		},
		invalidate(token) {
			if (lease && lease.token === token) lease = undefined;
		},
	};
}
