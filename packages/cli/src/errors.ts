/**
 * The CLI's own typed errors and the one table that turns any error into an exit code
 * and a message that says what to do next. Messages never hold a value: core's errors
 * are value-free by contract, and the CLI's own name files, keys and flags only.
 */
import { StrongboxError, type StrongboxErrorOptions } from "@strongbox/core";

/** Exit codes of the `strongbox` command (documented in the README). */
export const EXIT = {
	OK: 0,
	/** An error with no more specific code (internal, store failure, integrity check). */
	ERROR: 1,
	/** Bad command line or bad input: unknown flag, invalid name or key, unreadable file, too large. */
	USAGE: 2,
	/** The secret (or the key of a secret) does not exist or is not visible to you. */
	NOT_FOUND: 3,
	/** The name is taken, or the secret changed since the version you expected. */
	CONFLICT: 4,
	/** Not logged in, token refused or expired, or not allowed. */
	AUTH: 5,
	/** The store or the server cannot be reached (transient: retry later). */
	UNAVAILABLE: 6,
	/** Strongbox's configuration is wrong (store options, encryption key, config file). */
	CONFIG: 7,
	/** Interrupted at a prompt (Ctrl-C). */
	INTERRUPTED: 130,
} as const;

/** Base of the errors raised by the CLI itself. */
export class CliError extends StrongboxError {
	override readonly code: string = "CLI_ERROR";
	override readonly status: number = 400;
}

/** The command line is wrong (unknown flag, missing argument, flags that cannot go together). */
export class UsageError extends CliError {
	override readonly code = "USAGE";
}

/** `--key K` or `--remove-key K` names a key the secret does not have. */
export class KeyNotFoundError extends CliError {
	override readonly code = "KEY_NOT_FOUND";
	override readonly status = 404;
}

/** A command that needs a server was run in local mode. */
export class RemoteOnlyError extends CliError {
	override readonly code = "REMOTE_ONLY";
}

/** A command that needs direct access to the catalog and the stores (migrate) was run in remote mode. */
export class LocalOnlyError extends CliError {
	override readonly code = "LOCAL_ONLY";
}

/** The user pressed Ctrl-C (or closed input) at a prompt. */
export class InterruptedError extends CliError {
	override readonly code = "INTERRUPTED";
	constructor(message = "Interrupted.", options?: StrongboxErrorOptions) {
		super(message, options);
	}
}

const EXIT_BY_CODE: Record<string, number> = {
	USAGE: EXIT.USAGE,
	REMOTE_ONLY: EXIT.USAGE,
	LOCAL_ONLY: EXIT.USAGE,
	VALIDATION_FAILED: EXIT.USAGE,
	PAYLOAD_TOO_LARGE: EXIT.USAGE,
	SECRET_NOT_FOUND: EXIT.NOT_FOUND,
	REFERENCE_UNRESOLVED: EXIT.NOT_FOUND,
	KEY_NOT_FOUND: EXIT.NOT_FOUND,
	SECRET_EXISTS: EXIT.CONFLICT,
	CONFLICT: EXIT.CONFLICT,
	UNAUTHENTICATED: EXIT.AUTH,
	FORBIDDEN: EXIT.AUTH,
	STORE_UNAVAILABLE: EXIT.UNAVAILABLE,
	STORE_CLOSED: EXIT.UNAVAILABLE,
	RATE_LIMITED: EXIT.UNAVAILABLE,
	STORE_CONFIG: EXIT.CONFIG,
	STORE_PERMISSION_DENIED: EXIT.CONFIG,
	CREDENTIALS_INVALID: EXIT.CONFIG,
	INTERRUPTED: EXIT.INTERRUPTED,
};

/** The exit code of an error (see {@link EXIT}). */
export function exitCodeFor(error: unknown): number {
	if (error instanceof StrongboxError) return EXIT_BY_CODE[error.code] ?? EXIT.ERROR;
	return EXIT.ERROR;
}

/** Where the command ran, for hints that name the right next step. */
export interface HintContext {
	mode: "local" | "remote" | undefined;
	url?: string | undefined;
}

/** A next step for the user, by error code; `undefined` when the message says it all. */
export function hintFor(error: StrongboxError, context: HintContext): string | undefined {
	switch (error.code) {
		case "SECRET_NOT_FOUND":
			return "Run `strongbox secret list` to see the secrets you can use (user scope is looked up first, then the workspace; pass --workspace for another one).";
		case "KEY_NOT_FOUND":
			return "Run `strongbox secret get NAME` to see the secret's keys.";
		case "REFERENCE_UNRESOLVED":
			return "Create the missing secrets or keys (`strongbox secret create` / `secret update`), or fix the references; user scope is looked up first, then the workspace.";
		case "SECRET_EXISTS":
			return "Use `strongbox secret update NAME --KEY=VALUE` to change it, or choose another name.";
		case "CONFLICT":
			return "The secret changed meanwhile: read it again with `strongbox secret get NAME` and retry.";
		case "UNAUTHENTICATED":
			return context.mode === "remote"
				? `The server refused your token. Run \`strongbox login ${context.url ?? "URL"}\` again.`
				: undefined;
		case "FORBIDDEN":
			return "Ask an administrator of the workspace for access.";
		case "STORE_UNAVAILABLE":
		case "STORE_CLOSED":
			return context.mode === "remote"
				? `Check that the server at ${context.url ?? "its URL"} is running, then retry.`
				: "The store could not be reached; retry later.";
		case "RATE_LIMITED":
			return "Too many requests; wait a little and retry.";
		case "REMOTE_ONLY":
			return "Log in to a server first: `strongbox login URL --token TOKEN`.";
		case "LOCAL_ONLY":
			return "Run it on the machine that holds the server's configuration (its strongbox.config file and STRONGBOX_* variables), without STRONGBOX_URL and not logged in (`strongbox logout`).";
		default:
			return undefined;
	}
}

const MAX_DETAIL_LINES = 1000;

/**
 * Extra lines printed under an error in text mode: every unresolved reference (the
 * message names only the first ten), or every problem of a validation error that found
 * several. Both hold paths, names, keys and rules, never a value.
 */
export function detailLines(error: StrongboxError): string[] {
	const details = error.details ?? {};
	if (error.code === "REFERENCE_UNRESOLVED" && Array.isArray(details.missing)) {
		return (details.missing as Array<Record<string, unknown>>)
			.slice(0, MAX_DETAIL_LINES)
			.map((m) => {
				const reason = m.reason === "key-not-found" ? "key not found" : "secret not found";
				return `  - ${String(m.reference)}: ${reason} (at ${String(m.path)})`;
			});
	}
	if (error.code === "VALIDATION_FAILED" && Array.isArray(details.issues)) {
		const issues = details.issues as Array<{ path?: unknown; message?: unknown }>;
		if (issues.length < 2) return [];
		return issues
			.slice(0, MAX_DETAIL_LINES)
			.map((issue) => `  - ${String(issue.path)}: ${String(issue.message)}`);
	}
	return [];
}

/** The names of environment variables, files and flags may appear in messages; values never. */
export function describeUnknown(error: unknown): { name: string; code?: string } {
	const source = error as { name?: unknown; code?: unknown } | null;
	const name = typeof source?.name === "string" ? source.name : "Error";
	const code = typeof source?.code === "string" ? source.code : undefined;
	return code === undefined ? { name } : { name, code };
}
