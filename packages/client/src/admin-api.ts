/**
 * The server's identity, token, audit and health calls.
 */
import type { Page, Secrets } from "@strongbox/core";
import { checkSegment, items, type Json, tokenOf, withDates } from "./shapes.js";
import type { CallOptions } from "./transport.js";
import type {
	AuditQuery,
	AuditRecord,
	CreatedToken,
	CreateTokenInput,
	Health,
	Membership,
	StrongboxClient,
	User,
	Whoami,
	Workspace,
} from "./types.js";

const enc = encodeURIComponent;

/** The calls of {@link StrongboxClient} beyond `Secrets`. */
export type AdminApi = Omit<
	StrongboxClient,
	keyof Secrets | "url" | "close" | "resolve" | "validateReferences" | "doctor" | "resync"
>;

/** The identity, token, audit and health calls over `call`. */
export function adminApi(call: (c: CallOptions) => Promise<unknown>): AdminApi {
	return {
		async whoami() {
			return (await call({ method: "GET", path: "/api/v1/whoami", idempotent: true })) as Whoami;
		},
		async health() {
			return (await call({
				method: "GET",
				path: "/health",
				idempotent: true,
				accept: [503],
			})) as Health;
		},
		async listUsers() {
			return items(await call({ method: "GET", path: "/api/v1/users", idempotent: true })).map(
				(u) => withDates<User>(u, ["createdAt"]),
			);
		},
		async getUser(name) {
			checkSegment(name, "name", 255);
			return withDates<User>(
				(await call({
					method: "GET",
					path: `/api/v1/users/${enc(name)}`,
					idempotent: true,
				})) as Json,
				["createdAt"],
			);
		},
		async createUser(input) {
			return withDates<User>(
				(await call({ method: "POST", path: "/api/v1/users", body: input })) as Json,
				["createdAt"],
			);
		},
		async updateUser(name, change) {
			checkSegment(name, "name", 255);
			return withDates<User>(
				(await call({ method: "PATCH", path: `/api/v1/users/${enc(name)}`, body: change })) as Json,
				["createdAt"],
			);
		},
		async deleteUser(name) {
			checkSegment(name, "name", 255);
			await call({ method: "DELETE", path: `/api/v1/users/${enc(name)}` });
		},
		async listWorkspaces() {
			return items(await call({ method: "GET", path: "/api/v1/workspaces", idempotent: true })).map(
				(w) => withDates<Workspace>(w, ["createdAt"]),
			);
		},
		async createWorkspace(name) {
			return withDates<Workspace>(
				(await call({ method: "POST", path: "/api/v1/workspaces", body: { name } })) as Json,
				["createdAt"],
			);
		},
		async deleteWorkspace(name) {
			checkSegment(name, "name", 64);
			await call({ method: "DELETE", path: `/api/v1/workspaces/${enc(name)}` });
		},
		async listMembers(workspace) {
			checkSegment(workspace, "workspace", 64);
			return items(
				await call({
					method: "GET",
					path: `/api/v1/workspaces/${enc(workspace)}/members`,
					idempotent: true,
				}),
			).map((m) => withDates<Membership>(m, ["createdAt"]));
		},
		async setMember(workspace, user, role) {
			checkSegment(workspace, "workspace", 64);
			checkSegment(user, "user", 255);
			return withDates<Membership>(
				(await call({
					method: "PUT",
					path: `/api/v1/workspaces/${enc(workspace)}/members/${enc(user)}`,
					body: { role },
				})) as Json,
				["createdAt"],
			);
		},
		async removeMember(workspace, user) {
			checkSegment(workspace, "workspace", 64);
			checkSegment(user, "user", 255);
			await call({
				method: "DELETE",
				path: `/api/v1/workspaces/${enc(workspace)}/members/${enc(user)}`,
			});
		},
		async createToken(input: CreateTokenInput) {
			const body = {
				...input,
				...(input.expiresAt instanceof Date ? { expiresAt: input.expiresAt.toISOString() } : {}),
			};
			const created = (await call({ method: "POST", path: "/api/v1/tokens", body })) as {
				token: string;
				info: Json;
			};
			return { token: created.token, info: tokenOf(created.info) } satisfies CreatedToken;
		},
		async listTokens(listOptions = {}) {
			const query: Record<string, string> =
				listOptions.user === undefined ? {} : { user: listOptions.user };
			return items(
				await call({ method: "GET", path: "/api/v1/tokens", query, idempotent: true }),
			).map(tokenOf);
		},
		async revokeToken(id) {
			checkSegment(id, "id", 64);
			await call({ method: "DELETE", path: `/api/v1/tokens/${enc(id)}` });
		},
		async queryAudit(query: AuditQuery = {}) {
			const params: Record<string, string> = {};
			for (const [key, value] of Object.entries(query)) {
				if (value !== undefined)
					params[key] = value instanceof Date ? value.toISOString() : String(value);
			}
			const body = (await call({
				method: "GET",
				path: "/api/v1/audit",
				query: params,
				idempotent: true,
			})) as Page<Json>;
			return { ...body, items: body.items.map((r) => withDates<AuditRecord>(r, ["at"])) };
		},
	};
}
