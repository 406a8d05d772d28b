/**
 * Runs one operation and records it in the audit log.
 *
 * Fail-open (the default): the entry is queued after the operation and the answer does
 * not wait for it; a failure is logged and counted in `/metrics`.
 *
 * Fail-closed (`audit.failClosed`): a write is recorded as `pending` before anything
 * changes, and refused (503) when that fails; its outcome is filled in afterwards. A
 * read is answered only once its entry is stored; otherwise the value is withheld (503).
 */
import { StoreUnavailableError, StrongboxError } from "@strongbox/core";
import type { AuditEntry } from "../audit.js";
import { statusOf, toStrongboxError } from "./errors.js";
import type { HandlerContext } from "./route.js";

/** What an entry says about its object. */
export type AuditSubject = Pick<AuditEntry, "secretId" | "secretName" | "workspace" | "target">;

/** Options of {@link audited}. */
export interface AuditedOptions<T> {
	op: string;
	/** What is known before the operation runs. */
	subject?: AuditSubject;
	/** What the result adds (the id of a created secret...). */
	describe?: (result: T) => AuditSubject;
	/** `write` changes state; `read` returns values or metadata. */
	kind: "read" | "write";
	/** Status of a successful answer. @default 200 */
	status?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: any handler context.
type AnyContext = HandlerContext<any, any, any>;

function entryOf(
	ctx: AnyContext,
	op: string,
	subject: AuditSubject | undefined,
	outcome: string,
	status: number,
): AuditEntry {
	return {
		actor: ctx.principal?.user ?? "anonymous",
		op,
		requestId: ctx.requestId,
		sourceIp: ctx.ip,
		secretId: subject?.secretId,
		secretName: subject?.secretName,
		workspace: subject?.workspace,
		target: subject?.target,
		outcome,
		status,
	};
}

/** Runs `fn` and audits it (see the module comment). */
export async function audited<T>(
	ctx: AnyContext,
	options: AuditedOptions<T>,
	fn: () => Promise<T>,
): Promise<T> {
	const { audit, config, log } = ctx.services;
	const failClosed = config.audit.failClosed;
	const okStatus = options.status ?? 200;
	let pendingId: number | undefined;
	if (failClosed && options.kind === "write") {
		try {
			pendingId = await audit.begin(entryOf(ctx, options.op, options.subject, "pending", 0));
		} catch {
			throw new StoreUnavailableError(
				"The audit log is unavailable; nothing was changed. Retry later.",
			);
		}
	}
	let result: T;
	try {
		result = await fn();
	} catch (error) {
		const mapped = toStrongboxError(error);
		const status = statusOf(mapped, ctx.ifMatch !== undefined);
		if (pendingId !== undefined) audit.finish(pendingId, mapped.code, status).catch(() => {});
		else if (failClosed) {
			audit.record(entryOf(ctx, options.op, options.subject, mapped.code, status)).catch(() => {});
		} else audit.enqueue(entryOf(ctx, options.op, options.subject, mapped.code, status));
		throw error;
	}
	const described = options.describe?.(result);
	const subject = described ? { ...options.subject, ...described } : options.subject;
	if (pendingId !== undefined) {
		audit.finish(pendingId, "ok", okStatus, subject).catch(() => {
			log.warn({ requestId: ctx.requestId }, "Could not record the outcome of an audited write.");
		});
		return result;
	}
	const entry = entryOf(ctx, options.op, subject, "ok", okStatus);
	if (!failClosed) {
		audit.enqueue(entry);
		return result;
	}
	try {
		await audit.record(entry);
	} catch {
		throw new StoreUnavailableError(
			"The audit log is unavailable; the answer is withheld. Retry later.",
		);
	}
	return result;
}

/** Records entries for many secrets at once (get-many); fail-closed waits for all of them. */
export async function auditMany(
	ctx: AnyContext,
	op: string,
	entries: Array<AuditSubject & { outcome: string; status: number }>,
): Promise<void> {
	const { audit, config } = ctx.services;
	if (!config.audit.failClosed) {
		for (const e of entries) audit.enqueue(entryOf(ctx, op, e, e.outcome, e.status));
		return;
	}
	try {
		await Promise.all(entries.map((e) => audit.record(entryOf(ctx, op, e, e.outcome, e.status))));
	} catch (error) {
		if (error instanceof StrongboxError && error.status < 500) throw error;
		throw new StoreUnavailableError(
			"The audit log is unavailable; the answer is withheld. Retry later.",
		);
	}
}
