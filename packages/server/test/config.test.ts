/**
 * Configuration: defaults, file + environment merging (environment wins), relative
 * paths, and every problem listed at once without echoing a credential.
 */
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { StoreConfigError } from "@strongbox/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
	ENV_VARIABLES,
	isLoopbackHost,
	loadConfig,
	main,
	redactConfig,
	resolveConfig,
} from "../src/index.js";

let dir: string;
beforeEach(async () => {
	dir = await mkdtemp(path.join(tmpdir(), "strongbox-config-"));
});
afterEach(async () => {
	await rm(dir, { recursive: true, force: true });
});

async function configError(promise: Promise<unknown>): Promise<StoreConfigError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(StoreConfigError);
	return error as StoreConfigError;
}

function issuePaths(error: StoreConfigError): string[] {
	return ((error.details?.issues ?? []) as Array<{ path: string }>).map((i) => i.path).sort();
}

describe("defaults", () => {
	it("fill every option, with the embedded SQLite database and key file in ~/.strongbox", async () => {
		const config = await loadConfig({ cwd: dir, env: { HOME: dir } });
		const dataDir = path.join(dir, ".strongbox");
		expect(config.dataDir).toBe(dataDir);
		expect(config.database.url).toBe(`sqlite:${path.join(dataDir, "strongbox.db")}`);
		expect(config.encryption.keyFile).toBe(path.join(dataDir, "strongbox.key"));
		expect(config.store).toEqual({ type: "sql", options: {} });
		expect(config.secondaryStores).toEqual([]);
		expect(config.server).toEqual({
			host: "127.0.0.1",
			port: 8787,
			allowInsecureHttp: false,
			trustProxy: false,
		});
		expect(config.limits).toEqual({
			bodyBytes: 1024 * 1024,
			maxValueBytes: 64 * 1024,
			maxPageSize: 1000,
		});
		expect(config.rateLimit.requestsPerMinute).toBe(600);
		expect(config.audit.failClosed).toBe(false);
		expect(config.cache).toEqual({ ttlMs: 60_000, max: 10_000 });
		expect(config.auth).toEqual({ cacheTtlMs: 5000, bootstrap: true });
		expect(config.reconcile.intervalSeconds).toBe(300);
		expect(config.metrics).toEqual({ enabled: true, requireAuth: false });
		expect(config.log.level).toBe("info");
	});
});

describe("file and environment", () => {
	it("reads strongbox.config.yaml from cwd, resolves its paths against the file, and lets the environment win", async () => {
		await writeFile(
			path.join(dir, "strongbox.config.yaml"),
			[
				"dataDir: ./data",
				"server:",
				"  port: 9000",
				"  host: 127.0.0.2",
				"store:",
				"  type: sql",
				"  options:",
				"    maxValueBytes: 1000",
				"audit:",
				"  failClosed: true",
				"",
			].join("\n"),
		);
		const config = await loadConfig({
			cwd: dir,
			env: {
				HOME: dir,
				STRONGBOX_PORT: "9100",
				STRONGBOX_STORE_OPTIONS_TABLE_PREFIX: "app_",
				STRONGBOX_STORE_OPTIONS_MAX_VALUE_BYTES: "2048",
				STRONGBOX_RATE_LIMIT_PER_MINUTE: "0",
				STRONGBOX_LOG_LEVEL: "warn",
			},
		});
		expect(config.dataDir).toBe(path.join(dir, "data"));
		expect(config.server.port).toBe(9100);
		expect(config.server.host).toBe("127.0.0.2");
		expect(config.store.options).toEqual({ maxValueBytes: 2048, tablePrefix: "app_" });
		expect(config.audit.failClosed).toBe(true);
		expect(config.rateLimit.requestsPerMinute).toBe(0);
		expect(config.log.level).toBe("warn");
	});

	it("takes --config / STRONGBOX_CONFIG over the files in cwd, and JSON too", async () => {
		await writeFile(
			path.join(dir, "strongbox.config.json"),
			JSON.stringify({ server: { port: 1111 } }),
		);
		const other = path.join(dir, "other.json");
		await writeFile(
			other,
			JSON.stringify({ server: { port: 2222 }, database: { url: "sqlite:./x.db" } }),
		);
		expect((await loadConfig({ cwd: dir, env: { HOME: dir } })).server.port).toBe(1111);
		const viaEnv = await loadConfig({
			cwd: dir,
			env: { HOME: dir, STRONGBOX_CONFIG: "other.json" },
		});
		expect(viaEnv.server.port).toBe(2222);
		expect(viaEnv.database.url).toBe(`sqlite:${path.join(dir, "x.db")}`);
		expect((await loadConfig({ cwd: dir, file: other, env: { HOME: dir } })).server.port).toBe(
			2222,
		);
	});

	it("drops the file's store options when the environment names another store type", async () => {
		await writeFile(
			path.join(dir, "strongbox.config.json"),
			JSON.stringify({ store: { type: "sql", options: { maxValueBytes: 10 } } }),
		);
		const config = await loadConfig({
			cwd: dir,
			env: { HOME: dir, STRONGBOX_STORE_TYPE: "aws", STRONGBOX_STORE_OPTIONS_REGION: "eu-west-1" },
		});
		expect(config.store).toEqual({ type: "aws", options: { region: "eu-west-1" } });
	});

	it("parses secondary stores from JSON and the key ring from the environment", async () => {
		const keys = `k1:${Buffer.alloc(32, 1).toString("base64")}`;
		const config = await loadConfig({
			cwd: dir,
			env: {
				HOME: dir,
				STRONGBOX_ENCRYPTION_KEYS: keys,
				STRONGBOX_SECONDARY_STORES: JSON.stringify([
					{ type: "vault", name: "old", options: { url: "http://127.0.0.1:8200" } },
				]),
			},
		});
		expect(config.encryption.keys).toBe(keys);
		expect(config.encryption.keyFile).toBeUndefined();
		expect(config.secondaryStores).toEqual([
			{ type: "vault", name: "old", options: { url: "http://127.0.0.1:8200" } },
		]);
		expect(JSON.stringify(redactConfig(config))).not.toContain(keys);
	});
});

describe("command-line flags", () => {
	it("apply before defaults are derived: --data-dir also moves the database and key file", async () => {
		const config = await loadConfig({
			cwd: dir,
			env: { HOME: dir, STRONGBOX_DATA_DIR: path.join(dir, "from-env"), STRONGBOX_PORT: "9000" },
			overrides: { dataDir: "flag-dir", server: { port: 0 } },
		});
		const dataDir = path.join(dir, "flag-dir");
		expect(config.dataDir).toBe(dataDir);
		expect(config.database.url).toBe(`sqlite:${path.join(dataDir, "strongbox.db")}`);
		expect(config.encryption.keyFile).toBe(path.join(dataDir, "strongbox.key"));
		expect(config.server.port).toBe(0);
	});

	it("strongbox-server --data-dir keeps the database and key file out of ~/.strongbox", async () => {
		const stopper = new AbortController();
		const code = main(["--data-dir", "data", "--port", "0", "--log-level", "silent"], {
			env: { HOME: dir },
			cwd: dir,
			stdout: { write: () => true },
			onListening: () => stopper.abort(),
			signal: stopper.signal,
		});
		expect(await code).toBe(0);
		await access(path.join(dir, "data", "strongbox.db"));
		await access(path.join(dir, "data", "strongbox.key"));
		await expect(access(path.join(dir, ".strongbox"))).rejects.toThrow();
	});
});

describe("backup store", () => {
	it("comes from the file or STRONGBOX_BACKUP_STORE_*; the environment's type drops the file's options", async () => {
		await writeFile(
			path.join(dir, "strongbox.config.json"),
			JSON.stringify({ backup: { type: "gcp", options: { projectId: "p" } } }),
		);
		expect((await loadConfig({ cwd: dir, env: { HOME: dir } })).backup).toEqual({
			type: "gcp",
			options: { projectId: "p" },
		});
		const config = await loadConfig({
			cwd: dir,
			env: {
				HOME: dir,
				STRONGBOX_BACKUP_STORE_TYPE: "aws",
				STRONGBOX_BACKUP_STORE_NAME: "aws-copy",
				STRONGBOX_BACKUP_STORE_OPTIONS_REGION: "eu-central-1",
				STRONGBOX_BACKUP_STORE_OPTIONS_SECRET_ACCESS_KEY: "backup-secret-canary",
			},
		});
		expect(config.backup).toEqual({
			type: "aws",
			name: "aws-copy",
			options: { region: "eu-central-1", secretAccessKey: "backup-secret-canary" },
		});
		expect(config.store).toEqual({ type: "sql", options: {} });
		expect(JSON.stringify(redactConfig(config))).not.toContain("backup-secret-canary");
	});

	it("must be another location and another name", async () => {
		const sameTable = await configError(
			loadConfig({ cwd: dir, env: { HOME: dir, STRONGBOX_BACKUP_STORE_TYPE: "sql" } }),
		);
		expect(issuePaths(sameTable)).toEqual(["backup.options"]);
		const sameUrl = await configError(
			loadConfig({
				cwd: dir,
				env: {
					HOME: dir,
					STRONGBOX_DATABASE_URL: "sqlite:db.sqlite",
					STRONGBOX_BACKUP_STORE_TYPE: "sql",
					STRONGBOX_BACKUP_STORE_OPTIONS_URL: `sqlite:${path.join(dir, "db.sqlite")}`,
				},
			}),
		);
		expect(issuePaths(sameUrl)).toEqual(["backup.options"]);
		const ownPrefix = resolveConfig(
			{ backup: { type: "sql", options: { tablePrefix: "copy_" } } },
			{ cwd: dir, env: { HOME: dir } },
		);
		expect(ownPrefix.backup?.options).toEqual({ tablePrefix: "copy_" });
		const clash = await configError(
			loadConfig({
				cwd: dir,
				env: { HOME: dir, STRONGBOX_BACKUP_STORE_TYPE: "aws", STRONGBOX_BACKUP_STORE_NAME: "sql" },
			}),
		);
		expect(issuePaths(clash)).toEqual(["backup.name"]);
	});

	it("masks credentials in URL options of every store", () => {
		const config = resolveConfig(
			{
				backup: {
					type: "sql",
					options: { url: "postgres://u:url-password-canary@db/x", tablePrefix: "b_" },
				},
			},
			{ cwd: dir, env: { HOME: dir } },
		);
		const printed = JSON.stringify(redactConfig(config));
		expect(printed).not.toContain("url-password-canary");
		expect(printed).toContain("postgres://u:");
	});
});

describe("problems", () => {
	it("are listed all at once, from the file and the environment, without quoting a value", async () => {
		const password = "pa55-w0rd-canary";
		await writeFile(
			path.join(dir, "strongbox.config.json"),
			JSON.stringify({
				server: { port: 70000, colour: "blue" },
				limits: { maxPageSize: 5000 },
				log: { level: "loud" },
				database: { url: `oracle://user:${password}@db/x` },
			}),
		);
		const error = await configError(
			loadConfig({
				cwd: dir,
				env: {
					HOME: dir,
					STRONGBOX_AUDIT_FAIL_CLOSED: "maybe",
					STRONGBOX_AUTH_CACHE_TTL_MS: "soon",
				},
			}),
		);
		expect(issuePaths(error)).toEqual([
			"STRONGBOX_AUDIT_FAIL_CLOSED",
			"STRONGBOX_AUTH_CACHE_TTL_MS",
			"database.url",
			"limits.maxPageSize",
			"log.level",
			"server.colour",
			"server.port",
		]);
		expect(error.message).not.toContain(password);
		expect(error.message).toContain("7 problems");
	});

	it("include cross-field rules: a non-loopback host without TLS, unreadable TLS files, a shared database without a key ring", async () => {
		const error = await configError(
			loadConfig({
				cwd: dir,
				env: {
					HOME: dir,
					STRONGBOX_HOST: "0.0.0.0",
					STRONGBOX_DATABASE_URL: "postgres://app:secret-pw@127.0.0.1/x",
				},
			}),
		);
		expect(issuePaths(error)).toEqual(["encryption.keys", "server.host"]);
		expect(error.message).not.toContain("secret-pw");
		const tls = await configError(
			loadConfig({
				cwd: dir,
				env: { HOME: dir, STRONGBOX_TLS_CERT: "missing.pem", STRONGBOX_TLS_KEY: "missing.key" },
			}),
		);
		expect(issuePaths(tls)).toEqual(["server.tls.cert", "server.tls.key"]);
	});

	it("allows plain HTTP on a non-loopback host only with allowInsecureHttp", () => {
		expect(() => resolveConfig({ dataDir: dir, server: { host: "10.0.0.5" } })).toThrow(
			StoreConfigError,
		);
		expect(
			resolveConfig({ dataDir: dir, server: { host: "10.0.0.5", allowInsecureHttp: true } }).server
				.host,
		).toBe("10.0.0.5");
		expect(isLoopbackHost("127.0.0.1")).toBe(true);
		expect(isLoopbackHost("localhost")).toBe(true);
		expect(isLoopbackHost("[::1]")).toBe(true);
		expect(isLoopbackHost("0.0.0.0")).toBe(false);
		expect(isLoopbackHost("::")).toBe(false);
	});

	it("report a missing explicit file and unparsable YAML without quoting its lines", async () => {
		const missing = await configError(
			loadConfig({ cwd: dir, file: "nope.yaml", env: { HOME: dir } }),
		);
		expect(issuePaths(missing)).toEqual(["(file)"]);
		await writeFile(
			path.join(dir, "strongbox.config.yaml"),
			"encryption:\n  keys: [unclosed-secret-canary\n",
		);
		const broken = await configError(loadConfig({ cwd: dir, env: { HOME: dir } }));
		expect(issuePaths(broken)).toEqual(["(file)"]);
		expect(broken.message).not.toContain("unclosed-secret-canary");
	});
});

describe("documentation", () => {
	it("the README's table names every environment variable and every option path", async () => {
		const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
		for (const [name, variable] of Object.entries(ENV_VARIABLES)) {
			expect(readme, name).toContain(`\`${name}\``);
			expect(readme, variable.path).toContain(`\`${variable.path}`);
		}
	});
});
