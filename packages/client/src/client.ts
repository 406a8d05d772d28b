/**
 * `createClient`: core's `Secrets` interface over the server's REST API, with the same
 * types (dates as `Date`, `Secret` objects from core's `makeSecret`, so values stay
 * masked in `inspect` and JSON) and the same typed errors.
 */
import https from "node:https";
import { StoreClosedError, ValidationError, type ValidationIssue } from "@strongbox/core";
import { adminApi } from "./admin-api.js";
import { referencesApi } from "./references-api.js";
import { secretsApi } from "./secrets-api.js";
import { invalid } from "./shapes.js";
import {
	type CallOptions,
	type ClientRetryOptions,
	createTransport,
	type FetchLike,
	httpsFetch,
} from "./transport.js";
import type { StrongboxClient } from "./types.js";

/** Options of {@link createClient}. */
export interface ClientOptions {
	/** The server's base URL (`https://strongbox.internal:8787`). */
	url: string;
	/** An API token (`sbx_…`). Sent as `Authorization: Bearer`; never printed. */
	token: string;
	/** The workspace calls act in (`X-Strongbox-Workspace`). @default the user's default workspace */
	workspace?: string;
	/** A fetch implementation. @default global `fetch` (or `node:https` when `ca` is given) */
	fetch?: FetchLike;
	/** Per-attempt timeout. @default 30000 */
	timeoutMs?: number;
	/** Retries of 503 and 429 answers (`false`: none). @default 4 attempts, 50 ms base, 2 s cap, Retry-After up to 30 s */
	retry?: ClientRetryOptions | false;
	/**
	 * CA certificate(s) (PEM) to trust for the server, for a private CA. Node's global
	 * fetch has no CA option, so the client then uses `node:https`. Alternatively set
	 * `NODE_EXTRA_CA_CERTS` for the whole process.
	 */
	ca?: string | Buffer | Array<string | Buffer>;
	/** Allow `http://` to a non-loopback host (the token would cross the network in clear). @default false */
	allowInsecureHttp?: boolean;
}

function isLoopback(hostname: string): boolean {
	const h = hostname.replace(/^\[|\]$/g, "");
	return h === "localhost" || h === "::1" || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/**
 * Creates a client of a Strongbox server.
 *
 * @example
 * const client = createClient({ url: "https://strongbox.internal:8787", token: process.env.STRONGBOX_TOKEN! });
 * const db = await client.getSecretByName("db");
 */
export function createClient(options: ClientOptions): StrongboxClient {
	let base: URL;
	try {
		base = new URL(options.url);
	} catch {
		throw new ValidationError("Invalid client options: url: must be an http(s) URL", [
			{ path: "url", message: "must be an http(s) URL" },
		]);
	}
	const issues: ValidationIssue[] = [];
	if (base.protocol !== "https:" && base.protocol !== "http:")
		issues.push({ path: "url", message: "must be an http(s) URL" });
	if (base.username || base.password)
		issues.push({ path: "url", message: "must not hold credentials; pass `token`" });
	if (
		base.protocol === "http:" &&
		!isLoopback(base.hostname) &&
		options.allowInsecureHttp !== true
	) {
		issues.push({
			path: "url",
			message:
				"plain http:// to a non-loopback host sends the token in clear; use https:// or set allowInsecureHttp",
		});
	}
	if (
		typeof options.token !== "string" ||
		options.token.length === 0 ||
		options.token.length > 1024 ||
		/\s/.test(options.token)
	) {
		issues.push({ path: "token", message: "must be a non-empty token without spaces" });
	}
	if (issues.length > 0) invalid("Invalid client options", issues);
	const url = base.toString().replace(/\/+$/, "");
	const agent =
		options.ca === undefined ? undefined : new https.Agent({ ca: options.ca, keepAlive: true });
	const fetchImpl: FetchLike =
		options.fetch ?? (agent ? httpsFetch(agent) : (globalThis.fetch as unknown as FetchLike));
	const send = createTransport({
		baseUrl: url,
		fetch: fetchImpl,
		timeoutMs: options.timeoutMs ?? 30_000,
		retry: options.retry ?? {},
		headers: {
			authorization: `Bearer ${options.token}`,
			accept: "application/json",
			...(options.workspace === undefined ? {} : { "x-strongbox-workspace": options.workspace }),
		},
	});
	let closed = false;

	async function call(c: CallOptions): Promise<unknown> {
		if (closed) throw new StoreClosedError("This Strongbox client is closed.");
		return (await send(c)).body;
	}

	const client: StrongboxClient = {
		url,
		async close() {
			closed = true;
			agent?.destroy();
		},
		...secretsApi(call),
		...adminApi(call),
		...referencesApi(call),
	};
	return client;
}
