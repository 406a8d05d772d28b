/**
 * HTTP for the client: one request with a timeout, the answer turned into JSON or a
 * typed error (core's `errorFromBody`), and bounded retries with backoff (core's
 * `withRetry`) on 503 and 429, honouring `Retry-After`. Connection failures are retried
 * only when the request cannot have reached the server, or when it is a read.
 */
import http from "node:http";
import https from "node:https";
import {
	AuthError,
	errorFromBody,
	isNetworkError,
	RateLimitedError,
	type RetryOptions,
	StoreUnavailableError,
	StrongboxError,
	withRetry,
} from "@strongbox/core";

/** The subset of `fetch` the client uses; pass your own (a proxy agent, a test double). */
export type FetchLike = (
	url: string,
	init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{
	status: number;
	headers: { get(name: string): string | null };
	text(): Promise<string>;
}>;

/** Retry policy: core's `RetryOptions` plus the longest `Retry-After` worth waiting for. */
export interface ClientRetryOptions extends Omit<RetryOptions, "retryable"> {
	/** A `Retry-After` longer than this fails at once instead of waiting. @default 30 */
	maxRetryAfterSeconds?: number;
}

/** One call. */
export interface CallOptions {
	method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
	path: string;
	query?: Record<string, string>;
	body?: unknown;
	headers?: Record<string, string>;
	/** Safe to send twice (reads): connection failures are retried too. */
	idempotent?: boolean;
	/** Non-2xx statuses whose JSON body is a normal answer (`/health`'s 503). */
	accept?: number[];
}

/** A 2xx answer. */
export interface CallResult {
	status: number;
	headers: { get(name: string): string | null };
	body: unknown;
}

/** Code of the server's 404 for an unknown route (not a secret: the URL or version is wrong). */
const ROUTE_NOT_FOUND = "ROUTE_NOT_FOUND";
const MAX_ERROR_BODY = 64 * 1024;

/** A fetch over `node:https` with a custom CA (Node's global fetch takes no CA option). */
export function httpsFetch(agent: https.Agent): FetchLike {
	return (url, init) =>
		new Promise((resolve, reject) => {
			const target = new URL(url);
			const lib = target.protocol === "https:" ? https : http;
			const request = lib.request(
				target,
				{
					method: init.method,
					headers:
						init.body === undefined
							? init.headers
							: { ...init.headers, "content-length": String(Buffer.byteLength(init.body)) },
					...(target.protocol === "https:" ? { agent } : {}),
					...(init.signal ? { signal: init.signal } : {}),
				},
				(response) => {
					const chunks: Buffer[] = [];
					response.on("data", (chunk: Buffer) => chunks.push(chunk));
					response.on("error", reject);
					response.on("end", () => {
						const text = Buffer.concat(chunks).toString("utf8");
						resolve({
							status: response.statusCode ?? 0,
							headers: {
								get: (name) => {
									const value = response.headers[name.toLowerCase()];
									return value === undefined
										? null
										: Array.isArray(value)
											? value.join(", ")
											: value;
								},
							},
							text: async () => text,
						});
					});
				},
			);
			request.on("error", reject);
			if (init.body !== undefined) request.write(init.body);
			request.end();
		});
}

function retryAfterSeconds(header: string | null): number | undefined {
	if (header === null) return undefined;
	if (/^\d+$/.test(header.trim())) return Number(header.trim());
	const date = Date.parse(header);
	return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function errorOf(
	status: number,
	text: string,
	headers: { get(name: string): string | null },
): StrongboxError {
	let body: unknown;
	try {
		body = JSON.parse(text.slice(0, MAX_ERROR_BODY));
	} catch {
		body = undefined;
	}
	const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
	if (typeof code === "string") {
		if (code === ROUTE_NOT_FOUND) {
			return new StrongboxError(
				`The server has no such route (status ${status}): check the URL and the server's version.`,
			);
		}
		const error = errorFromBody(body, status);
		const after = retryAfterSeconds(headers.get("retry-after"));
		if (
			error instanceof RateLimitedError &&
			after !== undefined &&
			after !== error.retryAfterSeconds
		) {
			return new RateLimitedError(error.message, after, { details: error.details ?? {} });
		}
		return error;
	}
	// Not a Strongbox answer: a proxy, a load balancer or the wrong URL. Never "not found".
	if (status === 429) {
		return new RateLimitedError(
			"Too many requests.",
			retryAfterSeconds(headers.get("retry-after")) ?? 1,
		);
	}
	if (status === 401) return new AuthError("The server refused the token.");
	if (status >= 500)
		return new StoreUnavailableError(`The server answered ${status}; retry later.`);
	return new StrongboxError(
		`Unexpected answer ${status} (not a Strongbox error body): is the URL a Strongbox server?`,
	);
}

// Errors after which the request may have been processed: a write is not sent again.
const maybeProcessed = new WeakSet<object>();

/** Options of {@link createTransport}. */
export interface TransportOptions {
	baseUrl: string;
	headers: Record<string, string>;
	fetch: FetchLike;
	timeoutMs: number;
	retry: ClientRetryOptions | false;
}

/** Sends calls with timeouts and retries. */
export function createTransport(
	options: TransportOptions,
): (call: CallOptions) => Promise<CallResult> {
	const retry = options.retry === false ? { attempts: 1 } : options.retry;
	const maxWait = (retry as ClientRetryOptions).maxRetryAfterSeconds ?? 30;

	async function once(call: CallOptions): Promise<CallResult> {
		const query =
			call.query && Object.keys(call.query).length > 0 ? `?${new URLSearchParams(call.query)}` : "";
		const headers: Record<string, string> = { ...options.headers, ...call.headers };
		let body: string | undefined;
		if (call.body !== undefined) {
			body = JSON.stringify(call.body);
			headers["content-type"] = "application/json";
		}
		let response: Awaited<ReturnType<FetchLike>>;
		let text: string;
		try {
			response = await options.fetch(`${options.baseUrl}${call.path}${query}`, {
				method: call.method,
				headers,
				...(body === undefined ? {} : { body }),
				signal: AbortSignal.timeout(options.timeoutMs),
			});
			text = await response.text();
		} catch (error) {
			const timedOut = (error as { name?: unknown })?.name === "TimeoutError";
			const wrapped = new StoreUnavailableError(
				timedOut
					? `The Strongbox server did not answer within ${options.timeoutMs} ms.`
					: `Cannot reach the Strongbox server at ${options.baseUrl}.`,
				{ cause: error },
			);
			const refused =
				isNetworkError(error) &&
				/ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(
					String(
						(error as { cause?: { code?: unknown } })?.cause?.code ??
							(error as { code?: unknown })?.code,
					),
				);
			if (!refused) maybeProcessed.add(wrapped);
			throw wrapped;
		}
		if (
			(response.status >= 200 && response.status < 300) ||
			call.accept?.includes(response.status)
		) {
			let parsed: unknown;
			if (text.length > 0) {
				try {
					parsed = JSON.parse(text);
				} catch (error) {
					throw new StrongboxError(
						"The server's answer is not JSON: is the URL a Strongbox server?",
						{ cause: error },
					);
				}
			}
			return { status: response.status, headers: response.headers, body: parsed };
		}
		throw errorOf(response.status, text, response.headers);
	}

	return (call) => {
		let wait = 0;
		return withRetry(
			async (attempt) => {
				if (attempt > 1 && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
				wait = 0;
				return once(call);
			},
			{
				...retry,
				retryable: (error) => {
					if (!(error instanceof StrongboxError) || !error.retryable) return false;
					if (maybeProcessed.has(error) && !call.idempotent) return false;
					if (error instanceof RateLimitedError) {
						if (error.retryAfterSeconds > maxWait) return false;
						wait = error.retryAfterSeconds * 1000;
					}
					return true;
				},
			},
		);
	};
}
