/**
 * The request side of the Vault emulator: path decoding, namespaces (header or path
 * prefix), routing, faults, the sealed state, token and ACL checks, and Vault's answer
 * shapes. `startVaultEmulator` wires it to a loopback server.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { FaultPlan } from "../faults.js";
import { applyTransportFault, BodyTooLargeError, readBody, sendJson } from "../http.js";
import type { Acl, TokenStore, VaultAppRoleSpec } from "./auth.js";
import { KvMount } from "./kv.js";
import { type Answer, errorAnswer, kvRoute, type Route, systemRoute } from "./routes.js";

/** What the handler works on; owned by `startVaultEmulator`. */
export interface EmulatorState {
	/** Mount paths, longest first. */
	mounts: string[];
	namespaces: boolean;
	approle: VaultAppRoleSpec | undefined;
	plan: FaultPlan;
	tokens: TokenStore;
	acl: Acl;
	/** KV engines by `<namespace>\0<mount>`. */
	stores: Map<string, KvMount>;
	maxEntryBytes: number;
	maxRequestBytes: number;
	now(): number;
	sealed(): boolean;
}

const TRUE_VALUES = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const NO_HANDLER = (path: string) => `no handler for route "${path}". route entry not found.`;

/** `a/b/` → `a/b`. */
export function trimSlashes(value: string): string {
	return value.replace(/^\/+|\/+$/g, "");
}

/** The request handler of an emulator. */
export function createHandler(
	state: EmulatorState,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
	const { mounts, plan, tokens, acl, stores, now, maxEntryBytes, maxRequestBytes } = state;

	function kvFor(namespace: string, mount: string): KvMount {
		const id = `${namespace}\u0000${mount}`;
		let kv = stores.get(id);
		if (!kv) {
			kv = new KvMount(() => new Date(now()), maxEntryBytes);
			stores.set(id, kv);
		}
		return kv;
	}

	function mountOf(path: string): { mount: string; rest: string } | undefined {
		for (const mount of mounts) {
			if (path === mount) return { mount, rest: "" };
			if (path.startsWith(`${mount}/`)) return { mount, rest: path.slice(mount.length + 1) };
		}
		return undefined;
	}

	const isTop = (path: string) =>
		path.startsWith("sys/") || path.startsWith("auth/") || mountOf(path) !== undefined;

	/** Splits a path-prefixed namespace off (`ns1/secret/data/x` → `ns1`, `secret/data/x`). */
	function splitNamespace(path: string, header: string): { namespace: string; path: string } {
		if (!state.namespaces) return { namespace: "", path };
		const segments = path.split("/");
		for (let i = 0; i < segments.length - 1; i++) {
			const rest = segments.slice(i).join("/");
			if (isTop(rest)) {
				const namespace = [header, ...segments.slice(0, i)].filter(Boolean).join("/");
				return { namespace, path: rest };
			}
		}
		return { namespace: header, path };
	}

	function resolve(
		path: string,
		method: string,
		list: boolean,
		query: URLSearchParams,
		namespace: string,
	): Route {
		const system = systemRoute(path, method, state.approle);
		if (system) return system;
		const located = mountOf(path);
		const route =
			located &&
			kvRoute(kvFor(namespace, located.mount), located.mount, located.rest, method, list, query);
		if (route) {
			return route.target && namespace
				? { ...route, target: `${namespace}/${route.target}` }
				: route;
		}
		if (path === "sys/health")
			return { op: "sys.health", unauthenticated: true, run: () => health() };
		return {
			op: "unknown",
			run: () => errorAnswer(404, NO_HANDLER(namespace ? `${namespace}/${path}` : path)),
		};
	}

	function health(): Answer {
		return {
			status: state.sealed() ? 503 : 200,
			body: {
				initialized: true,
				sealed: state.sealed(),
				standby: false,
				performance_standby: false,
				replication_performance_mode: "disabled",
				replication_dr_mode: "disabled",
				server_time_utc: Math.floor(now() / 1000),
				version: "1.17.0",
				cluster_name: "vault-emulator",
				cluster_id: "00000000-0000-4000-8000-000000000000",
			},
		};
	}

	function faultAnswer(kind: string, status: number | undefined, path: string): Answer {
		if (kind === "throttle") {
			// Vault's rate-limit quotas answer 429 with Retry-After.
			return {
				...errorAnswer(429, `request path "${path}": rate limit quota exceeded`),
				headers: { "retry-after": "1" },
			};
		}
		const code = status ?? 500;
		return errorAnswer(code, code === 503 ? "Vault is sealed" : "internal error");
	}

	function tokenOf(req: IncomingMessage): string | undefined {
		const header = req.headers["x-vault-token"];
		if (typeof header === "string" && header !== "") return header;
		const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
		return bearer?.[1];
	}

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? "/", "http://emulator");
		const method = (req.method ?? "GET").toUpperCase();
		let body: Buffer | undefined;
		let tooLarge = false;
		try {
			body = await readBody(req, maxRequestBytes);
		} catch (error) {
			if (!(error instanceof BodyTooLargeError)) throw error;
			tooLarge = true;
		}
		let route: Route;
		let apiPath = "";
		if (!url.pathname.startsWith("/v1/")) {
			route = { op: "unknown", run: () => errorAnswer(404) };
		} else {
			try {
				// Go's server decodes the whole path, so an encoded `/` separates segments too.
				apiPath = decodeURIComponent(url.pathname.slice(4));
			} catch {
				apiPath = "";
			}
			const header = trimSlashes(String(req.headers["x-vault-namespace"] ?? ""));
			const split = splitNamespace(apiPath, state.namespaces ? header : "");
			const list = method === "GET" && TRUE_VALUES.has(url.searchParams.get("list") ?? "");
			route =
				apiPath === ""
					? { op: "unknown", run: () => errorAnswer(400, "invalid request path") }
					: resolve(split.path, method, list, url.searchParams, split.namespace);
		}
		const fault = await applyTransportFault(plan, route.op, route.target, req);
		if (fault.dropped) return;
		const answer = ((): Answer => {
			if (fault.answer) return faultAnswer(fault.answer.kind, fault.answer.status, apiPath);
			if (state.sealed() && route.op !== "sys.health") return errorAnswer(503, "Vault is sealed");
			if (tooLarge) return errorAnswer(413, "http: request body too large");
			let parsed: Record<string, unknown> = {};
			if (body && body.length > 0) {
				try {
					const value = JSON.parse(body.toString("utf8"));
					parsed =
						typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
				} catch {
					return errorAnswer(400, "failed to parse JSON input");
				}
			}
			const token = route.unauthenticated ? undefined : tokens.get(tokenOf(req));
			if (!route.unauthenticated) {
				if (!token) return errorAnswer(403, "permission denied");
				if (route.acl && !acl.allows(token.policies, route.acl.path, route.acl.capability)) {
					return errorAnswer(403, "permission denied");
				}
			}
			if (
				route.mergePatch &&
				!String(req.headers["content-type"] ?? "").startsWith("application/merge-patch+json")
			) {
				return errorAnswer(415, "PATCH requires Content-Type of application/merge-patch+json");
			}
			return route.run({ body: parsed, tokens, acl, ...(token ? { token } : {}) });
		})();
		fault.record.status = answer.status;
		if (answer.status === 204) {
			res.writeHead(204, answer.headers ?? {});
			res.end();
			return;
		}
		sendJson(res, answer.status, answer.body, answer.headers);
	}

	return handle;
}

/**
 * Answers what Node's parser refuses before any handler runs: the `LIST` verb gets a
 * Vault-style 400 that closes the connection, anything else a dropped socket.
 */
export function rejectUnparsable(plan: FaultPlan) {
	return (error: Error & { code?: string }, socket: Duplex): void => {
		plan.calls.push({ operation: "http.rejected", status: 400, at: Date.now() });
		if (error.code === "HPE_INVALID_METHOD" && socket.writable) {
			const text = JSON.stringify({
				errors: ["unsupported HTTP method; send GET with ?list=true"],
			});
			// Without `Connection: close` a keep-alive client reuses the dead socket.
			socket.end(
				`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
			);
		} else {
			socket.destroy();
		}
	};
}
