/**
 * Service-account credentials (`credentials`, or a key file named by `keyFilename`) as
 * an auth client. google-auth-library deprecated passing either to the client (it warns
 * on every client) because a "key file" may really be an external-account config that
 * makes the library run commands or fetch URLs; it recommends building a `JWT` from the
 * service account's email and key, which is what happens here. Other credential types
 * are refused.
 */
import { readFile } from "node:fs/promises";
import { StoreConfigError } from "@strongbox/core";
import type { GcpCredentials } from "./options.js";

const SCOPES = ["https://www.googleapis.com/auth/cloud-platform"];
const MAX_KEY_FILE_BYTES = 64 * 1024;

interface JwtModule {
	JWT: new (options: { email: string; key: string; scopes: string[] }) => object;
}

function configError(message: string, cause?: unknown): StoreConfigError {
	return new StoreConfigError(`[store-gcp] ${message}`, {
		store: "gcp",
		...(cause === undefined ? {} : { cause }),
	});
}

/**
 * google-auth-library, a direct dependency pinned to the range google-gax uses so pnpm
 * dedupes it: the auth client must be of the copy gax works with. Loaded lazily with the SDK.
 */
async function loadJwt(): Promise<JwtModule["JWT"]> {
	const mod = (await import("google-auth-library")) as unknown as JwtModule & {
		default?: JwtModule;
	};
	return mod.JWT ?? mod.default!.JWT;
}

/** Reads a service-account key file; its content never appears in an error. */
async function readKeyFile(path: string): Promise<Record<string, unknown>> {
	let text: string;
	try {
		const bytes = await readFile(path);
		if (bytes.length > MAX_KEY_FILE_BYTES)
			throw configError("`keyFilename` is too large to be a service-account key file.");
		text = bytes.toString("utf8");
	} catch (error) {
		if (error instanceof StoreConfigError) throw error;
		throw configError("Cannot read the file named by `keyFilename`.", error);
	}
	try {
		const parsed: unknown = JSON.parse(text);
		if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
			return parsed as Record<string, unknown>;
	} catch {
		// reported below, without the parser's message (it may quote the file)
	}
	throw configError("The file named by `keyFilename` is not a JSON service-account key.");
}

/** An auth client for a service account, from inline `credentials` or a key file. */
export async function serviceAccountClient(source: {
	credentials?: GcpCredentials;
	keyFilename?: string;
}): Promise<object> {
	const json: Record<string, unknown> =
		source.credentials ?? (await readKeyFile(source.keyFilename!));
	const type = json.type;
	if (type !== undefined && type !== "service_account") {
		throw configError(
			'Only service-account keys are accepted (`type: "service_account"`); use Application Default Credentials or `authClient` for other credential types.',
		);
	}
	if (typeof json.client_email !== "string" || typeof json.private_key !== "string") {
		throw configError("A service-account key needs `client_email` and `private_key`.");
	}
	const JWT = await loadJwt();
	return new JWT({ email: json.client_email, key: json.private_key, scopes: SCOPES });
}
