/**
 * The login: `<home>/credentials.json` (`{ url, token }`, mode 0600 in a 0700 home) and
 * the `STRONGBOX_URL` / `STRONGBOX_TOKEN` variables, which win over the file.
 */
import { chmod, mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { AuthError } from "@strongbox/core";
import { CliError, UsageError } from "./errors.js";

/** What `strongbox login` saves. */
export interface Credentials {
	url: string;
	token: string;
	/** `login --workspace W`: the workspace commands act in unless `--workspace` says otherwise. */
	workspace?: string;
	/** When the login was saved (ISO 8601). */
	savedAt?: string;
}

/** A server to talk to, and where its address and token came from. */
export interface RemoteTarget {
	url: string;
	token: string;
	source: "environment" | "credentials";
	/** The workspace saved with the login, if any. */
	workspace?: string;
}

/** The credentials file is unreadable or malformed. */
export class CredentialsError extends CliError {
	override readonly code = "CREDENTIALS_INVALID";
}

const MAX_CREDENTIALS_BYTES = 64 * 1024;

/** The CLI's home: `--home`, else `STRONGBOX_HOME`, else `~/.strongbox`. */
export function resolveHome(
	flag: string | undefined,
	env: Record<string, string | undefined>,
	cwd: string,
): string {
	const chosen = flag ?? env.STRONGBOX_HOME;
	return chosen ? resolve(cwd, chosen) : join(homedir(), ".strongbox");
}

/** Path of the credentials file in a home. */
export function credentialsPath(home: string): string {
	return join(home, "credentials.json");
}

/** Reads the saved login, or `undefined` when there is none. */
export async function readCredentials(home: string): Promise<Credentials | undefined> {
	const path = credentialsPath(home);
	let text: string;
	try {
		const info = await stat(path);
		if (info.size > MAX_CREDENTIALS_BYTES)
			throw new CredentialsError(`${path} is too large to be a login file.`);
		text = await readFile(path, "utf8");
	} catch (error) {
		if ((error as { code?: unknown }).code === "ENOENT") return undefined;
		if (error instanceof CliError) throw error;
		throw new CredentialsError(
			`Cannot read ${path}; check its permissions or run \`strongbox logout\`.`,
		);
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw new CredentialsError(
			`${path} is not valid JSON; run \`strongbox logout\`, then log in again.`,
		);
	}
	const { url, token, savedAt, workspace } = (parsed ?? {}) as Record<string, unknown>;
	if (typeof url !== "string" || typeof token !== "string" || url === "" || token === "") {
		throw new CredentialsError(
			`${path} lacks a url or a token; run \`strongbox logout\`, then log in again.`,
		);
	}
	return {
		url,
		token,
		...(typeof workspace === "string" && workspace !== "" ? { workspace } : {}),
		...(typeof savedAt === "string" ? { savedAt } : {}),
	};
}

/** Saves the login atomically, readable by its owner only. */
export async function writeCredentials(home: string, credentials: Credentials): Promise<string> {
	await mkdir(home, { recursive: true, mode: 0o700 });
	const path = credentialsPath(home);
	const temp = `${path}.${process.pid}.tmp`;
	const handle = await open(temp, "w", 0o600);
	try {
		await handle.writeFile(`${JSON.stringify(credentials, null, 2)}\n`);
		// An existing file keeps its mode through open(); make sure of 0600.
		await handle.chmod(0o600);
	} finally {
		await handle.close();
	}
	await rename(temp, path);
	await chmod(path, 0o600);
	return path;
}

/** Removes the saved login; `false` when there was none. */
export async function deleteCredentials(home: string): Promise<boolean> {
	const path = credentialsPath(home);
	try {
		await stat(path);
	} catch {
		return false;
	}
	await rm(path, { force: true });
	return true;
}

function workspaceOf(saved: Credentials): { workspace?: string } {
	return saved.workspace === undefined ? {} : { workspace: saved.workspace };
}

/** Checks and normalises a server URL (no trailing slash, http or https only). */
export function normalizeUrl(input: string): string {
	let url: URL;
	try {
		url = new URL(input);
	} catch {
		throw new UsageError("The server URL is not a valid URL; write it as https://host[:port].");
	}
	if (url.protocol !== "http:" && url.protocol !== "https:") {
		throw new UsageError("The server URL must start with http:// or https://.");
	}
	if (url.username || url.password) {
		throw new UsageError("Put the token in --token (or STRONGBOX_TOKEN), not in the URL.");
	}
	return url.toString().replace(/\/+$/, "");
}

/** Whether a URL points at this machine (plain http is acceptable there). */
export function isLoopback(url: string): boolean {
	const host = new URL(url).hostname;
	return host === "localhost" || host === "::1" || host === "[::1]" || /^127\./.test(host);
}

/**
 * The server to use, if any: `STRONGBOX_URL` (+ `STRONGBOX_TOKEN`, or the saved token
 * when the saved login is for the same URL), else the saved login (its token overridden
 * by `STRONGBOX_TOKEN` when set). `undefined` means local mode.
 */
export async function resolveRemote(
	home: string,
	env: Record<string, string | undefined>,
): Promise<RemoteTarget | undefined> {
	const envUrl = env.STRONGBOX_URL?.trim() || undefined;
	const envToken = env.STRONGBOX_TOKEN?.trim() || undefined;
	if (envUrl) {
		const url = normalizeUrl(envUrl);
		if (envToken) return { url, token: envToken, source: "environment" };
		const saved = await readCredentials(home);
		if (saved && normalizeUrl(saved.url) === url)
			return { url, token: saved.token, source: "credentials" };
		throw new AuthError(
			`STRONGBOX_URL is set but there is no token for ${url}: set STRONGBOX_TOKEN or run \`strongbox login ${url}\`.`,
		);
	}
	const saved = await readCredentials(home);
	if (!saved) return undefined;
	return envToken
		? {
				url: normalizeUrl(saved.url),
				token: envToken,
				source: "environment",
				...workspaceOf(saved),
			}
		: {
				url: normalizeUrl(saved.url),
				token: saved.token,
				source: "credentials",
				...workspaceOf(saved),
			};
}
