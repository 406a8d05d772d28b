/**
 * The audit log: one row per secret operation (and per admin change), never a value.
 *
 * Entries are written by group commit: while one insert runs, new entries queue and go
 * in the next one, so a busy server makes a few large inserts rather than one per
 * request. Each entry's promise settles when its row is stored. Fail-open callers do not
 * wait for it; fail-closed callers do, and withhold the answer when it fails.
 */
import type { Logger, Page } from "@strongbox/core";
import { StrongboxError } from "@strongbox/core";
import { type Db, toMillis } from "./db.js";
import type { ServerTables } from "./identity/migrations.js";

/** What is recorded about one operation. */
export interface AuditEntry {
	/** The user (or `anonymous` for a refused token). */
	actor: string;
	/** `secret.get`, `secret.create`, `user.create`, … */
	op: string;
	secretId?: string | null;
	secretName?: string | null;
	workspace?: string | null;
	/** The object of an admin operation (a user, a workspace, a token id). */
	target?: string | null;
	/** `ok`, `pending`, or the error code. */
	outcome: string;
	/** HTTP status answered. */
	status: number;
	requestId: string;
	sourceIp?: string | null;
}

/** A stored entry. */
export interface AuditRecord extends Required<AuditEntry> {
	/** The entry's sequence number (increasing), as a string. */
	id: string;
	at: Date;
}

/** Filter of {@link AuditLog.query}. */
export interface AuditFilter {
	actor?: string;
	secretId?: string;
	op?: string;
	outcome?: string;
	since?: Date;
	until?: Date;
	page?: number;
	size?: number;
}

/** The audit log. */
export interface AuditLog {
	/** Queues an entry; the promise settles when it is stored. */
	record(entry: AuditEntry): Promise<void>;
	/**
	 * Queues an entry nobody waits for (fail-open): like `record`, a failure is logged and
	 * counted, but no promise is made per entry.
	 */
	enqueue(entry: AuditEntry): void;
	/** Stores an entry with outcome `pending` (fail-closed writes), returning its id. */
	begin(entry: Omit<AuditEntry, "outcome" | "status">): Promise<number>;
	/** Sets the outcome of a `pending` entry, and what the operation found out about its subject. */
	finish(
		id: number,
		outcome: string,
		status: number,
		subject?: Pick<AuditEntry, "secretId" | "secretName" | "workspace">,
	): Promise<void>;
	query(filter: AuditFilter): Promise<Page<AuditRecord>>;
	/** Waits until every queued entry is stored (or failed). */
	flush(): Promise<void>;
	close(): Promise<void>;
}

/** Options of {@link createAuditLog}. */
export interface AuditLogOptions {
	db: Db;
	tables: ServerTables;
	logger: Logger;
	/**
	 * How long an entry may wait for others to share its insert. @default 0 (the next
	 * turn of the event loop)
	 */
	batchWindowMs?: number;
	/** Called with the number of entries that could not be stored. */
	onFailure?: (count: number) => void;
	now?: () => Date;
}

// Rows per insert call (SQLite splits it into statements of 100 rows, committed once).
const MAX_BATCH = 500;
const MAX_QUEUE = 10_000;

/** Columns of the audit table, in the order {@link rowOf} gives values. */
const COLUMNS = [
	"at",
	"actor",
	"op",
	"secret_id",
	"secret_name",
	"workspace",
	"target",
	"outcome",
	"status",
	"request_id",
	"source_ip",
] as const;

interface Queued {
	row: unknown[];
	/** Absent for entries nobody waits for. */
	resolve: (() => void) | undefined;
	reject: ((error: unknown) => void) | undefined;
}

function clip(value: string | null | undefined, max: number): string | null {
	if (value === undefined || value === null) return null;
	return value.length > max ? value.slice(0, max) : value;
}

function rowOf(entry: AuditEntry, at: Date): unknown[] {
	return [
		at.getTime(),
		clip(entry.actor, 255) ?? "anonymous",
		clip(entry.op, 64),
		clip(entry.secretId, 36),
		clip(entry.secretName, 255),
		clip(entry.workspace, 64),
		clip(entry.target, 255),
		clip(entry.outcome, 64),
		entry.status,
		clip(entry.requestId, 64) ?? "",
		clip(entry.sourceIp, 64),
	];
}

function recordOf(row: Record<string, unknown>): AuditRecord {
	const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
	return {
		id: String(row.seq),
		at: new Date(toMillis(row.at) ?? 0),
		actor: String(row.actor),
		op: String(row.op),
		secretId: str(row.secret_id),
		secretName: str(row.secret_name),
		workspace: str(row.workspace),
		target: str(row.target),
		outcome: String(row.outcome),
		status: Number(row.status),
		requestId: String(row.request_id),
		sourceIp: str(row.source_ip),
	};
}

/** Creates the audit log over the server's `audit` table. */
export function createAuditLog(options: AuditLogOptions): AuditLog {
	const { db, tables, logger } = options;
	const { knex } = db;
	const now = options.now ?? (() => new Date());
	let queue: Queued[] = [];
	let running: Promise<void> | undefined;
	let scheduled: Promise<void> | undefined;
	let closed = false;

	function failed(count: number, error: unknown): void {
		options.onFailure?.(count);
		logger.error("Audit entries could not be stored.", {
			count,
			error: error instanceof StrongboxError ? error.code : ((error as Error)?.name ?? "Error"),
		});
	}

	async function drain(): Promise<void> {
		while (queue.length > 0) {
			const batch = queue.slice(0, MAX_BATCH);
			queue = queue.slice(batch.length);
			try {
				await db.insertMany(
					tables.audit,
					COLUMNS,
					batch.map((q) => q.row),
				);
				for (const q of batch) q.resolve?.();
			} catch (error) {
				failed(batch.length, error);
				for (const q of batch) q.reject?.(error);
			}
		}
	}

	// The insert waits for the next turn of the event loop, so that the entries of every
	// request answered meanwhile go in the same statement.
	function kick(): void {
		if (running || scheduled) return;
		scheduled = new Promise<void>((resolve) =>
			options.batchWindowMs ? setTimeout(resolve, options.batchWindowMs) : setImmediate(resolve),
		).then(() => {
			scheduled = undefined;
			running = drain().finally(() => {
				running = undefined;
				if (queue.length > 0) kick();
			});
			return running;
		});
	}

	/** The reason an entry cannot be queued now, after logging and counting it. */
	function refused(): Error | undefined {
		if (!closed && queue.length < MAX_QUEUE) return undefined;
		const error = new Error(closed ? "audit log closed" : "audit queue full");
		failed(1, error);
		return error;
	}

	const log: AuditLog = {
		record(entry) {
			const error = refused();
			if (error) return Promise.reject(error);
			return new Promise<void>((resolve, reject) => {
				queue.push({ row: rowOf(entry, now()), resolve, reject });
				kick();
			});
		},
		enqueue(entry) {
			if (refused()) return;
			queue.push({ row: rowOf(entry, now()), resolve: undefined, reject: undefined });
			kick();
		},
		async begin(entry) {
			try {
				return await db.insertOne(
					tables.audit,
					COLUMNS,
					rowOf({ ...entry, outcome: "pending", status: 0 }, now()),
					"seq",
				);
			} catch (error) {
				failed(1, error);
				throw error;
			}
		},
		async finish(id, outcome, status, subject = {}) {
			const change: Record<string, unknown> = { outcome: clip(outcome, 64), status };
			if (subject.secretId) change.secret_id = clip(subject.secretId, 36);
			if (subject.secretName) change.secret_name = clip(subject.secretName, 255);
			if (subject.workspace) change.workspace = clip(subject.workspace, 64);
			try {
				await db.run(knex(tables.audit).where({ seq: id }).update(change));
			} catch (error) {
				failed(1, error);
				throw error;
			}
		},
		async query(filter) {
			await log.flush();
			const page = filter.page ?? 1;
			const size = filter.size ?? 100;
			const base = knex(tables.audit);
			if (filter.actor !== undefined) base.where("actor", filter.actor);
			if (filter.secretId !== undefined) base.where("secret_id", filter.secretId);
			if (filter.op !== undefined) base.where("op", filter.op);
			if (filter.outcome !== undefined) base.where("outcome", filter.outcome);
			if (filter.since !== undefined) base.where("at", ">=", filter.since.getTime());
			if (filter.until !== undefined) base.where("at", "<", filter.until.getTime());
			const countRow = await db.first(base.clone().count({ n: "*" }).first());
			const total = Number((countRow as { n?: unknown } | undefined)?.n ?? 0);
			const rows = await db.rows(
				base
					.clone()
					.select("*")
					.orderBy("seq", "desc")
					.limit(size)
					.offset((page - 1) * size),
			);
			return {
				items: rows.map(recordOf),
				page,
				size,
				total,
				totalPages: Math.ceil(total / size),
			};
		},
		async flush() {
			while (running || scheduled) await (running ?? scheduled)!.catch(() => {});
		},
		async close() {
			await log.flush();
			closed = true;
		},
	};
	return log;
}
