/**
 * A printable copy of a configuration: credentials masked, so that `strongbox config
 * show` and start-up logs can show what is in effect.
 */
import type { StrongboxConfig } from "./schema.js";

const MASK = "********";
// Store options whose name suggests a credential; a store's declared `secretOptions`
// are masked too when the caller passes them.
const SECRET_OPTION = /key|secret|token|password|credential|auth|cert|private/i;
// Options holding a connection string keep their shape with the password masked.
const URL_OPTION = /url|uri|dsn|connection/i;

/** The URL with its password (and any query string) masked. */
export function redactUrl(url: string): string {
	try {
		const parsed = new URL(url);
		if (parsed.password) parsed.password = MASK;
		if (parsed.search) parsed.search = "?…";
		return parsed.toString();
	} catch {
		return url.startsWith("sqlite:") ? url : MASK;
	}
}

function redactOptions(
	options: Record<string, unknown>,
	secretOptions: readonly string[],
): Record<string, unknown> {
	return Object.fromEntries(
		Object.entries(options).map(([key, value]) => [
			key,
			secretOptions.includes(key) || SECRET_OPTION.test(key)
				? MASK
				: URL_OPTION.test(key)
					? typeof value === "string"
						? redactUrl(value)
						: MASK
					: value,
		]),
	);
}

/**
 * A copy of `config` safe to print: database password, key ring and credential-like
 * store options (of every store, the backup included) masked; URL options keep their
 * shape with the password masked.
 */
export function redactConfig(
	config: StrongboxConfig,
	secretOptions: readonly string[] = [],
): StrongboxConfig {
	const copy = structuredClone(config);
	if (copy.database.url) copy.database.url = redactUrl(copy.database.url);
	if (copy.encryption.keys) copy.encryption.keys = MASK;
	copy.store.options = redactOptions(copy.store.options, secretOptions);
	if (copy.backup) copy.backup.options = redactOptions(copy.backup.options, secretOptions);
	copy.secondaryStores = copy.secondaryStores.map((s) => ({
		...s,
		options: redactOptions(s.options, secretOptions),
	}));
	return copy;
}
