/**
 * Secret Manager's documented rules and gRPC answers, shared by the emulator's model:
 * resource names, secret ids, labels, list filters and page tokens.
 */
import { status } from "@grpc/grpc-js";

/** A gRPC error answer (`code` from `@grpc/grpc-js`'s `status`). */
export class GrpcFault extends Error {
	constructor(
		readonly code: status,
		readonly details: string,
	) {
		super(details);
	}
}

/** An INVALID_ARGUMENT answer. */
export const invalid = (details: string) => new GrpcFault(status.INVALID_ARGUMENT, details);

/** Largest `SecretPayload.data` (64 KiB). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** Largest page size; larger requests are capped. */
export const MAX_PAGE_SIZE = 25_000;
/** Most labels on one secret. */
export const MAX_LABELS = 64;

const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;

/** Checks a secret id; throws INVALID_ARGUMENT. */
export function checkSecretId(id: string): void {
	if (!SECRET_ID.test(id)) {
		throw invalid(
			"Secret ID must be 1 to 255 characters of letters, numerals, hyphens (-) and underscores (_).",
		);
	}
}

/** Checks a labels map against the documented rules; throws INVALID_ARGUMENT. */
export function checkLabels(labels: Record<string, string>): void {
	const entries = Object.entries(labels);
	if (entries.length > MAX_LABELS) throw invalid(`A secret can have at most ${MAX_LABELS} labels.`);
	for (const [key, value] of entries) {
		if (!LABEL_KEY.test(key) || Buffer.byteLength(key) > 128) {
			throw invalid(
				`Label key [${key.slice(0, 80)}] must start with a lowercase letter and contain at most 63 lowercase letters, numerals, underscores and hyphens.`,
			);
		}
		if (!LABEL_VALUE.test(value) || Buffer.byteLength(value) > 128) {
			throw invalid(
				`Label value of key [${key}] must contain at most 63 lowercase letters, numerals, underscores and hyphens.`,
			);
		}
	}
}

/** A parsed `projects/{project}/secrets/{secret}[/versions/{version}]` name. */
export interface ResourceName {
	project: string;
	secret: string;
	version?: string;
}

const NAME = /^projects\/([^/]+)\/secrets\/([^/]+)(?:\/versions\/([^/]+))?$/;

/** Parses a secret or version resource name; `kind` says which one the field must hold. */
export function parseName(name: string, kind: "secret" | "version"): ResourceName {
	const match = NAME.exec(name ?? "");
	if (!match || (kind === "version") !== (match[3] !== undefined)) {
		throw invalid(
			kind === "secret"
				? `Invalid resource field value in the request: expected projects/*/secrets/*, got [${String(name).slice(0, 300)}].`
				: `Invalid resource field value in the request: expected projects/*/secrets/*/versions/*, got [${String(name).slice(0, 300)}].`,
		);
	}
	return {
		project: match[1]!,
		secret: match[2]!,
		...(match[3] === undefined ? {} : { version: match[3] }),
	};
}

/** Parses `projects/{project}`. */
export function parseParent(parent: string): string {
	const match = /^projects\/([^/]+)$/.exec(parent ?? "");
	if (!match) {
		throw invalid(
			`Invalid resource field value in the request: expected projects/* (regional secrets are not emulated), got [${String(parent).slice(0, 300)}].`,
		);
	}
	return match[1]!;
}

/** One term of a list filter. */
export type FilterTerm =
	| { kind: "label"; key: string; value: string }
	| { kind: "labelPresent"; key: string }
	| { kind: "name"; contains: string }
	| { kind: "state"; state: string };

function unquote(value: string): string {
	return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
		? value.slice(1, -1)
		: value;
}

/**
 * Parses the filter subset the emulator supports (terms joined by `AND`):
 * `labels.k=v`, `labels.k:*`, `name:sub`, and for versions `state:ENABLED` / `state=ENABLED`.
 * Anything else is INVALID_ARGUMENT, so a store cannot rely on syntax the emulator ignores.
 */
export function parseFilter(filter: string, allowed: "secrets" | "versions"): FilterTerm[] {
	const text = (filter ?? "").trim();
	if (text === "") return [];
	if (text.length > 2048) throw invalid("Filter is too long.");
	return text.split(/\s+AND\s+/).map((term) => {
		const parsed = allowed === "secrets" ? parseSecretTerm(term) : parseVersionTerm(term);
		if (parsed) return parsed;
		const supported = allowed === "secrets" ? "labels.k=v, labels.k:* and name:sub" : "state:STATE";
		throw invalid(
			`Invalid filter term [${term.slice(0, 200)}] (the emulator supports ${supported} joined by AND).`,
		);
	});
}

const LABEL_PRESENT = /^labels\.([^\s=:]+)\s*:\s*\*$/;
const LABEL_EQUALS = /^labels\.([^\s=:]+)\s*=\s*("[^"]*"|[^\s"]*)$/;
const NAME_CONTAINS = /^name\s*:\s*("[^"]*"|[^\s"]+)$/;
const STATE = /^state\s*[:=]\s*(ENABLED|DISABLED|DESTROYED)$/;

function parseSecretTerm(term: string): FilterTerm | undefined {
	const present = LABEL_PRESENT.exec(term);
	if (present) return { kind: "labelPresent", key: present[1]! };
	const equals = LABEL_EQUALS.exec(term);
	if (equals) return { kind: "label", key: equals[1]!, value: unquote(equals[2]!) };
	const name = NAME_CONTAINS.exec(term);
	if (name) return { kind: "name", contains: unquote(name[1]!) };
	return undefined;
}

function parseVersionTerm(term: string): FilterTerm | undefined {
	const state = STATE.exec(term);
	return state ? { kind: "state", state: state[1]! } : undefined;
}

/** A page token: the sequence number of the last item returned, bound to the filter it was made with. */
export function encodePageToken(lastSeq: number, filter: string): string {
	return Buffer.from(JSON.stringify({ s: lastSeq, f: filter })).toString("base64url");
}

/** Decodes a page token; INVALID_ARGUMENT when it is malformed or was made for another filter. */
export function decodePageToken(token: string, filter: string): number | undefined {
	if (!token) return undefined;
	try {
		const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
			s?: unknown;
			f?: unknown;
		};
		if (typeof parsed.s === "number" && parsed.f === filter) return parsed.s;
	} catch {
		// fall through
	}
	throw invalid("Invalid page token.");
}

/** The page size to use: 0 means the server's choice; above the maximum is capped. */
export function pageSize(requested: number): number {
	if (!Number.isInteger(requested) || requested < 0)
		throw invalid("page_size must not be negative.");
	return requested === 0 || requested > MAX_PAGE_SIZE ? MAX_PAGE_SIZE : requested;
}
