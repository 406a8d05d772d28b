/**
 * Cross-replica eviction notices over PostgreSQL `NOTIFY`/`LISTEN`.
 *
 * The values cache is version-checked against the catalog row on every read, so no
 * replica ever serves a stale value without these notices; they free memory at once and
 * make token revocations and user changes reach every replica's authentication cache in
 * milliseconds instead of `auth.cacheTtlMs`. On SQLite (one process) and MySQL (no
 * notification channel) they are a no-op.
 *
 * Payloads are `<kind>:<id>`: a secret's UUID, a token id or a user name. Never a value.
 * Every replica listens on a dedicated connection taken from the catalog's knex (outside
 * its pool), checks it with a heartbeat, and reconnects with backoff when it drops; after
 * a reconnect it clears its caches, since notices sent meanwhile were missed.
 */
import { type Logger, StrongboxError, silentLogger } from "@strongbox/core";
import type { SqlCatalog } from "@strongbox/store-sql";

/** What a notice names. */
export type InvalidationKind = "secret" | "token" | "user";

/** Every kind, for metrics. */
export const INVALIDATION_KINDS: readonly InvalidationKind[] = ["secret", "token", "user"];

/** Counters of an {@link Invalidation}, for `/metrics`. */
export interface InvalidationStats {
	sent: Record<InvalidationKind, number>;
	received: Record<InvalidationKind, number>;
	/** Notices that could not be sent (logged; the version check keeps reads correct). */
	sendFailures: number;
	/** Received payloads that were not a known kind and id. */
	ignored: number;
	/** Times the listening connection was re-established after a drop. */
	reconnects: number;
	/** Whether the listening connection is up. */
	listening: boolean;
}

/** Receives the notices of every replica (this one's included). */
export type InvalidationHandler = (kind: InvalidationKind, id: string) => void;

/** Options of {@link Invalidation.listen}. */
export interface ListenOptions {
	/** Called after a reconnect: notices may have been missed, so drop every cached entry. */
	onReconnect?: () => void;
	/** How long `listen` waits for the first connection before going on in the background. @default 5000 */
	firstConnectTimeoutMs?: number;
}

/** Cross-replica eviction notices (see the module comment). */
export interface Invalidation {
	/** Whether notices cross processes (PostgreSQL only). */
	readonly enabled: boolean;
	/** The channel name (`<table prefix>invalidate`), or `null` when disabled. */
	readonly channel: string | null;
	/** Sends `<kind>:<id>` to every replica. Never throws: a failure is logged and counted. */
	publish(kind: InvalidationKind, id: string): Promise<void>;
	/**
	 * Listens on a dedicated connection, reconnecting with backoff. Resolves `true` once
	 * listening, or `false` when disabled or when the first attempt failed or took longer
	 * than `firstConnectTimeoutMs` (retries go on in the background).
	 */
	listen(handler: InvalidationHandler, options?: ListenOptions): Promise<boolean>;
	stats(): InvalidationStats;
	/** Stops listening and releases the connection. Later notices are not sent. */
	close(): Promise<void>;
}

/** Options of {@link createInvalidation}. */
export interface InvalidationOptions {
	logger?: Logger;
	/** Period of the listening connection's `SELECT 1` check. @default 30000 */
	heartbeatMs?: number;
	/** First reconnect delay; doubles up to `maxBackoffMs`, with jitter. @default 100 */
	backoffMs?: number;
	/** @default 30000 */
	maxBackoffMs?: number;
}

/** The subset of a node-postgres client used here (pg is the catalog's driver, not a dependency). */
interface PgConnection {
	query(sql: string): Promise<unknown>;
	on(
		event: "notification",
		listener: (message: { channel: string; payload?: string }) => void,
	): void;
	on(event: "error" | "end", listener: (error?: unknown) => void): void;
	removeAllListeners(event?: string): void;
}

interface RawClient {
	acquireRawConnection(): Promise<PgConnection>;
	destroyRawConnection(connection: PgConnection): Promise<void>;
}

const MAX_PAYLOAD = 300;
const SECRET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const OTHER_ID = /^[A-Za-z0-9_.@:-]{1,255}$/;

function zeros(): Record<InvalidationKind, number> {
	return { secret: 0, token: 0, user: 0 };
}

function codeOf(error: unknown): string {
	if (error instanceof StrongboxError) return error.code;
	const code = (error as { code?: unknown } | null)?.code;
	return typeof code === "string" ? code.slice(0, 32) : "UNKNOWN";
}

/** A received payload as a kind and id, or `undefined` when it is not one of ours. */
export function parseNotice(payload: unknown): { kind: InvalidationKind; id: string } | undefined {
	if (typeof payload !== "string" || payload.length > MAX_PAYLOAD) return undefined;
	const colon = payload.indexOf(":");
	if (colon < 0) return undefined;
	const kind = payload.slice(0, colon);
	const id = payload.slice(colon + 1);
	if (kind === "secret") return SECRET_ID.test(id) ? { kind, id } : undefined;
	if (kind === "token" || kind === "user") return OTHER_ID.test(id) ? { kind, id } : undefined;
	return undefined;
}

/** The channel of a deployment: its table prefix names it, so deployments sharing a database do not hear each other. */
export function channelName(tablePrefix: string): string {
	return `${tablePrefix}invalidate`;
}

function disabled(): Invalidation {
	const stats = (): InvalidationStats => ({
		sent: zeros(),
		received: zeros(),
		sendFailures: 0,
		ignored: 0,
		reconnects: 0,
		listening: false,
	});
	return {
		enabled: false,
		channel: null,
		publish: async () => {},
		listen: async () => false,
		stats,
		close: async () => {},
	};
}

/** Creates the notices of a runtime over its catalog (a no-op unless PostgreSQL). */
export function createInvalidation(
	catalog: Pick<SqlCatalog, "knex" | "dialect" | "tablePrefix">,
	options: InvalidationOptions = {},
): Invalidation {
	if (catalog.dialect !== "postgres") return disabled();
	const logger = options.logger ?? silentLogger;
	const heartbeatMs = options.heartbeatMs ?? 30_000;
	const backoffMs = options.backoffMs ?? 100;
	const maxBackoffMs = options.maxBackoffMs ?? 30_000;
	// Prefixes are lower-case letters, digits and `_` (checked by the catalog): a safe identifier.
	const channel = channelName(catalog.tablePrefix);
	const sent = zeros();
	const received = zeros();
	let sendFailures = 0;
	let ignored = 0;
	let reconnects = 0;
	let closed = false;
	let connection: PgConnection | undefined;
	let connected = false;
	let attempts = 0;
	let retryTimer: NodeJS.Timeout | undefined;
	let heartbeatTimer: NodeJS.Timeout | undefined;
	let connecting: Promise<void> | undefined;
	let handler: InvalidationHandler | undefined;
	let listenOptions: ListenOptions = {};
	const raw = () => catalog.knex.client as unknown as RawClient;

	function onNotice(message: { channel: string; payload?: string }): void {
		if (message.channel !== channel) return;
		const notice = parseNotice(message.payload);
		if (!notice) {
			ignored++;
			return;
		}
		received[notice.kind]++;
		try {
			handler?.(notice.kind, notice.id);
		} catch (error) {
			logger.warn("An eviction notice could not be applied.", { error: codeOf(error) });
		}
	}

	function drop(lost: PgConnection): void {
		if (lost !== connection) return;
		connection = undefined;
		clearInterval(heartbeatTimer);
		lost.removeAllListeners("notification");
		raw()
			.destroyRawConnection(lost)
			.catch(() => {});
		if (closed) return;
		logger.warn("The eviction-notice connection dropped; reconnecting.", { channel });
		schedule();
	}

	function schedule(): void {
		if (closed || retryTimer) return;
		const delay = Math.min(maxBackoffMs, backoffMs * 2 ** Math.min(attempts, 20));
		attempts++;
		retryTimer = setTimeout(
			() => {
				retryTimer = undefined;
				connecting = connect()
					.catch(() => schedule())
					.finally(() => {
						connecting = undefined;
					});
			},
			delay / 2 + (Math.random() * delay) / 2,
		);
		retryTimer.unref();
	}

	async function connect(): Promise<void> {
		if (closed) return;
		let fresh: PgConnection;
		try {
			fresh = await raw().acquireRawConnection();
		} catch (error) {
			logger.warn("Cannot open the eviction-notice connection; will retry.", {
				channel,
				error: codeOf(error),
			});
			throw error;
		}
		fresh.on("notification", onNotice);
		fresh.on("error", () => drop(fresh));
		fresh.on("end", () => drop(fresh));
		try {
			await fresh.query(`LISTEN "${channel}"`);
		} catch (error) {
			await raw()
				.destroyRawConnection(fresh)
				.catch(() => {});
			throw error;
		}
		if (closed) {
			await raw()
				.destroyRawConnection(fresh)
				.catch(() => {});
			return;
		}
		connection = fresh;
		attempts = 0;
		if (connected) {
			reconnects++;
			logger.info("Eviction notices: listening again; caches cleared.", { channel });
			listenOptions.onReconnect?.();
		}
		connected = true;
		heartbeatTimer = setInterval(() => heartbeat(fresh), heartbeatMs);
		heartbeatTimer.unref();
	}

	function heartbeat(on: PgConnection): void {
		let timer: NodeJS.Timeout | undefined;
		Promise.race([
			on.query("SELECT 1"),
			new Promise((_, reject) => {
				timer = setTimeout(() => reject(new Error("heartbeat timeout")), heartbeatMs);
				timer.unref();
			}),
		]).then(
			() => clearTimeout(timer),
			() => {
				clearTimeout(timer);
				drop(on);
			},
		);
	}

	return {
		enabled: true,
		channel,
		async publish(kind, id) {
			if (closed) return;
			try {
				await catalog.knex.raw("SELECT pg_notify(?, ?)", [channel, `${kind}:${id}`]);
				sent[kind]++;
			} catch (error) {
				sendFailures++;
				logger.warn("An eviction notice could not be sent.", { kind, error: codeOf(error) });
			}
		},
		async listen(h, given = {}) {
			if (closed) return false;
			handler = h;
			listenOptions = given;
			if (connection || retryTimer || connecting) return connection !== undefined;
			let timer: NodeJS.Timeout | undefined;
			const first = connect().then(
				() => true,
				() => {
					schedule();
					return false;
				},
			);
			connecting = first.then(() => {
				connecting = undefined;
			});
			const timeout = new Promise<boolean>((resolve) => {
				timer = setTimeout(() => resolve(false), given.firstConnectTimeoutMs ?? 5000);
				timer.unref();
			});
			const ok = await Promise.race([first, timeout]);
			clearTimeout(timer);
			return ok;
		},
		stats() {
			return {
				sent: { ...sent },
				received: { ...received },
				sendFailures,
				ignored,
				reconnects,
				listening: connection !== undefined,
			};
		},
		async close() {
			if (closed) return;
			closed = true;
			clearTimeout(retryTimer);
			clearInterval(heartbeatTimer);
			// A connection being opened now is released by `connect` itself once it sees `closed`.
			if (connecting) {
				let timer: NodeJS.Timeout | undefined;
				await Promise.race([
					connecting,
					new Promise((resolve) => {
						timer = setTimeout(resolve, 2000);
					}),
				]);
				clearTimeout(timer);
			}
			const open = connection;
			connection = undefined;
			if (open) {
				open.removeAllListeners("notification");
				await raw()
					.destroyRawConnection(open)
					.catch(() => {});
			}
		},
	};
}
