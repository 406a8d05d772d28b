/**
 * Maps a Vault API path and method to an operation: its call-log name, the ACL path and
 * capability it needs, and what it does. Paths are relative to the namespace.
 */
import { randomUUID } from "node:crypto";
import {
	type Acl,
	AuthError,
	type TokenStore,
	type VaultAppRoleSpec,
	type VaultCapability,
} from "./auth.js";
import { KvError, type KvMount } from "./kv.js";

/** An HTTP answer in Vault's shapes. */
export interface Answer {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

/** What an operation runs with. */
export interface RouteContext {
	body: Record<string, unknown>;
	tokens: TokenStore;
	acl: Acl;
	/** The live token (absent for unauthenticated routes). */
	token?: ReturnType<TokenStore["get"]>;
}

/** A resolved operation. */
export interface Route {
	/** Call-log name (`kv.read`, `auth.approle.login`...). */
	op: string;
	/** The mount and key it names, for the call log. */
	target?: string;
	/** No token needed (`sys/health`, AppRole login). */
	unauthenticated?: boolean;
	/** ACL path and capability checked before running. */
	acl?: { path: string; capability: VaultCapability };
	/** A PATCH must carry `application/merge-patch+json`. */
	mergePatch?: boolean;
	run(ctx: RouteContext): Answer;
}

/** The response envelope of every Vault answer with a body. */
export function envelope(
	data: unknown,
	extra: Record<string, unknown> = {},
): Record<string, unknown> {
	return {
		request_id: randomUUID(),
		lease_id: "",
		renewable: false,
		lease_duration: 0,
		data,
		wrap_info: null,
		warnings: null,
		auth: null,
		...extra,
	};
}

/** `{"errors":[...]}` with a status. */
export function errorAnswer(status: number, ...errors: string[]): Answer {
	return { status, body: { errors } };
}

const unsupported = (op: string): Route => ({
	op,
	run: () => errorAnswer(405, "unsupported operation"),
});

function kvAnswer(fn: () => unknown, status = 200): Answer {
	try {
		const data = fn();
		return status === 204 ? { status } : { status, body: envelope(data, { mount_type: "kv" }) };
	} catch (error) {
		if (error instanceof KvError)
			return { status: error.status, body: error.body ?? { errors: error.errors } };
		throw error;
	}
}

function authAnswer(fn: () => Answer): Answer {
	try {
		return fn();
	} catch (error) {
		if (error instanceof AuthError) return errorAnswer(error.status, error.message);
		throw error;
	}
}

/** Operations of a KV v2 mount; `rest` is the path after the mount. */
export function kvRoute(
	kv: KvMount,
	mount: string,
	rest: string,
	method: string,
	list: boolean,
	query: URLSearchParams,
): Route | undefined {
	const write = method === "POST" || method === "PUT";
	if (rest === "config") {
		if (method === "GET")
			return {
				op: "kv.config.read",
				acl: { path: `${mount}/config`, capability: "read" },
				run: () => kvAnswer(() => kv.readConfig()),
			};
		if (write)
			return {
				op: "kv.config.write",
				acl: { path: `${mount}/config`, capability: "update" },
				run: (c) => kvAnswer(() => kv.writeConfig(c.body), 204),
			};
		return unsupported("kv.config");
	}
	const slash = rest.indexOf("/");
	if (slash <= 0) return undefined;
	const kind = rest.slice(0, slash);
	const key = rest.slice(slash + 1);
	const target = `${mount}/${key}`;
	const aclPath = `${mount}/${kind}/${key}`;
	if (kind === "metadata" && list) {
		const folder = key === "" || key.endsWith("/") ? key : `${key}/`;
		return {
			op: "kv.list",
			target,
			acl: { path: `${mount}/metadata/${folder}`, capability: "list" },
			run: () => kvAnswer(() => ({ keys: kv.list(folder) })),
		};
	}
	if (key === "") return undefined;
	const createOrUpdate: VaultCapability = kv.exists(key) ? "update" : "create";
	if (kind === "data") {
		if (method === "GET" && !list)
			return {
				op: "kv.read",
				target,
				acl: { path: aclPath, capability: "read" },
				run: () => kvAnswer(() => kv.read(key, query.get("version"))),
			};
		if (write)
			return {
				op: "kv.write",
				target,
				acl: { path: aclPath, capability: createOrUpdate },
				run: (c) => kvAnswer(() => kv.write(key, c.body)),
			};
		if (method === "PATCH")
			return {
				op: "kv.patch",
				target,
				mergePatch: true,
				acl: { path: aclPath, capability: "patch" },
				run: (c) => kvAnswer(() => kv.patch(key, c.body)),
			};
		if (method === "DELETE")
			return {
				op: "kv.delete",
				target,
				acl: { path: aclPath, capability: "delete" },
				run: () => kvAnswer(() => kv.deleteLatest(key), 204),
			};
		return unsupported("kv.data");
	}
	if (kind === "metadata") {
		if (method === "GET")
			return {
				op: "kv.metadata.read",
				target,
				acl: { path: aclPath, capability: "read" },
				run: () => kvAnswer(() => kv.readMetadata(key)),
			};
		if (write)
			return {
				op: "kv.metadata.write",
				target,
				acl: { path: aclPath, capability: createOrUpdate },
				run: (c) => kvAnswer(() => kv.writeMetadata(key, c.body), 204),
			};
		if (method === "PATCH")
			return {
				op: "kv.metadata.patch",
				target,
				mergePatch: true,
				acl: { path: aclPath, capability: "patch" },
				run: (c) => kvAnswer(() => kv.patchMetadata(key, c.body), 204),
			};
		if (method === "DELETE")
			return {
				op: "kv.metadata.delete",
				target,
				acl: { path: aclPath, capability: "delete" },
				run: () => kvAnswer(() => kv.deleteMetadata(key), 204),
			};
		return unsupported("kv.metadata");
	}
	if (kind === "delete" || kind === "undelete" || kind === "destroy") {
		const op = kind === "delete" ? "kv.delete-versions" : `kv.${kind}`;
		if (!write) return unsupported(op);
		return {
			op,
			target,
			acl: { path: aclPath, capability: "update" },
			run: (c) => kvAnswer(() => kv.changeVersions(key, kind, c.body), 204),
		};
	}
	return undefined;
}

function pathsOf(body: Record<string, unknown>): string[] {
	const raw = body.paths ?? body.path;
	const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
	return list.map(String);
}

/** `sys/*` and `auth/*` operations the emulator serves. */
export function systemRoute(
	path: string,
	method: string,
	approle: VaultAppRoleSpec | undefined,
): Route | undefined {
	const write = method === "POST" || method === "PUT";
	if (path === "auth/token/lookup-self") {
		if (method !== "GET") return unsupported("auth.token.lookup-self");
		return {
			op: "auth.token.lookup-self",
			acl: { path, capability: "read" },
			run: (c) => ({ status: 200, body: envelope(c.tokens.lookup(c.token!)) }),
		};
	}
	if (path === "auth/token/renew-self") {
		if (!write) return unsupported("auth.token.renew-self");
		return {
			op: "auth.token.renew-self",
			acl: { path, capability: "update" },
			run: (c) =>
				authAnswer(() => ({
					status: 200,
					body: envelope(null, { auth: c.tokens.renew(c.token!, c.body.increment) }),
				})),
		};
	}
	if (approle && path === `auth/${approle.mount ?? "approle"}/login`) {
		if (!write) return unsupported("auth.approle.login");
		return {
			op: "auth.approle.login",
			unauthenticated: true,
			run: (c) =>
				authAnswer(() => ({
					status: 200,
					body: envelope(null, { auth: c.tokens.login(approle, c.body) }),
				})),
		};
	}
	if (path === "sys/capabilities-self") {
		if (!write) return unsupported("sys.capabilities-self");
		return {
			op: "sys.capabilities-self",
			acl: { path, capability: "update" },
			run: (c) => {
				const paths = pathsOf(c.body);
				if (paths.length === 0) return errorAnswer(400, "missing required 'paths' parameter");
				const data: Record<string, unknown> = {};
				for (const p of paths)
					data[p] = c.acl.capabilities(c.token!.policies, p.replace(/^\/+/, ""));
				if (paths.length === 1) data.capabilities = data[paths[0]!];
				// sys/ answers repeat their data at the top level, as Vault does for compatibility.
				return { status: 200, body: { ...data, ...envelope(data) } };
			},
		};
	}
	return undefined;
}
