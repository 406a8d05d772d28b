/**
 * One mapping from anything thrown while answering a request to the error body
 * `{ "error": { "code", "message", "details"?, "requestId" } }` and the status of the
 * core error class. Fastify's own errors (bad JSON, body too large, wrong content type)
 * become core errors too, so every 4xx carries a code from core's `errorClasses`.
 * Unknown errors are a 500 with a generic message: never a stack, never a cause.
 */
import {
	type ErrorBody,
	isNetworkError,
	PayloadTooLargeError,
	RateLimitedError,
	StoreUnavailableError,
	StrongboxError,
	ValidationError,
} from "@strongbox/core";

/** Code of the 404 answered for a route that does not exist (not a core error: no secret is involved). */
export const ROUTE_NOT_FOUND = "ROUTE_NOT_FOUND";

interface FastifyLikeError {
	code?: unknown;
	statusCode?: unknown;
	validation?: unknown;
}

/** A thrown value as a core error. */
export function toStrongboxError(error: unknown): StrongboxError {
	if (error instanceof StrongboxError) return error;
	const e = error as FastifyLikeError | null;
	const code = typeof e?.code === "string" ? e.code : "";
	const status = typeof e?.statusCode === "number" ? e.statusCode : 500;
	if (code === "FST_ERR_CTP_BODY_TOO_LARGE" || status === 413) {
		return new PayloadTooLargeError("The request body is larger than the server accepts.");
	}
	if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || status === 415) {
		return new ValidationError("Unsupported content type: send `application/json`.", [
			{ path: "content-type", message: "must be application/json" },
		]);
	}
	if (code.startsWith("FST_ERR_CTP_") || code === "FST_ERR_VALIDATION" || status === 400) {
		return new ValidationError("The request body is not valid JSON.", [
			{ path: "(body)", message: "must be a JSON document" },
		]);
	}
	if (isNetworkError(error) || /^SQLITE_(BUSY|LOCKED)/.test(code) || code === "57P01") {
		return new StoreUnavailableError("The database is unavailable; retry later.", { cause: error });
	}
	if (status === 429) return new RateLimitedError("Too many requests.", 60);
	if (status >= 400 && status < 500) {
		return new ValidationError("The request is malformed.", [
			{ path: "(request)", message: "is malformed" },
		]);
	}
	return new StrongboxError("Internal error; the request id identifies it in the server's log.");
}

/** The status to answer for an error; a version precondition (`If-Match`) that failed is 412. */
export function statusOf(error: StrongboxError, preconditionGiven: boolean): number {
	if (error.code === "CONFLICT" && preconditionGiven) return 412;
	return error.status;
}

/** The JSON body of an error answer. */
export function errorBody(error: StrongboxError, requestId: string): ErrorBody {
	const json = error.toJSON();
	return {
		error: {
			code: json.code,
			message: json.message,
			...(json.details === undefined ? {} : { details: json.details }),
			requestId,
		},
	};
}
