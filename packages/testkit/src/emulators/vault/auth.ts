/**
 * Tokens (TTL on the emulator's clock, renewal, revocation), AppRole login, and ACL
 * policies with Vault's path matching: an exact path beats a glob, the longest glob wins,
 * `+` matches one segment, `deny` beats everything, capabilities of several policies on
 * the same path are merged.
 */
import { randomBytes } from "node:crypto";

/** A capability of a Vault ACL rule. */
export type VaultCapability =
	| "create"
	| "read"
	| "update"
	| "patch"
	| "delete"
	| "list"
	| "sudo"
	| "deny";

/** A policy: path (exact, `*`-suffixed glob, `+` segments) → capabilities. */
export type VaultPolicy = Record<string, readonly VaultCapability[]>;

/** A token the emulator knows. */
export interface VaultTokenSpec {
	/** Policies besides `default`. `root` allows everything. @default ["root"] */
	policies?: string[];
	/** Seconds until expiry; 0 = never (root tokens). @default 0 */
	ttl?: number;
	/** Renewals never extend past this many seconds after issue; 0 = no cap. @default 0 */
	maxTtl?: number;
	/** @default true when `ttl` > 0 */
	renewable?: boolean;
}

/** The AppRole role the emulator accepts at `auth/<mount>/login`. */
export interface VaultAppRoleSpec {
	roleId: string;
	secretId: string;
	/** TTL of the tokens it issues, in seconds. @default 3600 */
	ttl?: number;
	/** @default 0 (no cap) */
	maxTtl?: number;
	/** @default true */
	renewable?: boolean;
	/** @default ["root"] */
	policies?: string[];
	/** @default "approle" */
	mount?: string;
}

/** Vault's built-in `default` policy, reduced to the paths the emulator serves. */
const DEFAULT_POLICY: VaultPolicy = {
	"auth/token/lookup-self": ["read"],
	"auth/token/renew-self": ["update"],
	"auth/token/revoke-self": ["update"],
	"sys/capabilities-self": ["update"],
};

interface TokenState {
	id: string;
	accessor: string;
	policies: string[];
	creationTtl: number;
	maxTtl: number;
	renewable: boolean;
	issuedAt: number;
	/** Milliseconds on the emulator clock; 0 = never. */
	expiresAt: number;
	path: string;
	meta: Record<string, string> | null;
}

/** A Vault-style error raised by token operations. */
export class AuthError extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
	}
}

function newTokenId(): string {
	return `hvs.${randomBytes(18).toString("base64url")}`;
}

/** Tokens and AppRole logins, on the emulator's clock (milliseconds). */
export class TokenStore {
	private readonly tokens = new Map<string, TokenState>();

	constructor(private readonly now: () => number) {}

	add(
		id: string,
		spec: VaultTokenSpec = {},
		path = "auth/token/create",
		meta: Record<string, string> | null = null,
	): string {
		const ttl = spec.ttl ?? 0;
		const policies = [...new Set(["default", ...(spec.policies ?? ["root"])])];
		this.tokens.set(id, {
			id,
			accessor: randomBytes(12).toString("base64url"),
			policies: policies.includes("root") ? ["root"] : policies,
			creationTtl: ttl,
			maxTtl: spec.maxTtl ?? 0,
			renewable: spec.renewable ?? ttl > 0,
			issuedAt: this.now(),
			expiresAt: ttl > 0 ? this.now() + ttl * 1000 : 0,
			path,
			meta,
		});
		return id;
	}

	/** A live token, or `undefined` (unknown, revoked or expired: Vault forgets expired tokens). */
	get(id: string | undefined): TokenState | undefined {
		if (!id) return undefined;
		const token = this.tokens.get(id);
		if (token && token.expiresAt !== 0 && token.expiresAt <= this.now()) {
			this.tokens.delete(id);
			return undefined;
		}
		return token;
	}

	/** Ids of the live tokens, oldest first. */
	list(): string[] {
		return [...this.tokens.keys()].filter((id) => this.get(id) !== undefined);
	}

	revoke(id: string): boolean {
		return this.tokens.delete(id);
	}

	/** Seconds left, 0 for a token that never expires, `undefined` when not live. */
	ttl(id: string): number | undefined {
		const token = this.get(id);
		if (!token) return undefined;
		return token.expiresAt === 0
			? 0
			: Math.max(0, Math.floor((token.expiresAt - this.now()) / 1000));
	}

	/** `auth/token/lookup-self` data. Like Vault, it echoes the token id. */
	lookup(token: TokenState) {
		const ttl = this.ttl(token.id) ?? 0;
		return {
			accessor: token.accessor,
			creation_time: Math.floor(token.issuedAt / 1000),
			creation_ttl: token.creationTtl,
			display_name: token.path.startsWith("auth/approle") ? "approle" : "token",
			entity_id: "",
			expire_time: token.expiresAt === 0 ? null : new Date(token.expiresAt).toISOString(),
			explicit_max_ttl: token.maxTtl,
			id: token.id,
			issue_time: new Date(token.issuedAt).toISOString(),
			meta: token.meta,
			num_uses: 0,
			orphan: true,
			path: token.path,
			policies: token.policies,
			renewable: token.renewable,
			ttl,
			type: "service",
		};
	}

	private authBlock(token: TokenState, leaseDuration: number) {
		return {
			client_token: token.id,
			accessor: token.accessor,
			policies: token.policies,
			token_policies: token.policies,
			metadata: token.meta,
			lease_duration: leaseDuration,
			renewable: token.renewable,
			entity_id: "",
			token_type: "service",
			orphan: true,
			mfa_requirement: null,
			num_uses: 0,
		};
	}

	/** `auth/token/renew-self`: extends the TTL by `increment` (or the creation TTL), capped by max TTL. */
	renew(token: TokenState, increment: unknown) {
		if (!token.renewable || token.expiresAt === 0)
			throw new AuthError(400, "lease is not renewable");
		let seconds = token.creationTtl;
		if (increment !== undefined && increment !== null && increment !== "") {
			seconds = typeof increment === "number" ? increment : Number.parseInt(String(increment), 10);
			if (!Number.isInteger(seconds) || seconds <= 0) throw new AuthError(400, "invalid increment");
		}
		let expiresAt = this.now() + seconds * 1000;
		if (token.maxTtl > 0) expiresAt = Math.min(expiresAt, token.issuedAt + token.maxTtl * 1000);
		token.expiresAt = expiresAt;
		return this.authBlock(token, Math.max(0, Math.floor((expiresAt - this.now()) / 1000)));
	}

	/** `auth/<mount>/login` of AppRole: a fresh token with the role's TTL and policies. */
	login(role: VaultAppRoleSpec, body: Record<string, unknown>) {
		if (typeof body.role_id !== "string" || body.role_id === "")
			throw new AuthError(400, "missing role_id");
		if (body.role_id !== role.roleId) throw new AuthError(400, "invalid role ID");
		if (body.secret_id !== role.secretId) throw new AuthError(400, "invalid secret id");
		const id = this.add(
			newTokenId(),
			{
				policies: role.policies ?? ["root"],
				ttl: role.ttl ?? 3600,
				maxTtl: role.maxTtl ?? 0,
				renewable: role.renewable ?? true,
			},
			`auth/${role.mount ?? "approle"}/login`,
			{ role_name: "strongbox" },
		);
		const token = this.tokens.get(id)!;
		return this.authBlock(token, token.creationTtl);
	}
}

/** Glob match of one policy path against a request path. */
function matches(pattern: string, path: string): boolean {
	const glob = pattern.endsWith("*");
	const body = glob ? pattern.slice(0, -1) : pattern;
	const patternParts = body.split("/");
	const pathParts = path.split("/");
	if (!glob && patternParts.length !== pathParts.length) return false;
	if (glob && pathParts.length < patternParts.length) return false;
	for (let i = 0; i < patternParts.length; i++) {
		const p = patternParts[i]!;
		const s = pathParts[i]!;
		const last = i === patternParts.length - 1;
		if (p === "+") continue;
		if (last && glob ? !s.startsWith(p) : s !== p) return false;
	}
	return true;
}

/** The ACL of a set of policies. */
export class Acl {
	constructor(private readonly policies: Record<string, VaultPolicy>) {}

	/** Capabilities on `path` for a token holding `names`. `["root"]` for root tokens. */
	capabilities(names: readonly string[], path: string): string[] {
		if (names.includes("root")) return ["root"];
		const merged = new Map<string, Set<VaultCapability>>();
		for (const name of names) {
			const policy = name === "default" ? DEFAULT_POLICY : this.policies[name];
			for (const [pattern, caps] of Object.entries(policy ?? {})) {
				const set = merged.get(pattern) ?? new Set();
				for (const cap of caps) set.add(cap);
				merged.set(pattern, set);
			}
		}
		let best: string | undefined;
		for (const pattern of merged.keys()) {
			if (!matches(pattern, path)) continue;
			const exact = !pattern.endsWith("*") && !pattern.includes("+");
			if (exact) {
				best = pattern;
				break;
			}
			if (best === undefined || pattern.length > best.length) best = pattern;
		}
		const caps = best === undefined ? undefined : merged.get(best);
		if (!caps || caps.has("deny") || caps.size === 0) return ["deny"];
		return [...caps].sort();
	}

	allows(names: readonly string[], path: string, capability: VaultCapability): boolean {
		const caps = this.capabilities(names, path);
		return caps.includes("root") || caps.includes(capability);
	}
}
