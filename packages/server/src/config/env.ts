/**
 * Environment variables → a partial configuration. Every variable is listed in
 * {@link ENV_VARIABLES} (the README's table is generated from the same list by hand:
 * keep both in step). A malformed variable is an issue named after the variable; its
 * value is never quoted, since many of them carry credentials.
 */
import type { ValidationIssue } from "@strongbox/core";

type Kind = "string" | "integer" | "boolean" | "json";

interface EnvVariable {
	/** Dotted path in the configuration. */
	path: string;
	kind: Kind;
	description: string;
}

/** Every environment variable the server reads, with the configuration field it sets. */
export const ENV_VARIABLES: Record<string, EnvVariable> = {
	STRONGBOX_DATA_DIR: { path: "dataDir", kind: "string", description: "data directory" },
	STRONGBOX_DATABASE_URL: {
		path: "database.url",
		kind: "string",
		description: "catalog database URL",
	},
	STRONGBOX_TABLE_PREFIX: {
		path: "database.tablePrefix",
		kind: "string",
		description: "table prefix",
	},
	STRONGBOX_STORE_TYPE: { path: "store.type", kind: "string", description: "store type" },
	STRONGBOX_STORE_NAME: { path: "store.name", kind: "string", description: "back-end name" },
	STRONGBOX_BACKUP_STORE_TYPE: {
		path: "backup.type",
		kind: "string",
		description: "backup store type",
	},
	STRONGBOX_BACKUP_STORE_NAME: {
		path: "backup.name",
		kind: "string",
		description: "backup store name",
	},
	STRONGBOX_SECONDARY_STORES: {
		path: "secondaryStores",
		kind: "json",
		description: "JSON array of secondary stores",
	},
	STRONGBOX_ENCRYPTION_KEYS: { path: "encryption.keys", kind: "string", description: "key ring" },
	STRONGBOX_ENCRYPTION_KEY_FILE: {
		path: "encryption.keyFile",
		kind: "string",
		description: "key ring file",
	},
	STRONGBOX_HOST: { path: "server.host", kind: "string", description: "listen address" },
	STRONGBOX_PORT: { path: "server.port", kind: "integer", description: "listen port" },
	STRONGBOX_TLS_CERT: {
		path: "server.tls.cert",
		kind: "string",
		description: "PEM certificate path",
	},
	STRONGBOX_TLS_KEY: { path: "server.tls.key", kind: "string", description: "PEM key path" },
	STRONGBOX_ALLOW_INSECURE_HTTP: {
		path: "server.allowInsecureHttp",
		kind: "boolean",
		description: "plain HTTP on a non-loopback address",
	},
	STRONGBOX_TRUST_PROXY: {
		path: "server.trustProxy",
		kind: "boolean",
		description: "trust X-Forwarded-*",
	},
	STRONGBOX_BODY_LIMIT_BYTES: {
		path: "limits.bodyBytes",
		kind: "integer",
		description: "body limit",
	},
	STRONGBOX_MAX_VALUE_BYTES: {
		path: "limits.maxValueBytes",
		kind: "integer",
		description: "values size limit",
	},
	STRONGBOX_MAX_PAGE_SIZE: {
		path: "limits.maxPageSize",
		kind: "integer",
		description: "page size limit",
	},
	STRONGBOX_RATE_LIMIT_PER_MINUTE: {
		path: "rateLimit.requestsPerMinute",
		kind: "integer",
		description: "requests per minute per token",
	},
	STRONGBOX_CACHE_TTL_MS: { path: "cache.ttlMs", kind: "integer", description: "values cache TTL" },
	STRONGBOX_CACHE_MAX: { path: "cache.max", kind: "integer", description: "values cache size" },
	STRONGBOX_AUDIT_FAIL_CLOSED: {
		path: "audit.failClosed",
		kind: "boolean",
		description: "fail closed",
	},
	STRONGBOX_AUTH_CACHE_TTL_MS: {
		path: "auth.cacheTtlMs",
		kind: "integer",
		description: "token cache",
	},
	STRONGBOX_BOOTSTRAP: {
		path: "auth.bootstrap",
		kind: "boolean",
		description: "first-start admin",
	},
	STRONGBOX_RECONCILE_INTERVAL_SECONDS: {
		path: "reconcile.intervalSeconds",
		kind: "integer",
		description: "reconcile interval",
	},
	STRONGBOX_METRICS_ENABLED: {
		path: "metrics.enabled",
		kind: "boolean",
		description: "serve /metrics",
	},
	STRONGBOX_METRICS_REQUIRE_AUTH: {
		path: "metrics.requireAuth",
		kind: "boolean",
		description: "token on /metrics",
	},
	STRONGBOX_LOG_LEVEL: { path: "log.level", kind: "string", description: "log level" },
};

/** Prefix of the variables that set store options: `STRONGBOX_STORE_OPTIONS_KEY_FILE` → `keyFile`. */
export const STORE_OPTIONS_PREFIX = "STRONGBOX_STORE_OPTIONS_";

/** Prefix of the variables that set the backup store's options, as {@link STORE_OPTIONS_PREFIX} does. */
export const BACKUP_STORE_OPTIONS_PREFIX = "STRONGBOX_BACKUP_STORE_OPTIONS_";

/** `KEY_FILE` → `keyFile`. */
export function camelCase(name: string): string {
	return name.toLowerCase().replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function parseValue(
	raw: string,
	kind: Kind,
): { ok: true; value: unknown } | { ok: false; message: string } {
	switch (kind) {
		case "string":
			return { ok: true, value: raw };
		case "integer": {
			const text = raw.trim();
			if (!/^-?\d{1,15}$/.test(text)) return { ok: false, message: "must be an integer" };
			return { ok: true, value: Number(text) };
		}
		case "boolean": {
			const text = raw.trim().toLowerCase();
			if (["1", "true", "yes", "on"].includes(text)) return { ok: true, value: true };
			if (["0", "false", "no", "off", ""].includes(text)) return { ok: true, value: false };
			return { ok: false, message: "must be true or false" };
		}
		case "json":
			try {
				return { ok: true, value: JSON.parse(raw) };
			} catch {
				return { ok: false, message: "must be valid JSON" };
			}
	}
}

/** Sets `value` at a dotted `path` of `target`, creating objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
	const parts = path.split(".");
	let node = target;
	for (const part of parts.slice(0, -1)) {
		const next = node[part];
		if (typeof next !== "object" || next === null || Array.isArray(next)) node[part] = {};
		node = node[part] as Record<string, unknown>;
	}
	node[parts.at(-1)!] = value;
}

/** Store options from `STRONGBOX_STORE_OPTIONS_*` (or another prefix), JSON-parsed when they parse. */
export function storeOptionsFromEnv(
	env: Record<string, string | undefined>,
	prefix: string = STORE_OPTIONS_PREFIX,
): Record<string, unknown> {
	const options: Record<string, unknown> = {};
	for (const [name, raw] of Object.entries(env)) {
		if (!name.startsWith(prefix) || raw === undefined) continue;
		const key = camelCase(name.slice(prefix.length));
		if (key.length === 0) continue;
		let value: unknown = raw;
		try {
			value = JSON.parse(raw);
		} catch {
			// Not JSON: the option is the string itself.
		}
		options[key] = value;
	}
	return options;
}

/** The configuration the environment sets, and the problems found in it. */
export function configFromEnv(env: Record<string, string | undefined>): {
	config: Record<string, unknown>;
	issues: ValidationIssue[];
} {
	const config: Record<string, unknown> = {};
	const issues: ValidationIssue[] = [];
	for (const [name, variable] of Object.entries(ENV_VARIABLES)) {
		const raw = env[name];
		if (raw === undefined || (raw === "" && variable.kind !== "boolean")) continue;
		const parsed = parseValue(raw, variable.kind);
		if (parsed.ok) setPath(config, variable.path, parsed.value);
		else issues.push({ path: name, message: parsed.message });
	}
	const options = storeOptionsFromEnv(env);
	if (Object.keys(options).length > 0) setPath(config, "store.options", options);
	const backupOptions = storeOptionsFromEnv(env, BACKUP_STORE_OPTIONS_PREFIX);
	if (Object.keys(backupOptions).length > 0) setPath(config, "backup.options", backupOptions);
	return { config, issues };
}
