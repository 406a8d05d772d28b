/**
 * `createServer`: the runtime, the identity and audit tables, the first-start admin,
 * the HTTP application and the periodic reconciliation, from one configuration.
 */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { type ImportFn, StoreConfigError, StrongboxError } from "@strongbox/core";
import type { FastifyInstance } from "fastify";
import type { DestinationStream, Logger as PinoLogger } from "pino";
import { createAuditLog } from "./audit.js";
import { resolveConfig } from "./config/load.js";
import { redactConfig } from "./config/redact.js";
import type { StrongboxConfig, StrongboxConfigInput } from "./config/schema.js";
import { createDb } from "./db.js";
import { adminRoutes } from "./http/admin-routes.js";
import { buildApp } from "./http/app.js";
import { identityRoutes } from "./http/identity-routes.js";
import { openApiDocument } from "./http/openapi.js";
import { resolveRoutes } from "./http/resolve-routes.js";
import type { AnyRoute, Services } from "./http/route.js";
import { secretRoutes } from "./http/secrets-routes.js";
import { systemRoutes } from "./http/system-routes.js";
import { tokenRoutes } from "./http/token-routes.js";
import { createAuthenticator } from "./identity/auth.js";
import { type BootstrapResult, bootstrapBanner, bootstrapIdentity } from "./identity/bootstrap.js";
import { migrateServerTables, serverTables } from "./identity/migrations.js";
import { identityStore } from "./identity/store.js";
import { coreLogger, createLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { openRuntime, type Runtime } from "./runtime.js";
import { VERSION } from "./version.js";

/** Options of {@link createServer}. */
export interface CreateServerOptions {
	/** A pino logger to use. @default one at `config.log.level` writing to `logStream` */
	logger?: PinoLogger;
	/** Where log lines go when no `logger` is given. @default stdout */
	logStream?: DestinationStream;
	/** Imports store packages (see `openRuntime`). */
	import?: ImportFn;
	/** Base of relative paths of an incomplete `config`. @default process.cwd() */
	cwd?: string;
	/**
	 * Receives the first-start admin token. @default printed to stdout in a labelled
	 * banner (never to the structured log)
	 */
	onBootstrap?: (result: BootstrapResult) => void;
}

/** A server, built and ready to listen. */
export interface StrongboxServer {
	/** The fastify instance (`app.inject` in tests). */
	app: FastifyInstance;
	runtime: Runtime;
	config: StrongboxConfig;
	/** Starts listening on `config.server.host`/`port`; resolves to the base URL. */
	listen(): Promise<{ url: string }>;
	/** Stops accepting, finishes requests in flight, flushes the audit log, closes the runtime. */
	close(): Promise<void>;
}

function readPem(file: string, path: string): Buffer {
	try {
		return readFileSync(file);
	} catch (error) {
		throw new StoreConfigError(`Invalid Strongbox configuration: ${path}: file cannot be read.`, {
			cause: error,
			details: { issues: [{ path, message: "file cannot be read" }] },
		});
	}
}

/**
 * Builds a server from a configuration (see `loadConfig`). Nothing listens until
 * `listen()`; `close()` releases everything.
 *
 * @example
 * const server = await createServer(await loadConfig());
 * const { url } = await server.listen();
 */
export async function createServer(
	input: StrongboxConfig | StrongboxConfigInput = {},
	options: CreateServerOptions = {},
): Promise<StrongboxServer> {
	const config = resolveConfig(input, options.cwd === undefined ? {} : { cwd: options.cwd });
	const https = config.server.tls
		? {
				cert: readPem(config.server.tls.cert, "server.tls.cert"),
				key: readPem(config.server.tls.key, "server.tls.key"),
			}
		: undefined;
	const log =
		options.logger ??
		createLogger({
			level: config.log.level,
			...(options.logStream ? { destination: options.logStream } : {}),
		});
	const metrics = createMetrics();
	const runtime = await openRuntime(config, {
		logger: coreLogger(log.child({ component: "runtime" })),
		observe: (event) => metrics.storeCall(event),
		...(options.import ? { import: options.import } : {}),
	});
	metrics.watchCache(runtime.secrets.cache);
	let reconcileTimer: NodeJS.Timeout | undefined;
	log.info({ config: redactConfig(config) }, "configuration");
	try {
		const { knex, dialect } = runtime.catalog;
		const tables = serverTables(runtime.catalog.tablePrefix);
		await migrateServerTables(knex, tables, dialect);
		const db = createDb(knex, dialect);
		const identity = identityStore(db, tables);
		if (config.auth.bootstrap) {
			const result = await bootstrapIdentity(identity, new Date());
			if (result) {
				if (options.onBootstrap) options.onBootstrap(result);
				else process.stdout.write(bootstrapBanner(result));
				log.info(
					{ user: result.user, workspace: result.workspace },
					"first start: admin user created (token printed to the terminal)",
				);
			}
		}
		const auth = createAuthenticator({
			identity,
			cacheTtlMs: config.auth.cacheTtlMs,
			logger: coreLogger(log.child({ component: "auth" })),
		});
		metrics.watchInvalidation(runtime.invalidation);
		if (runtime.invalidation.enabled) {
			const cache = runtime.secrets.cache;
			const listening = await runtime.invalidation.listen(
				(kind, id) => {
					if (kind === "secret") cache?.invalidate(id);
					else if (kind === "token") auth.invalidateToken(id);
					else auth.invalidateUser(id);
				},
				{
					onReconnect: () => {
						cache?.clear();
						auth.invalidate();
					},
				},
			);
			if (!listening) {
				log.warn(
					{ channel: runtime.invalidation.channel },
					"not listening for eviction notices yet (retrying); reads stay correct, revocations from other replicas wait for auth.cacheTtlMs",
				);
			}
		}
		const audit = createAuditLog({
			db,
			tables,
			logger: coreLogger(log.child({ component: "audit" })),
			onFailure: (count) => metrics.auditFailure(count),
			// Fail-open answers do not wait for their entry: let entries share inserts for a
			// few milliseconds. Fail-closed answers do wait, so they go at the next turn.
			batchWindowMs: config.audit.failClosed ? 0 : 20,
		});
		const services: Services = { runtime, identity, auth, audit, metrics, config, log };
		let document: unknown;
		const routes: AnyRoute[] = [];
		routes.push(
			...secretRoutes,
			...resolveRoutes,
			...identityRoutes,
			...adminRoutes,
			...tokenRoutes,
			...systemRoutes(() => (document ??= openApiDocument(routes, VERSION))).filter(
				(route) => route.url !== "/metrics" || config.metrics.enabled,
			),
		);
		const app = await buildApp(services, routes, https ? { https } : {});

		const reconcile = async () => {
			try {
				const report = await runtime.secrets.reconcile();
				const settled =
					report.completed + report.rolledBack + report.deleted + report.orphansRemoved;
				metrics.reconcile("ok", settled);
				if (settled > 0 || report.deferred > 0) log.info({ ...report }, "reconciliation");
			} catch (error) {
				metrics.reconcile("error", 0);
				log.warn(
					{ code: error instanceof StrongboxError ? error.code : "UNKNOWN" },
					"reconciliation failed; will retry",
				);
			}
		};
		let reconciling: Promise<void> | undefined = reconcile();
		if (config.reconcile.intervalSeconds > 0) {
			reconcileTimer = setInterval(() => {
				reconciling ??= reconcile().finally(() => {
					reconciling = undefined;
				});
			}, config.reconcile.intervalSeconds * 1000);
			reconcileTimer.unref();
		}
		reconciling = reconciling.finally(() => {
			reconciling = undefined;
		});

		let closing: Promise<void> | undefined;
		return {
			app,
			runtime,
			config,
			async listen() {
				await app.listen({ host: config.server.host, port: config.server.port });
				const address = app.server.address() as AddressInfo;
				const host = ["0.0.0.0", "::"].includes(address.address)
					? "127.0.0.1"
					: address.family === "IPv6"
						? `[${address.address}]`
						: address.address;
				const url = `${https ? "https" : "http"}://${host}:${address.port}`;
				log.info({ url }, "listening");
				return { url };
			},
			close() {
				closing ??= (async () => {
					clearInterval(reconcileTimer);
					await app.close();
					await reconciling?.catch(() => {});
					await audit.close();
					await runtime.close();
				})();
				return closing;
			},
		};
	} catch (error) {
		clearInterval(reconcileTimer);
		await runtime.close().catch(() => {});
		throw error;
	}
}
