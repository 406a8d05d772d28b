/**
 * Users, workspaces, memberships and tokens in the server's SQL tables.
 *
 * Core has no generic "not found" error: an unknown user, workspace or token named by
 * an admin call is a `ValidationError` on that field ("does not exist"), and a clash is
 * a `ConflictError`. Neither ever concerns a secret, so the secret error classes are
 * not borrowed.
 */
import {
	ConflictError,
	userIssues,
	ValidationError,
	type ValidationIssue,
	workspaceIssues,
} from "@strongbox/core";
import { type Db, toBool, toMillis } from "../db.js";
import type { ServerTables } from "./migrations.js";
import { generateToken, hashToken } from "./tokens.js";

/** A role in a workspace: both read and write its secrets; admins also manage its members. */
export type Role = "admin" | "member";

/** A user as the API shows it. */
export interface User {
	name: string;
	admin: boolean;
	disabled: boolean;
	defaultWorkspace: string;
	createdAt: Date;
}

/** A workspace as the API shows it. */
export interface Workspace {
	name: string;
	createdAt: Date;
}

/** One membership. */
export interface Membership {
	workspace: string;
	user: string;
	role: Role;
	createdAt: Date;
}

/** A token's metadata (never the token, never its hash). */
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

/** A token row as authentication needs it. */
export interface TokenRecord extends TokenInfo {
	hash: string;
}

function invalid(path: string, message: string): never {
	throw new ValidationError(`Invalid ${path}: ${message}`, [{ path, message }]);
}

function checkIssues(what: string, issues: ValidationIssue[]): void {
	if (issues.length > 0) {
		throw new ValidationError(
			issues.length === 1
				? `Invalid ${what}: ${issues[0]!.path}: ${issues[0]!.message}`
				: `Invalid ${what} (${issues.length} problems).`,
			issues,
		);
	}
}

function date(value: unknown): Date | null {
	const ms = toMillis(value);
	return ms === null ? null : new Date(ms);
}

function userOf(row: Record<string, unknown>): User {
	return {
		name: String(row.name),
		admin: toBool(row.admin),
		disabled: toBool(row.disabled),
		defaultWorkspace: String(row.default_workspace),
		createdAt: date(row.created_at)!,
	};
}

function tokenOf(row: Record<string, unknown>): TokenRecord {
	return {
		id: String(row.id),
		user: String(row.user_name),
		name: String(row.name),
		createdBy: String(row.created_by),
		createdAt: date(row.created_at)!,
		expiresAt: date(row.expires_at),
		revokedAt: date(row.revoked_at),
		lastUsedAt: date(row.last_used_at),
		hash: String(row.token_hash),
	};
}

/** Strips the hash from a token record. */
export function tokenInfo(record: TokenRecord): TokenInfo {
	const { hash: _hash, ...info } = record;
	return info;
}

const TOKEN_NAME = /^[\p{L}\p{N} _.:@-]{1,255}$/u;

/** Creation input of a user. */
export interface NewUser {
	name: string;
	admin?: boolean;
	/** Must exist; the user becomes a member. */
	defaultWorkspace: string;
}

/** The identity tables behind one knex instance. */
export interface IdentityStore {
	listUsers(): Promise<User[]>;
	getUser(name: string): Promise<User | undefined>;
	createUser(input: NewUser, now: Date): Promise<User>;
	updateUser(
		name: string,
		change: { admin?: boolean; disabled?: boolean; defaultWorkspace?: string },
	): Promise<User>;
	deleteUser(name: string): Promise<void>;
	countUsers(): Promise<number>;
	listWorkspaces(user?: string): Promise<Workspace[]>;
	getWorkspace(name: string): Promise<Workspace | undefined>;
	createWorkspace(name: string, now: Date): Promise<Workspace>;
	deleteWorkspace(name: string): Promise<void>;
	memberships(user: string): Promise<Membership[]>;
	members(workspace: string): Promise<Membership[]>;
	setMember(workspace: string, user: string, role: Role, now: Date): Promise<Membership>;
	removeMember(workspace: string, user: string): Promise<void>;
	createToken(
		input: { user: string; name: string; expiresAt: Date | null; createdBy: string },
		now: Date,
	): Promise<{ token: string; info: TokenInfo }>;
	listTokens(user?: string): Promise<TokenInfo[]>;
	getToken(id: string): Promise<TokenRecord | undefined>;
	findTokenByHash(hash: string): Promise<TokenRecord | undefined>;
	revokeToken(id: string, now: Date): Promise<void>;
	touchToken(id: string, now: Date): Promise<void>;
}

/** The identity store over the server's tables. */
export function identityStore(db: Db, t: ServerTables): IdentityStore {
	const { knex } = db;
	async function requireUser(name: string, path = "user"): Promise<User> {
		const row = await db.first(knex(t.users).where({ name }).first());
		if (!row) invalid(path, `user \`${name}\` does not exist`);
		return userOf(row);
	}

	async function requireWorkspace(name: string, path = "workspace"): Promise<void> {
		const row = await db.first(knex(t.workspaces).where({ name }).first());
		if (!row) invalid(path, `workspace \`${name}\` does not exist`);
	}

	const store: IdentityStore = {
		async listUsers() {
			const rows = await db.rows(knex(t.users).select("*").orderBy("name", "asc").limit(10_000));
			return rows.map(userOf);
		},
		async getUser(name) {
			const row = await db.first(knex(t.users).where({ name }).first());
			return row ? userOf(row) : undefined;
		},
		async createUser(input, now) {
			checkIssues("user", [
				...userIssues(input.name, "name"),
				...workspaceIssues(input.defaultWorkspace, "defaultWorkspace"),
			]);
			await requireWorkspace(input.defaultWorkspace, "defaultWorkspace");
			if (await db.first(knex(t.users).where({ name: input.name }).first())) {
				throw new ConflictError(`User \`${input.name}\` already exists.`);
			}
			await db.atomically([
				knex(t.users).insert({
					name: input.name,
					admin: input.admin === true,
					disabled: false,
					default_workspace: input.defaultWorkspace,
					created_at: now.getTime(),
				}),
				knex(t.memberships).insert({
					workspace: input.defaultWorkspace,
					user_name: input.name,
					role: "member",
					created_at: now.getTime(),
				}),
			]);
			return (await store.getUser(input.name))!;
		},
		async updateUser(name, change) {
			await requireUser(name, "name");
			const patch: Record<string, unknown> = {};
			if (change.admin !== undefined) patch.admin = change.admin;
			if (change.disabled !== undefined) patch.disabled = change.disabled;
			if (change.defaultWorkspace !== undefined) {
				checkIssues("user", workspaceIssues(change.defaultWorkspace, "defaultWorkspace"));
				await requireWorkspace(change.defaultWorkspace, "defaultWorkspace");
				patch.default_workspace = change.defaultWorkspace;
			}
			if (Object.keys(patch).length > 0) await db.run(knex(t.users).where({ name }).update(patch));
			return (await store.getUser(name))!;
		},
		async deleteUser(name) {
			await requireUser(name, "name");
			await db.run(knex(t.users).where({ name }).delete());
		},
		async countUsers() {
			const row = await db.first(knex(t.users).count({ n: "*" }).first());
			return Number((row as { n?: unknown } | undefined)?.n ?? 0);
		},
		async listWorkspaces(user) {
			const query = knex(t.workspaces).select(`${t.workspaces}.*`).orderBy("name", "asc");
			if (user !== undefined) {
				query
					.join(t.memberships, `${t.memberships}.workspace`, `${t.workspaces}.name`)
					.where(`${t.memberships}.user_name`, user);
			}
			const rows = await db.rows(query.limit(10_000));
			return rows.map((row: Record<string, unknown>) => ({
				name: String(row.name),
				createdAt: date(row.created_at)!,
			}));
		},
		async getWorkspace(name) {
			const row = await db.first(knex(t.workspaces).where({ name }).first());
			return row ? { name: String(row.name), createdAt: date(row.created_at)! } : undefined;
		},
		async createWorkspace(name, now) {
			checkIssues("workspace", workspaceIssues(name, "name"));
			if (await db.first(knex(t.workspaces).where({ name }).first())) {
				throw new ConflictError(`Workspace \`${name}\` already exists.`);
			}
			await db.run(knex(t.workspaces).insert({ name, created_at: now.getTime() }));
			return { name, createdAt: now };
		},
		async deleteWorkspace(name) {
			await requireWorkspace(name, "name");
			const user = await db.first(knex(t.users).where({ default_workspace: name }).first());
			if (user) {
				throw new ConflictError(
					`Workspace \`${name}\` is the default workspace of user \`${String(user.name)}\`; change it first.`,
				);
			}
			await db.run(knex(t.workspaces).where({ name }).delete());
		},
		async memberships(user) {
			const rows = await db.rows(
				knex(t.memberships).where({ user_name: user }).orderBy("workspace", "asc"),
			);
			return rows.map(membershipOf);
		},
		async members(workspace) {
			await requireWorkspace(workspace, "workspace");
			const rows = await db.rows(
				knex(t.memberships).where({ workspace }).orderBy("user_name", "asc").limit(100_000),
			);
			return rows.map(membershipOf);
		},
		async setMember(workspace, user, role, now) {
			if (role !== "admin" && role !== "member") invalid("role", 'must be "admin" or "member"');
			await requireWorkspace(workspace);
			await requireUser(user);
			const existing = await db.first(
				knex(t.memberships).where({ workspace, user_name: user }).first(),
			);
			if (existing) {
				await db.run(knex(t.memberships).where({ workspace, user_name: user }).update({ role }));
			} else {
				await db.run(
					knex(t.memberships).insert({
						workspace,
						user_name: user,
						role,
						created_at: now.getTime(),
					}),
				);
			}
			const row = await db.first(knex(t.memberships).where({ workspace, user_name: user }).first());
			return membershipOf(row!);
		},
		async removeMember(workspace, user) {
			const removed = await db.run(
				knex(t.memberships).where({ workspace, user_name: user }).delete(),
			);
			if (removed === 0) invalid("user", `user \`${user}\` is not a member of \`${workspace}\``);
		},
		async createToken(input, now) {
			const issues: ValidationIssue[] = [];
			if (typeof input.name !== "string" || !TOKEN_NAME.test(input.name)) {
				issues.push({
					path: "name",
					message: "must be 1–255 letters, digits, spaces and '_.:@-'",
				});
			}
			if (input.expiresAt !== null && input.expiresAt.getTime() <= now.getTime()) {
				issues.push({ path: "expiresAt", message: "must be in the future" });
			}
			checkIssues("token", issues);
			await requireUser(input.user);
			const token = generateToken();
			const id = crypto.randomUUID();
			await db.run(
				knex(t.tokens).insert({
					id,
					user_name: input.user,
					name: input.name,
					token_hash: hashToken(token),
					created_by: input.createdBy,
					created_at: now.getTime(),
					expires_at: input.expiresAt?.getTime() ?? null,
					revoked_at: null,
					last_used_at: null,
				}),
			);
			return { token, info: tokenInfo((await store.getToken(id))!) };
		},
		async listTokens(user) {
			const query = knex(t.tokens).select("*").orderBy("created_at", "asc").limit(10_000);
			if (user !== undefined) query.where({ user_name: user });
			const rows = await db.rows(query);
			return rows.map((row: Record<string, unknown>) => tokenInfo(tokenOf(row)));
		},
		async getToken(id) {
			const row = await db.first(knex(t.tokens).where({ id }).first());
			return row ? tokenOf(row) : undefined;
		},
		async findTokenByHash(hash) {
			const row = await db.first(knex(t.tokens).where({ token_hash: hash }).first());
			return row ? tokenOf(row) : undefined;
		},
		async revokeToken(id, now) {
			await db.run(
				knex(t.tokens).where({ id }).whereNull("revoked_at").update({ revoked_at: now.getTime() }),
			);
		},
		async touchToken(id, now) {
			await db.run(knex(t.tokens).where({ id }).update({ last_used_at: now.getTime() }));
		},
	};
	return store;
}

function membershipOf(row: Record<string, unknown>): Membership {
	return {
		workspace: String(row.workspace),
		user: String(row.user_name),
		role: row.role === "admin" ? "admin" : "member",
		createdAt: date(row.created_at)!,
	};
}
