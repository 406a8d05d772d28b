/**
 * Maps a request (method + path) to a Key Vault secrets operation: its REST operation
 * name (what the call log records), the access-policy permission it needs, the secret
 * it names, and the function that answers it.
 */
import { badParameter, type KeyVaultError } from "./errors.js";
import { deletedBundle, deletedItem, secretBundle, secretItem } from "./shapes.js";
import type { SecretInput, Vault } from "./vault.js";

/** Secret permissions of a Key Vault access policy. */
export type KeyVaultPermission = "get" | "list" | "set" | "delete" | "recover" | "purge";

/** What an answer needs from the request. */
export interface RequestContext {
	vault: Vault;
	/** `https://127.0.0.1:<port>`, the origin every id and nextLink uses. */
	origin: string;
	query: URLSearchParams;
	apiVersion: string;
	body: SecretInput;
}

/** An answer: status and JSON body (`undefined` for 204). */
export interface Answer {
	status: number;
	body?: unknown;
}

/** A resolved route. */
export interface Route {
	operation: string;
	permission: KeyVaultPermission;
	target?: string;
	/** Whether the request carries a JSON body. */
	hasBody: boolean;
	run(ctx: RequestContext): Answer;
}

/** Page size when `maxresults` is absent, and the largest one the service accepts. */
const MAX_PAGE = 25;

function page<T>(
	ctx: RequestContext,
	path: string,
	items: T[],
): { value: T[]; nextLink: string | null } {
	const raw = ctx.query.get("maxresults");
	let size = MAX_PAGE;
	if (raw !== null) {
		size = Number(raw);
		if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
			throw badParameter(`maxresults must be an integer between 1 and ${MAX_PAGE}.`);
		}
	}
	const token = ctx.query.get("$skiptoken");
	let offset = 0;
	if (token !== null) {
		offset = Number(Buffer.from(token, "base64url").toString("utf8"));
		if (!Number.isInteger(offset) || offset < 0) throw badParameter("Invalid $skiptoken.");
	}
	const value = items.slice(offset, offset + size);
	const next = offset + size;
	if (next >= items.length) return { value, nextLink: null };
	// Absolute, on the exact origin: the SDK follows it as is and only sends its token there.
	const params = new URLSearchParams({
		"api-version": ctx.apiVersion,
		$skiptoken: Buffer.from(String(next)).toString("base64url"),
		maxresults: String(size),
	});
	return { value, nextLink: `${ctx.origin}${path}?${params.toString()}` };
}

function route(
	operation: string,
	permission: KeyVaultPermission,
	target: string | undefined,
	run: (ctx: RequestContext) => Answer,
	hasBody = false,
): Route {
	return { operation, permission, ...(target === undefined ? {} : { target }), hasBody, run };
}

/** Resolves a request; `undefined` when the API has no such operation. */
export function resolveRoute(method: string, pathname: string): Route | undefined {
	let segments: string[];
	try {
		segments = pathname.split("/").slice(1).map(decodeURIComponent);
	} catch {
		return undefined;
	}
	const [collection, name, third, fourth] = segments;
	if (collection === "secrets") {
		if (name === undefined || name === "") {
			if (method !== "GET") return undefined;
			return route("GetSecrets", "list", undefined, (ctx) => ({
				status: 200,
				body: page(
					ctx,
					"/secrets",
					ctx.vault
						.list()
						.map((s) => secretItem(ctx.origin, ctx.vault, s.secret, s.version, false)),
				),
			}));
		}
		if (fourth !== undefined) return undefined;
		if (third === "versions" && method === "GET") {
			return route("GetSecretVersions", "list", name, (ctx) => ({
				status: 200,
				body: page(
					ctx,
					`/secrets/${encodeURIComponent(name)}/versions`,
					ctx.vault
						.versions(name)
						.map((s) => secretItem(ctx.origin, ctx.vault, s.secret, s.version, true)),
				),
			}));
		}
		const version = third ?? "";
		if (method === "PUT" && third === undefined) {
			return route(
				"SetSecret",
				"set",
				name,
				(ctx) => {
					const { secret, version: v } = ctx.vault.set(name, ctx.body);
					return { status: 200, body: secretBundle(ctx.origin, ctx.vault, secret, v, true) };
				},
				true,
			);
		}
		if (method === "GET") {
			return route("GetSecret", "get", name, (ctx) => {
				const { secret, version: v } = ctx.vault.get(name, version);
				return { status: 200, body: secretBundle(ctx.origin, ctx.vault, secret, v, true) };
			});
		}
		if (method === "PATCH") {
			return route(
				"UpdateSecret",
				"set",
				name,
				(ctx) => {
					const { secret, version: v } = ctx.vault.update(name, version, ctx.body);
					return { status: 200, body: secretBundle(ctx.origin, ctx.vault, secret, v, false) };
				},
				true,
			);
		}
		if (method === "DELETE" && third === undefined) {
			return route("DeleteSecret", "delete", name, (ctx) => {
				const { secret, version: v, entry } = ctx.vault.delete(name);
				return { status: 200, body: deletedBundle(ctx.origin, ctx.vault, entry, secret, v) };
			});
		}
		return undefined;
	}
	if (collection === "deletedsecrets") {
		if (name === undefined || name === "") {
			if (method !== "GET") return undefined;
			return route("GetDeletedSecrets", "list", undefined, (ctx) => ({
				status: 200,
				body: page(
					ctx,
					"/deletedsecrets",
					ctx.vault.listDeleted().map((entry) => deletedItem(ctx.origin, ctx.vault, entry)),
				),
			}));
		}
		if (fourth !== undefined) return undefined;
		if (third === undefined && method === "GET") {
			return route("GetDeletedSecret", "get", name, (ctx) => {
				const entry = ctx.vault.getDeleted(name);
				const version = entry.secret.versions.at(-1)!;
				return {
					status: 200,
					body: deletedBundle(ctx.origin, ctx.vault, entry, entry.secret, version),
				};
			});
		}
		if (third === undefined && method === "DELETE") {
			return route("PurgeDeletedSecret", "purge", name, (ctx) => {
				ctx.vault.purge(name);
				return { status: 204 };
			});
		}
		if (third === "recover" && method === "POST") {
			return route("RecoverDeletedSecret", "recover", name, (ctx) => {
				const { secret, version } = ctx.vault.recover(name);
				return { status: 200, body: secretBundle(ctx.origin, ctx.vault, secret, version, false) };
			});
		}
	}
	return undefined;
}

/** The answer to a request the API does not know. */
export function unknownOperation(method: string): KeyVaultError {
	return badParameter(`The ${method} operation is not supported on this path by the emulator.`);
}
