/**
 * `loadConfig`: a configuration file (JSON or YAML) merged with environment variables
 * (the environment wins), completed with defaults and validated. Every problem is listed
 * at once in one `StoreConfigError`; no value of the configuration is ever quoted, since
 * URLs, keys and store options carry credentials.
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { StoreConfigError, type ValidationIssue } from "@strongbox/core";
import type { z } from "zod";
import { configFromEnv } from "./env.js";
import { configSchema, type StrongboxConfig, type StrongboxConfigInput } from "./schema.js";

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
	/** A configuration file (JSON, or YAML by extension). @default `STRONGBOX_CONFIG`, else `strongbox.config.{json,yaml,yml}` in `cwd` */
	file?: string;
	/** Environment variables. @default process.env */
	env?: Record<string, string | undefined>;
	/** Directory relative paths of the environment are resolved against. @default process.cwd() */
	cwd?: string;
	/**
	 * Settings that win over the file and the environment (command-line flags), applied
	 * before defaults are derived from them: `dataDir` here also moves the default
	 * database and key file. Relative paths are resolved against `cwd`.
	 */
	overrides?: StrongboxConfigInput;
}

/** File names looked for in the working directory, in this order. */
export const CONFIG_FILE_NAMES = [
	"strongbox.config.json",
	"strongbox.config.yaml",
	"strongbox.config.yml",
] as const;

const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

function configError(issues: ValidationIssue[], source?: string): StoreConfigError {
	const lines = issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join("\n");
	return new StoreConfigError(
		`Invalid Strongbox configuration${source ? ` (${source})` : ""}, ${issues.length} problem${issues.length === 1 ? "" : "s"}:\n${lines}`,
		{ details: { issues } },
	);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep merge of plain objects; arrays and scalars of `over` replace those of `base`. */
function merge(
	base: Record<string, unknown>,
	over: Record<string, unknown>,
): Record<string, unknown> {
	const out: Record<string, unknown> = { ...base };
	for (const [key, value] of Object.entries(over)) {
		const current = out[key];
		out[key] = isPlainObject(current) && isPlainObject(value) ? merge(current, value) : value;
	}
	return out;
}

async function readConfigFile(
	file: string,
	issues: ValidationIssue[],
): Promise<Record<string, unknown>> {
	let text: string;
	try {
		const buffer = readFileSync(file);
		if (buffer.byteLength > MAX_CONFIG_FILE_BYTES) {
			issues.push({ path: "(file)", message: `is larger than ${MAX_CONFIG_FILE_BYTES} bytes` });
			return {};
		}
		text = buffer.toString("utf8");
	} catch (error) {
		const code = (error as { code?: unknown }).code;
		issues.push({
			path: "(file)",
			message: code === "ENOENT" ? "does not exist" : `cannot be read (${String(code ?? "error")})`,
		});
		return {};
	}
	let parsed: unknown;
	const isJson = file.endsWith(".json");
	try {
		// The YAML parser is loaded only for a YAML file: the CLI's local mode starts faster.
		parsed = isJson ? JSON.parse(text) : (await import("yaml")).parse(text, { maxAliasCount: 100 });
	} catch (error) {
		// Parser messages quote the offending line, which may hold a credential: keep only the position.
		const linePos = (error as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
		issues.push({
			path: "(file)",
			message: `is not valid ${isJson ? "JSON" : "YAML"}${linePos ? ` (line ${linePos.line}, column ${linePos.col})` : ""}`,
		});
		return {};
	}
	if (parsed === null || parsed === undefined) return {};
	if (!isPlainObject(parsed)) {
		issues.push({ path: "(file)", message: "must hold an object at the top level" });
		return {};
	}
	return parsed;
}

function findConfigFile(cwd: string): string | undefined {
	for (const name of CONFIG_FILE_NAMES) {
		const candidate = path.join(cwd, name);
		try {
			accessSync(candidate, constants.F_OK);
			return candidate;
		} catch {
			// Try the next name.
		}
	}
	return undefined;
}

function expandHome(p: string, home: string): string {
	if (p === "~") return home;
	if (p.startsWith("~/")) return path.join(home, p.slice(2));
	return p;
}

function resolvePath(p: string, base: string, home: string): string {
	return path.resolve(base, expandHome(p, home));
}

/** `sqlite:relative.db` → `sqlite:/abs/relative.db`; other URLs are left alone. */
function resolveDatabaseUrl(url: string, base: string, home: string): string {
	if (url === "sqlite::memory:" || url === ":memory:") return url;
	if (url.startsWith("sqlite:"))
		return `sqlite:${resolvePath(url.slice("sqlite:".length), base, home)}`;
	if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
	return `sqlite:${resolvePath(url, base, home)}`;
}

/** Makes the paths of a raw (unvalidated) configuration absolute against `base`. */
function resolvePaths(
	raw: Record<string, unknown>,
	base: string,
	home: string,
): Record<string, unknown> {
	const out = structuredClone(raw);
	const str = (v: unknown): v is string => typeof v === "string" && v.length > 0;
	if (str(out.dataDir)) out.dataDir = resolvePath(out.dataDir, base, home);
	const database = out.database;
	if (isPlainObject(database) && str(database.url)) {
		database.url = resolveDatabaseUrl(database.url, base, home);
	}
	const encryption = out.encryption;
	if (isPlainObject(encryption) && str(encryption.keyFile)) {
		encryption.keyFile = resolvePath(encryption.keyFile, base, home);
	}
	const server = out.server;
	if (isPlainObject(server) && isPlainObject(server.tls)) {
		const tls = server.tls;
		if (str(tls.cert)) tls.cert = resolvePath(tls.cert, base, home);
		if (str(tls.key)) tls.key = resolvePath(tls.key, base, home);
	}
	return out;
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
	const h = host
		.trim()
		.toLowerCase()
		.replace(/^\[|\]$/g, "");
	return (
		h === "localhost" ||
		h === "::1" ||
		/^127(?:\.\d{1,3}){3}$/.test(h) ||
		/^::ffff:127(?:\.\d{1,3}){3}$/.test(h)
	);
}

/** The database kind a URL names, or `undefined` when it names none Strongbox supports. */
export function databaseKind(url: string): "sqlite" | "postgres" | "mysql" | undefined {
	if (url.startsWith("sqlite:") || url === ":memory:") return "sqlite";
	if (/^postgres(?:ql)?:\/\//i.test(url)) return "postgres";
	if (/^mysql2?:\/\//i.test(url) || /^mariadb:\/\//i.test(url)) return "mysql";
	return undefined;
}

function zodIssues(error: z.ZodError): ValidationIssue[] {
	const issues: ValidationIssue[] = [];
	for (const issue of error.issues) {
		const at = issue.path.map(String).join(".");
		if (issue.code === "unrecognized_keys") {
			for (const key of issue.keys) {
				issues.push({
					path: [at, key.slice(0, 64)].filter(Boolean).join("."),
					message: "is not a known option",
				});
			}
			continue;
		}
		// zod's own messages name types and bounds, never the input.
		issues.push({ path: at || "(config)", message: issue.message });
	}
	return issues;
}

function readable(file: string): boolean {
	try {
		accessSync(file, constants.R_OK);
		return true;
	} catch {
		return false;
	}
}

/**
 * Checks that involve more than one field, or the file system. They read the raw input
 * defensively, so that they run (and are listed) even when the schema found problems.
 */
function crossCheck(raw: Record<string, unknown>, issues: ValidationIssue[]): void {
	const obj = (v: unknown): Record<string, unknown> => (isPlainObject(v) ? v : {});
	const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
	const server = obj(raw.server);
	const tls = isPlainObject(server.tls) ? server.tls : undefined;
	const host = str(server.host) ?? "127.0.0.1";
	if (!tls && server.allowInsecureHttp !== true && !isLoopbackHost(host)) {
		issues.push({
			path: "server.host",
			message:
				"plain HTTP is refused on a non-loopback address: configure server.tls (cert and key), or set server.allowInsecureHttp behind a TLS-terminating proxy",
		});
	}
	if (tls) {
		for (const field of ["cert", "key"] as const) {
			const file = str(tls[field]);
			if (file !== undefined && !readable(file)) {
				issues.push({ path: `server.tls.${field}`, message: "file cannot be read" });
			}
		}
	}
	const url = str(obj(raw.database).url);
	const kind = url === undefined ? "sqlite" : databaseKind(url);
	if (kind === undefined) {
		issues.push({
			path: "database.url",
			message: "must be sqlite:<path>, postgres://… or mysql://… (the URL is not shown)",
		});
	}
	const store = obj(raw.store);
	const backup = isPlainObject(raw.backup) ? raw.backup : undefined;
	const stores = [
		store,
		...(backup ? [backup] : []),
		...(Array.isArray(raw.secondaryStores) ? raw.secondaryStores.map(obj) : []),
	];
	if (backup) backupCheck(raw, store, backup, issues);
	const usesSqlStore = stores.some((s) => (s.type ?? "sql") === "sql");
	const encryption = obj(raw.encryption);
	const keyFile = str(encryption.keyFile);
	if (usesSqlStore && encryption.keys === undefined && keyFile === undefined) {
		const ownKeys = stores
			.filter((s) => (s.type ?? "sql") === "sql")
			.map((s) => obj(s.options))
			.every(
				(opts) =>
					opts.keys !== undefined ||
					opts.keyFile !== undefined ||
					opts.insecureNoEncryption === true,
			);
		if (!ownKeys && kind !== "sqlite" && kind !== undefined) {
			issues.push({
				path: "encryption.keys",
				message:
					"a shared database needs an explicit key ring (encryption.keys or encryption.keyFile); a key generated on one machine would be lost with it",
			});
		}
	}
	if (
		keyFile !== undefined &&
		encryption.keys === undefined &&
		kind !== "sqlite" &&
		!readable(keyFile)
	) {
		issues.push({ path: "encryption.keyFile", message: "file cannot be read" });
	}
}

/**
 * A backup must be another location: a `sql` backup beside a `sql` store needs its own
 * database (`options.url`) or table prefix, or both would be the same table. Its name
 * labels metrics and doctor reports, so it must not be a store's name.
 */
function backupCheck(
	raw: Record<string, unknown>,
	store: Record<string, unknown>,
	backup: Record<string, unknown>,
	issues: ValidationIssue[],
): void {
	const obj = (v: unknown): Record<string, unknown> => (isPlainObject(v) ? v : {});
	const storeType = store.type ?? "sql";
	const storeOptions = obj(store.options);
	const backupOptions = obj(backup.options);
	if (storeType === "sql" && backup.type === "sql") {
		// A sql store without its own `url` or `tablePrefix` uses the catalog's.
		const prefix = (options: Record<string, unknown>) =>
			options.tablePrefix ?? obj(raw.database).tablePrefix ?? "strongbox_";
		const url = (options: Record<string, unknown>) => options.url ?? obj(raw.database).url;
		if (
			url(backupOptions) === url(storeOptions) &&
			prefix(backupOptions) === prefix(storeOptions)
		) {
			issues.push({
				path: "backup.options",
				message:
					"a sql backup of a sql store needs its own database (options.url) or table prefix (options.tablePrefix): the same table is no backup",
			});
		}
	}
	const name = backup.name ?? "backup";
	const taken = [
		store.name ?? storeType,
		...(Array.isArray(raw.secondaryStores)
			? raw.secondaryStores.map((s) => obj(s).name ?? obj(s).type)
			: []),
	];
	if (taken.includes(name)) {
		issues.push({
			path: "backup.name",
			message: "must differ from the names of store and secondaryStores",
		});
	}
}

/** Options of {@link resolveConfig}. */
export interface ResolveConfigOptions {
	/** Base of relative paths. @default process.cwd() */
	cwd?: string;
	/** For `HOME`. @default process.env */
	env?: Record<string, string | undefined>;
	/** Problems found before (file, environment), listed with the others. */
	issues?: ValidationIssue[];
	/** Names the source in the error message. */
	source?: string;
}

/**
 * Validates a configuration object and completes it: defaults, absolute paths, the
 * default SQLite database and key file in the data directory. Throws one
 * `StoreConfigError` listing every problem.
 */
export function resolveConfig(
	input: StrongboxConfigInput | StrongboxConfig | Record<string, unknown> = {},
	options: ResolveConfigOptions = {},
): StrongboxConfig {
	const env = options.env ?? process.env;
	const cwd = options.cwd ?? process.cwd();
	const home = env.HOME || homedir();
	const issues = [...(options.issues ?? [])];
	const raw = resolvePaths(input as Record<string, unknown>, cwd, home);
	if (raw.dataDir === undefined) raw.dataDir = path.join(home, ".strongbox");
	const result = configSchema.safeParse(raw);
	if (!result.success) issues.push(...zodIssues(result.error));
	crossCheck(raw, issues);
	if (!result.success || issues.length > 0) throw configError(issues, options.source);
	const config = result.data;
	config.database.url ??= `sqlite:${path.join(config.dataDir, "strongbox.db")}`;
	const usesSqlStore = [
		config.store,
		...(config.backup ? [config.backup] : []),
		...config.secondaryStores,
	].some((s) => s.type === "sql");
	if (
		usesSqlStore &&
		config.encryption.keys === undefined &&
		config.encryption.keyFile === undefined &&
		databaseKind(config.database.url) === "sqlite"
	) {
		config.encryption.keyFile = path.join(config.dataDir, "strongbox.key");
	}
	return config;
}

/**
 * Loads the configuration: a file (`file`, else `STRONGBOX_CONFIG`, else
 * `strongbox.config.{json,yaml,yml}` in `cwd`) merged with `STRONGBOX_*` environment
 * variables, which win. Relative paths in the file are relative to the file; in the
 * environment, to `cwd`. Every problem is listed at once in one `StoreConfigError`.
 *
 * @example
 * const config = await loadConfig({ file: "strongbox.config.yaml" });
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<StrongboxConfig> {
	const env = options.env ?? process.env;
	const cwd = path.resolve(options.cwd ?? process.cwd());
	const home = env.HOME || homedir();
	const issues: ValidationIssue[] = [];
	const explicit = options.file ?? (env.STRONGBOX_CONFIG || undefined);
	const file = explicit ? path.resolve(cwd, expandHome(explicit, home)) : findConfigFile(cwd);
	let fromFile: Record<string, unknown> = {};
	if (file) fromFile = resolvePaths(await readConfigFile(file, issues), path.dirname(file), home);
	const fromEnv = configFromEnv(env);
	issues.push(...fromEnv.issues);
	const envConfig = resolvePaths(fromEnv.config, cwd, home);
	// Another store type in the environment makes the file's options meaningless.
	const fileStore = fromFile.store;
	const envStore = envConfig.store;
	if (
		isPlainObject(fileStore) &&
		isPlainObject(envStore) &&
		typeof envStore.type === "string" &&
		envStore.type !== fileStore.type
	) {
		fromFile = { ...fromFile, store: {} };
	}
	const backupStore = fromFile.backup;
	const envBackup = envConfig.backup;
	if (
		isPlainObject(backupStore) &&
		isPlainObject(envBackup) &&
		typeof envBackup.type === "string" &&
		envBackup.type !== backupStore.type
	) {
		fromFile = { ...fromFile, backup: {} };
	}
	const overrides = resolvePaths((options.overrides ?? {}) as Record<string, unknown>, cwd, home);
	const merged = merge(merge(fromFile, envConfig), overrides);
	return resolveConfig(merged, {
		cwd,
		env,
		issues,
		source: file ? `file ${path.basename(file)} and environment` : "environment",
	});
}
