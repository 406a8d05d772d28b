/**
 * Types of the server's identity and audit API, as the client returns them (dates as
 * `Date`). They mirror `@strongbox/server`'s schemas; the client's end-to-end tests run
 * against a real server to keep both in step.
 */
import type {
	Divergence,
	Page,
	ReferenceValidation,
	ResyncReport,
	Secrets,
	ValidationLevel,
} from "@strongbox/core";

export type { ResyncReport } from "@strongbox/core";

/** A role in a workspace. */
export type Role = "admin" | "member";

/** A user. */
export interface User {
	name: string;
	admin: boolean;
	disabled: boolean;
	defaultWorkspace: string;
	createdAt: Date;
}

/** A workspace. */
export interface Workspace {
	name: string;
	createdAt: Date;
}

/** A membership of a user in a workspace. */
export interface Membership {
	workspace: string;
	user: string;
	role: Role;
	createdAt: Date;
}

/** A token's metadata (never the token). */
export interface TokenInfo {
	id: string;
	user: string;
	name: string;
	createdBy: string;
	createdAt: Date;
	expiresAt: Date | null;
	revokedAt: Date | null;
	lastUsedAt: Date | null;
}

/** A token just created: `token` is shown this once. */
export interface CreatedToken {
	token: string;
	info: TokenInfo;
}

/** Who the client's token belongs to. */
export interface Whoami {
	user: string;
	admin: boolean;
	/** The workspace calls act in (selected, or the user's default). */
	workspace: string;
	defaultWorkspace: string;
	workspaces: Array<{ workspace: string; role: Role }>;
	tokenId: string;
}

/** One audit entry (never a value). */
export interface AuditRecord {
	id: string;
	at: Date;
	actor: string;
	op: string;
	secretId: string | null;
	secretName: string | null;
	workspace: string | null;
	target: string | null;
	/** `ok`, `pending`, or an error code. */
	outcome: string;
	status: number;
	requestId: string;
	sourceIp: string | null;
}

/** Filter of {@link StrongboxClient.queryAudit}. */
export interface AuditQuery {
	actor?: string;
	secretId?: string;
	op?: string;
	outcome?: string;
	since?: Date | string;
	until?: Date | string;
	page?: number;
	size?: number;
}

/** Input of {@link StrongboxClient.createToken}. */
export interface CreateTokenInput {
	name: string;
	/** Another user's token (admins only). @default the caller */
	user?: string;
	/** Expiry date; or give `expiresInSeconds`. @default never */
	expiresAt?: Date | string;
	expiresInSeconds?: number;
}

/** Health of the server and its back-ends. */
export interface Health {
	status: "ok" | "unavailable";
	checks: Record<string, { ok: boolean; code?: string }>;
}

/** Options of {@link StrongboxClient.resolve}. */
export interface ResolveOptions {
	/** Look names up in this workspace instead of the client's. */
	workspace?: string;
}

/** Options of {@link StrongboxClient.validateReferences}. */
export interface ValidateOptions extends ResolveOptions {
	/** @default `STRONGBOX_SECRET_VALIDATION_LEVEL` of this process, else `SECRET_AND_KEY_EXISTS` */
	level?: ValidationLevel;
}

/** One check of {@link DoctorReport}. */
export interface DoctorCheck {
	ok: boolean;
	/** The error code when the check failed. */
	error?: string;
	message?: string;
}

/** What the server's doctor found (`GET /api/v1/admin/doctor`). */
export interface DoctorReport {
	/** Every check passed and no divergence is recorded. */
	ok: boolean;
	catalog: DoctorCheck;
	stores: Array<
		DoctorCheck & { name: string; type: string; role: "primary" | "secondary" | "backup" }
	>;
	/** Rows left pending or deleting (capped at 10,000); `null` when the catalog cannot be read. */
	unsettled: number | null;
	/** Backup divergences waiting for `resync()`; `null` when the catalog cannot be read. */
	divergences: Divergence[] | null;
}

/** The Secrets API over HTTP, plus identity, token and audit calls. */
export interface StrongboxClient extends Secrets {
	/** The server's base URL. */
	readonly url: string;
	/** Releases connections (the `ca` transport's agent); later calls fail. */
	close(): Promise<void>;
	whoami(): Promise<Whoami>;
	health(): Promise<Health>;
	listUsers(): Promise<User[]>;
	getUser(name: string): Promise<User>;
	createUser(input: { name: string; defaultWorkspace: string; admin?: boolean }): Promise<User>;
	updateUser(
		name: string,
		change: { admin?: boolean; disabled?: boolean; defaultWorkspace?: string },
	): Promise<User>;
	deleteUser(name: string): Promise<void>;
	listWorkspaces(): Promise<Workspace[]>;
	createWorkspace(name: string): Promise<Workspace>;
	deleteWorkspace(name: string): Promise<void>;
	listMembers(workspace: string): Promise<Membership[]>;
	setMember(workspace: string, user: string, role: Role): Promise<Membership>;
	removeMember(workspace: string, user: string): Promise<void>;
	createToken(input: CreateTokenInput): Promise<CreatedToken>;
	listTokens(options?: { user?: string }): Promise<TokenInfo[]>;
	revokeToken(id: string): Promise<void>;
	queryAudit(query?: AuditQuery): Promise<Page<AuditRecord>>;
	/**
	 * Returns a copy of `document` with every `{{name.key}}` in its strings replaced by the
	 * value, resolved on the server for this client's caller in one request (the same rules
	 * as core's `resolveReferences`). The document travels as JSON: `Date`s come back as
	 * strings, `undefined` properties are dropped.
	 *
	 * @throws UnresolvedReferenceError listing every missing secret and key (`details.missing`).
	 * @throws ValidationError for a malformed reference or a limit exceeded.
	 */
	resolve<T>(document: T, options?: ResolveOptions): Promise<T>;
	/** Checks the references of `document` on the server without reading a value (core's `validateReferences`). */
	validateReferences(document: unknown, options?: ValidateOptions): Promise<ReferenceValidation>;
	/** The server's doctor report (admins). */
	doctor(): Promise<DoctorReport>;
	/** Repairs the recorded backup divergences (admins). */
	resync(): Promise<ResyncReport>;
}
