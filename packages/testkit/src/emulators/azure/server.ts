/**
 * The emulator's request handling: the bearer challenge for requests without a token,
 * the fault plan (in Key Vault's own answers: 429 with Retry-After, 5xx), the api-version
 * check, the access policy, bounded JSON bodies, then the route's answer.
 */
import type http from "node:http";
import type { FaultPlan, FaultRule } from "../faults.js";
import { applyTransportFault, BodyTooLargeError, readBody, sendJson } from "../http.js";
import { KeyVaultError } from "./errors.js";
import { type KeyVaultPermission, resolveRoute, unknownOperation } from "./routes.js";
import type { SecretInput, Vault } from "./vault.js";

/** One request as received (protocol details the call log does not keep). */
export interface AzureRequestRecord {
	method: string;
	path: string;
	/** The `api-version` query parameter, decoded. */
	apiVersion: string | null;
	/** Whether the request carried a bearer token. */
	authorized: boolean;
}

/** What the handler reads and records. */
export interface HandlerState {
	vault: Vault;
	plan: FaultPlan;
	requests: AzureRequestRecord[];
	tenantId: string;
	retryAfterSeconds: number;
	/** `https://127.0.0.1:<port>`, known once the server listens. */
	origin(): string;
	/** The permissions the access policy grants now. */
	permissions(): ReadonlySet<KeyVaultPermission>;
}

const API_VERSION = /^(?:7\.\d(?:-preview)?|\d{4}-\d{2}-\d{2}(?:-preview)?)$/;
const MAX_BODY_BYTES = 64 * 1024;
const MAX_REQUEST_LOG = 10_000;

function faultAnswer(rule: FaultRule, retryAfterSeconds: number): KeyVaultError {
	if (rule.kind === "throttle") {
		return new KeyVaultError(
			429,
			"Throttled",
			`Request was not processed because too many requests were received. Reason: A generic ratelimit was applied. Please retry after ${retryAfterSeconds} seconds.`,
			undefined,
			{ "retry-after": String(retryAfterSeconds) },
		);
	}
	const status = rule.status ?? 503;
	const code =
		status === 500 ? "InternalServerError" : status === 503 ? "ServiceUnavailable" : "ServiceError";
	return new KeyVaultError(
		status,
		code,
		"The service is temporarily unavailable (injected fault).",
	);
}

/** Creates the request handler of an emulated vault. */
export function createHandler(
	state: HandlerState,
): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
	const { vault, plan, requests, tenantId, retryAfterSeconds } = state;
	return async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const method = req.method ?? "GET";
		const url = new URL(req.url ?? "/", state.origin());
		// URLSearchParams decodes `api%2Dversion`, which is how the SDK writes the name.
		const apiVersion = url.searchParams.get("api-version");
		const authorization = req.headers.authorization;
		const authorized = typeof authorization === "string" && /^Bearer \S+$/.test(authorization);
		if (requests.length < MAX_REQUEST_LOG) {
			requests.push({ method, path: url.pathname, apiVersion, authorized });
		}
		if (!authorized) {
			// The SDK's first request carries no token and no body; answering anything but
			// the challenge would process that empty probe as the real call.
			req.resume();
			plan.calls.push({ operation: "Authenticate", status: 401, at: Date.now() });
			sendJson(
				res,
				401,
				{
					error: {
						code: "Unauthorized",
						message: "AKV10000: Request is missing a Bearer or PoP token.",
					},
				},
				{
					"www-authenticate": `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="https://vault.azure.net"`,
				},
			);
			return;
		}
		const route = resolveRoute(method, url.pathname);
		const transport = await applyTransportFault(
			plan,
			route?.operation ?? "Unknown",
			route?.target,
			req,
		);
		if (transport.dropped) return;
		const answer = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
			transport.record.status = status;
			if (body === undefined) {
				res.writeHead(status, headers);
				res.end();
			} else {
				sendJson(res, status, body, headers);
			}
		};
		try {
			if (transport.answer) throw faultAnswer(transport.answer, retryAfterSeconds);
			if (!route) throw unknownOperation(method);
			if (apiVersion === null) {
				throw new KeyVaultError(
					400,
					"BadParameter",
					"The api-version query parameter is required.",
				);
			}
			if (!API_VERSION.test(apiVersion)) {
				throw new KeyVaultError(
					400,
					"BadParameter",
					`The specified version (${apiVersion.slice(0, 40)}) is not recognized.`,
				);
			}
			if (!state.permissions().has(route.permission)) {
				throw new KeyVaultError(
					403,
					"Forbidden",
					`The user, group or application 'appid=emulator' does not have secrets ${route.permission} permission on key vault 'emulator;location=local'.`,
					"AccessDenied",
				);
			}
			let body: SecretInput = {};
			if (route.hasBody) {
				const raw = await readBody(req, MAX_BODY_BYTES);
				let parsed: unknown;
				try {
					parsed = JSON.parse(raw.toString("utf8"));
				} catch {
					throw new KeyVaultError(400, "BadParameter", "The request body is not valid JSON.");
				}
				if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
					throw new KeyVaultError(400, "BadParameter", "The request body must be a JSON object.");
				}
				body = parsed as SecretInput;
			} else {
				req.resume();
			}
			const result = route.run({
				vault,
				origin: state.origin(),
				query: url.searchParams,
				apiVersion,
				body,
			});
			answer(result.status, result.body);
		} catch (error) {
			req.resume();
			if (error instanceof BodyTooLargeError) {
				answer(413, {
					error: { code: "RequestEntityTooLarge", message: "The request body is too large." },
				});
			} else if (error instanceof KeyVaultError) {
				answer(error.status, error.body(), error.headers);
			} else {
				throw error;
			}
		}
	};
}
