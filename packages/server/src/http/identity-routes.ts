/**
 * Identity routes: who am I, users, workspaces and memberships. Users and workspaces are
 * for admins (a user may read itself); a workspace's admins manage its members.
 */
import { ConflictError, ForbiddenError, ValidationError } from "@strongbox/core";
import {
	API,
	change,
	iso,
	notifyReplicas,
	requireWorkspaceAdmin,
	system,
	userJson,
} from "./admin-support.js";
import { defineRoute } from "./route.js";
import {
	createUserBody,
	createWorkspaceBody,
	listOf,
	memberParams,
	membership,
	setMemberBody,
	updateUserBody,
	user,
	userParams,
	whoami,
	workspaceParams,
	workspaceSchema,
} from "./schemas.js";

const TAG = "identity";

/** The identity routes. */
export const identityRoutes = [
	defineRoute({
		method: "GET",
		url: `${API}/whoami`,
		operationId: "whoami",
		summary: "The caller: user, admin flag, selected workspace and memberships",
		tag: TAG,
		auth: "token",
		responses: { 200: { description: "The caller", schema: whoami } },
		errors: [401, 429],
		async handler(ctx) {
			const p = ctx.principal;
			return {
				body: {
					user: p.user,
					admin: p.admin,
					workspace: ctx.caller.workspace,
					defaultWorkspace: p.defaultWorkspace,
					workspaces: Object.entries(p.roles).map(([workspace, role]) => ({ workspace, role })),
					tokenId: p.tokenId,
				},
			};
		},
	}),
	defineRoute({
		method: "GET",
		url: `${API}/users`,
		operationId: "listUsers",
		summary: "List users",
		tag: TAG,
		auth: "admin",
		responses: { 200: { description: "Users", schema: listOf(user, "UserList") } },
		errors: [401, 403, 429],
		async handler(ctx) {
			return { body: { items: (await ctx.services.identity.listUsers()).map(userJson) } };
		},
	}),
	defineRoute({
		method: "POST",
		url: `${API}/users`,
		operationId: "createUser",
		summary: "Create a user (a member of its default workspace)",
		tag: TAG,
		auth: "admin",
		body: createUserBody,
		responses: { 201: { description: "Created", schema: user } },
		errors: [400, 401, 403, 409, 429],
		async handler(ctx) {
			const created = await change(
				ctx,
				"user.create",
				ctx.body.name,
				() => ctx.services.identity.createUser(ctx.body, new Date()),
				201,
			);
			return { status: 201, body: userJson(created) };
		},
	}),
	defineRoute({
		method: "GET",
		url: `${API}/users/:name`,
		operationId: "getUser",
		summary: "A user (admins, or the user itself)",
		tag: TAG,
		auth: "token",
		params: userParams,
		responses: { 200: { description: "The user", schema: user } },
		errors: [400, 401, 403, 429],
		async handler(ctx) {
			if (!ctx.principal.admin && ctx.principal.user !== ctx.params.name) {
				throw new ForbiddenError("Only admins can read other users.");
			}
			const found = await ctx.services.identity.getUser(ctx.params.name);
			if (!found) {
				throw new ValidationError("Invalid name: user does not exist", [
					{ path: "name", message: "user does not exist" },
				]);
			}
			return { body: userJson(found) };
		},
	}),
	defineRoute({
		method: "PATCH",
		url: `${API}/users/:name`,
		operationId: "updateUser",
		summary: "Change a user's admin flag, disabled flag or default workspace",
		tag: TAG,
		auth: "admin",
		params: userParams,
		body: updateUserBody,
		responses: { 200: { description: "The user", schema: user } },
		errors: [400, 401, 403, 409, 429],
		async handler(ctx) {
			if (
				ctx.params.name === ctx.principal.user &&
				(ctx.body.admin === false || ctx.body.disabled === true)
			) {
				throw new ConflictError("You cannot remove your own admin rights or disable yourself.");
			}
			const updated = await change(ctx, "user.update", ctx.params.name, () =>
				ctx.services.identity.updateUser(ctx.params.name, ctx.body),
			);
			await notifyReplicas(ctx, "user", ctx.params.name);
			return { body: userJson(updated) };
		},
	}),
	defineRoute({
		method: "DELETE",
		url: `${API}/users/:name`,
		operationId: "deleteUser",
		summary:
			"Delete a user, its memberships and tokens (refused while it owns user-scoped secrets)",
		tag: TAG,
		auth: "admin",
		params: userParams,
		responses: { 204: { description: "Deleted" } },
		errors: [400, 401, 403, 409, 429],
		async handler(ctx) {
			const name = ctx.params.name;
			if (name === ctx.principal.user) throw new ConflictError("You cannot delete yourself.");
			await change(
				ctx,
				"user.delete",
				name,
				async () => {
					const owned = await system(ctx).listSecrets({ scope: "user", owner: name, size: 1 });
					if (owned.total > 0) {
						throw new ConflictError(
							`User \`${name}\` owns ${owned.total} user-scoped secret(s); delete or move them first.`,
						);
					}
					await ctx.services.identity.deleteUser(name);
				},
				204,
			);
			await notifyReplicas(ctx, "user", name);
			return { status: 204 };
		},
	}),
	defineRoute({
		method: "GET",
		url: `${API}/workspaces`,
		operationId: "listWorkspaces",
		summary: "Workspaces (all for admins, the caller's own otherwise)",
		tag: TAG,
		auth: "token",
		responses: {
			200: { description: "Workspaces", schema: listOf(workspaceSchema, "WorkspaceList") },
		},
		errors: [401, 429],
		async handler(ctx) {
			const items = await ctx.services.identity.listWorkspaces(
				ctx.principal.admin ? undefined : ctx.principal.user,
			);
			return { body: { items: items.map((w) => ({ ...w, createdAt: iso(w.createdAt) })) } };
		},
	}),
	defineRoute({
		method: "POST",
		url: `${API}/workspaces`,
		operationId: "createWorkspace",
		summary: "Create a workspace",
		tag: TAG,
		auth: "admin",
		body: createWorkspaceBody,
		responses: { 201: { description: "Created", schema: workspaceSchema } },
		errors: [400, 401, 403, 409, 429],
		async handler(ctx) {
			const created = await change(
				ctx,
				"workspace.create",
				ctx.body.name,
				() => ctx.services.identity.createWorkspace(ctx.body.name, new Date()),
				201,
			);
			return { status: 201, body: { ...created, createdAt: iso(created.createdAt) } };
		},
	}),
	defineRoute({
		method: "DELETE",
		url: `${API}/workspaces/:name`,
		operationId: "deleteWorkspace",
		summary: "Delete a workspace (refused while it holds secrets or is a user's default)",
		tag: TAG,
		auth: "admin",
		params: workspaceParams,
		responses: { 204: { description: "Deleted" } },
		errors: [400, 401, 403, 409, 429],
		async handler(ctx) {
			const name = ctx.params.name;
			await change(
				ctx,
				"workspace.delete",
				name,
				async () => {
					const held = await system(ctx).listSecrets({ workspace: name, size: 1 });
					if (held.total > 0) {
						throw new ConflictError(
							`Workspace \`${name}\` holds ${held.total} secret(s); delete or move them first.`,
						);
					}
					await ctx.services.identity.deleteWorkspace(name);
				},
				204,
			);
			return { status: 204 };
		},
	}),
	defineRoute({
		method: "GET",
		url: `${API}/workspaces/:name/members`,
		operationId: "listMembers",
		summary: "Members of a workspace (its members and admins)",
		tag: TAG,
		auth: "token",
		params: workspaceParams,
		responses: { 200: { description: "Members", schema: listOf(membership, "MembershipList") } },
		errors: [400, 401, 403, 429],
		async handler(ctx) {
			const name = ctx.params.name;
			if (!ctx.principal.admin && ctx.principal.roles[name] === undefined) {
				throw new ForbiddenError(`You are not a member of workspace \`${name}\`.`);
			}
			const items = await ctx.services.identity.members(name);
			return { body: { items: items.map((m) => ({ ...m, createdAt: iso(m.createdAt) })) } };
		},
	}),
	defineRoute({
		method: "PUT",
		url: `${API}/workspaces/:name/members/:user`,
		operationId: "setMember",
		summary: "Add a member to a workspace, or change its role",
		tag: TAG,
		auth: "token",
		params: memberParams,
		body: setMemberBody,
		responses: { 200: { description: "The membership", schema: membership } },
		errors: [400, 401, 403, 429],
		async handler(ctx) {
			requireWorkspaceAdmin(ctx, ctx.params.name);
			const m = await change(ctx, "member.set", `${ctx.params.name}/${ctx.params.user}`, () =>
				ctx.services.identity.setMember(
					ctx.params.name,
					ctx.params.user,
					ctx.body.role,
					new Date(),
				),
			);
			await notifyReplicas(ctx, "user", ctx.params.user);
			return { body: { ...m, createdAt: iso(m.createdAt) } };
		},
	}),
	defineRoute({
		method: "DELETE",
		url: `${API}/workspaces/:name/members/:user`,
		operationId: "removeMember",
		summary: "Remove a member from a workspace",
		tag: TAG,
		auth: "token",
		params: memberParams,
		responses: { 204: { description: "Removed" } },
		errors: [400, 401, 403, 429],
		async handler(ctx) {
			requireWorkspaceAdmin(ctx, ctx.params.name);
			await change(
				ctx,
				"member.remove",
				`${ctx.params.name}/${ctx.params.user}`,
				() => ctx.services.identity.removeMember(ctx.params.name, ctx.params.user),
				204,
			);
			await notifyReplicas(ctx, "user", ctx.params.user);
			return { status: 204 };
		},
	}),
];
