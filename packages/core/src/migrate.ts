/**
 * Moving secrets' values from one store to another, one secret at a time, while the
 * runtime keeps serving: the catalog records each secret's back-end, so every read
 * goes where the values are at that moment.
 *
 * Per secret: read from the source → write to the target at the same version → read it
 * back and compare a SHA-256 of the canonical values (in memory, never printed) → switch
 * the row with `catalog.setBackend` (a compare-and-set on the values version: a secret
 * written meanwhile is retried later in the same run) → only then, if asked, delete the
 * source copy. Every step is idempotent, so an interrupted run is resumed by running it
 * again, and a finished one re-runs as a no-op.
 */
import { createHash } from "node:crypto";
import type { CatalogRow } from "./catalog.js";
import { StoreConfigError, StrongboxError, ValidationError } from "./errors.js";
import type { ManagedStore } from "./runtime.js";
import type { SecretsService } from "./secrets.js";
import type { SecretFilter, SecretValues } from "./types.js";
import { type NormalizedFilter, normalizeFilter, valuesSize } from "./validation.js";

/** Which secrets to migrate: the name, scope, workspace and owner fields of a listing filter. */
export type MigrationFilter = Pick<SecretFilter, "name" | "scope" | "workspace" | "owner">;

/** What happened to one secret. In a dry run, `moved` means "would be moved". */
export type MigrationOutcome = "moved" | "skipped" | "failed";

/** Reported after each secret. */
export interface MigrationProgress {
	/** Secrets settled so far, this one included. */
	done: number;
	total: number;
	id: string;
	name: string;
	outcome: MigrationOutcome;
}

/**
 * A secret that could not be migrated, or whose source copy could not be removed.
 * `reason` is one of `values-missing`, `checksum-mismatch`, `changed-during-migration`,
 * `write-in-flight`, `source-delete-failed`, or the code of the error a store raised
 * (`STORE_UNAVAILABLE`, `PAYLOAD_TOO_LARGE`...). Never a value.
 */
export interface MigrationFailure {
	id: string;
	name: string;
	reason: string;
}

/** What {@link migrateSecrets} did. */
export interface MigrationReport {
	/** Secrets whose row now names the target (in a dry run: that would be moved). */
	moved: number;
	/** Secrets left alone: deleted meanwhile or no longer on the source. */
	skipped: number;
	failed: MigrationFailure[];
	dryRun: boolean;
	/** The run stopped early on its abort signal; run it again to finish. */
	aborted: boolean;
	/** Source copies deleted (with `deleteSource`), leftovers of earlier runs included. */
	sourceDeleted: number;
}

/** Options of {@link migrateSecrets}. */
export interface MigrateOptions {
	/** The back-end name the values are moved from (a store of the runtime). */
	from: string;
	/** The store the values are moved to; must be one of the runtime's stores. */
	to: ManagedStore;
	/** Only the secrets matching this filter. @default every secret on `from` */
	only?: MigrationFilter;
	/** Read and report; write nothing. @default false */
	dryRun?: boolean;
	/** Delete each source copy once its move is verified and switched. @default false */
	deleteSource?: boolean;
	onProgress?: (progress: MigrationProgress) => void;
	/** Stops the run between two secrets; the report says `aborted`. */
	signal?: AbortSignal;
	/** Attempts per secret when it keeps being written during the run (1–100). @default 5 */
	maxAttempts?: number;
}

const PAGE = 500;

/** SHA-256 of the values with sorted keys: equal maps give equal digests, whatever their key order. */
function checksum(values: SecretValues): string {
	const canonical = JSON.stringify(
		Object.keys(values)
			.sort()
			.map((key) => [key, values[key]]),
	);
	return createHash("sha256").update(canonical).digest("hex");
}

function codeOf(error: unknown): string {
	return error instanceof StrongboxError ? error.code : "INTERNAL";
}

function matches(row: CatalogRow, filter: NormalizedFilter): boolean {
	if (filter.name) {
		const { op, value } = filter.name;
		if (op === "equals" && row.name !== value) return false;
		if (op === "contains" && !row.name.includes(value)) return false;
		if (op === "startswith" && !row.name.startsWith(value)) return false;
		if (op === "endswith" && !row.name.endsWith(value)) return false;
	}
	if (filter.scope && row.scope !== filter.scope) return false;
	if (filter.workspace && row.workspace !== filter.workspace) return false;
	if (filter.owner && row.owner !== filter.owner) return false;
	return true;
}

function checkOptions(runtime: SecretsService, options: MigrateOptions): NormalizedFilter {
	const issues = [];
	if (typeof options?.from !== "string" || options.from.length === 0) {
		issues.push({ path: "from", message: "must name a back-end" });
	}
	if (typeof options?.to?.name !== "string") {
		issues.push({ path: "to", message: "must be a store" });
	}
	const attempts = options?.maxAttempts;
	if (
		attempts !== undefined &&
		(!Number.isSafeInteger(attempts) || attempts < 1 || attempts > 100)
	) {
		issues.push({ path: "maxAttempts", message: "must be an integer from 1 to 100" });
	}
	const only = options?.only ?? {};
	for (const key of Object.keys(only)) {
		if (!["name", "scope", "workspace", "owner"].includes(key)) {
			issues.push({ path: `only.${key.slice(0, 64)}`, message: "is not a migration filter field" });
		}
	}
	if (issues.length > 0) throw new ValidationError("Invalid migration options.", issues);
	if (options.from === options.to.name) {
		throw new StoreConfigError(`Cannot migrate back-end \`${options.from}\` onto itself.`);
	}
	runtime.storeFor(options.from);
	if (runtime.storeFor(options.to.name) !== options.to) {
		throw new StoreConfigError(
			`The target store \`${options.to.name}\` is not this runtime's store of that name; pass it in \`createSecrets({ stores })\`.`,
		);
	}
	return normalizeFilter(only);
}

type Step = "moved" | "skipped" | "retry" | { failed: string };

interface Item {
	id: string;
	name: string;
	attempts: number;
	/** Why the last attempt asked for a retry. */
	retryReason: string;
	/** A copy may have been written to the target. */
	copied: boolean;
}

/**
 * Moves the values of every secret held by back-end `from` (or those matching `only`)
 * to the store `to`, verified and resumable. The runtime must hold both stores
 * (`createSecrets({ catalog, store: target, stores: [source] })`, so that new secrets
 * go to the target as soon as the migration starts). Run one migration at a time.
 *
 * Works on every secret whatever the runtime's caller: only trusted code should call it.
 * Never prints or returns a value.
 */
export async function migrateSecrets(
	runtime: SecretsService,
	options: MigrateOptions,
): Promise<MigrationReport> {
	const filter = checkOptions(runtime, options);
	const source = runtime.storeFor(options.from);
	const target = options.to;
	const catalog = runtime.catalog;
	const dryRun = options.dryRun === true;
	const maxAttempts = options.maxAttempts ?? 5;
	await runtime.init();

	const queue: Item[] = [];
	for (let after: string | null = null; ; ) {
		const rows = await catalog.listByBackend(options.from, after, PAGE);
		for (const row of rows) {
			if (matches(row, filter)) {
				queue.push({ id: row.id, name: row.name, attempts: 0, retryReason: "", copied: false });
			}
		}
		if (rows.length < PAGE) break;
		after = rows.at(-1)!.id;
	}

	const report: MigrationReport = {
		moved: 0,
		skipped: 0,
		failed: [],
		dryRun,
		aborted: false,
		sourceDeleted: 0,
	};
	let done = 0;

	/** Removes a copy this run wrote to the target unless the row now points there. */
	async function dropTargetCopy(item: Item): Promise<void> {
		if (!item.copied || dryRun) return;
		try {
			const row = await catalog.get(item.id);
			if (row?.backend !== target.name) await target.delete(item.id);
		} catch {
			// Left for reconciliation: a copy the row does not point at is never read.
		}
	}

	async function step(item: Item): Promise<Step> {
		const row = await catalog.get(item.id);
		if (row?.state !== "active" || row.backend !== options.from) return "skipped";
		if (row.pending) {
			item.retryReason = "write-in-flight";
			return "retry";
		}
		const stored = await source.get(item.id);
		if (!stored) return { failed: "values-missing" };
		if (stored.version !== row.valuesVersion) {
			item.retryReason = "changed-during-migration";
			return "retry";
		}
		if (dryRun) {
			const size = valuesSize(stored.values);
			return size > target.capabilities.maxValueBytes ? { failed: "PAYLOAD_TOO_LARGE" } : "moved";
		}
		item.copied = true;
		await target.set(item.id, stored.values, { version: stored.version });
		const back = await target.get(item.id);
		if (
			!back ||
			back.version !== stored.version ||
			checksum(back.values) !== checksum(stored.values)
		) {
			return { failed: "checksum-mismatch" };
		}
		if (!(await catalog.setBackend(item.id, stored.version, target.name))) {
			item.retryReason = "changed-during-migration";
			return "retry";
		}
		if (options.deleteSource) {
			try {
				if (await source.delete(item.id)) report.sourceDeleted++;
			} catch {
				report.failed.push({ id: item.id, name: item.name, reason: "source-delete-failed" });
			}
		}
		return "moved";
	}

	function settle(item: Item, outcome: MigrationOutcome, reason?: string): void {
		done++;
		if (outcome === "moved") report.moved++;
		else if (outcome === "skipped") report.skipped++;
		else report.failed.push({ id: item.id, name: item.name, reason: reason ?? "INTERNAL" });
		options.onProgress?.({ done, total: queue.length, id: item.id, name: item.name, outcome });
	}

	let pending = queue;
	for (let round = 0; pending.length > 0; round++) {
		if (round > 0)
			await new Promise((resolve) => setTimeout(resolve, Math.min(200, 10 * 2 ** round)));
		const retry: Item[] = [];
		for (const item of pending) {
			if (options.signal?.aborted) {
				report.aborted = true;
				return report;
			}
			item.attempts++;
			let result: Step;
			try {
				result = await step(item);
			} catch (error) {
				result = { failed: codeOf(error) };
			}
			if (result === "retry" && item.attempts < maxAttempts) {
				retry.push(item);
				continue;
			}
			if (result === "moved" || result === "skipped") {
				if (result === "skipped") await dropTargetCopy(item);
				settle(item, result);
				continue;
			}
			await dropTargetCopy(item);
			settle(item, "failed", result === "retry" ? item.retryReason : result.failed);
		}
		pending = retry;
	}

	if (options.deleteSource && !dryRun && source.capabilities.listIds) {
		await removeSourceLeftovers(runtime, source, filter, report, options.signal);
	}
	return report;
}

/**
 * Deletes source copies whose row now names another back-end: what a crash between the
 * switch and the delete (or a failed delete) left behind.
 */
async function removeSourceLeftovers(
	runtime: SecretsService,
	source: ManagedStore,
	filter: NormalizedFilter,
	report: MigrationReport,
	signal: AbortSignal | undefined,
): Promise<void> {
	const failed = new Set(report.failed.map((f) => f.id));
	let batch: string[] = [];
	const flush = async () => {
		for (const row of await runtime.catalog.getMany(batch)) {
			if (row.backend === source.name || !matches(row, filter)) continue;
			try {
				if (await source.delete(row.id)) report.sourceDeleted++;
				if (failed.has(row.id)) {
					report.failed = report.failed.filter(
						(f) => f.id !== row.id || f.reason !== "source-delete-failed",
					);
				}
			} catch {
				if (!failed.has(row.id)) {
					report.failed.push({ id: row.id, name: row.name, reason: "source-delete-failed" });
				}
			}
		}
		batch = [];
	};
	try {
		for await (const id of source.listIds()) {
			if (signal?.aborted) {
				report.aborted = true;
				return;
			}
			batch.push(id);
			if (batch.length >= PAGE) await flush();
		}
		if (batch.length > 0) await flush();
	} catch (error) {
		report.failed.push({ id: "*", name: "*", reason: `source-scan-failed:${codeOf(error)}` });
	}
}
