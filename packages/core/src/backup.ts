/**
 * A backup store: every write goes to the primary and then to a second store, and reads
 * fall back to that copy while the primary is unavailable.
 *
 * Write policy (no split brain, nothing silent):
 * - the primary is written first; if that fails, the write fails and the backup is not
 *   touched (the runtime undoes or reconciles the write as it does without a backup);
 * - if the backup write or delete then fails, the write still succeeds and a divergence
 *   `{ op, side, at, version }` is recorded in the catalog's settings under
 *   `divergence:<store>:<id>`, shown by `strongbox doctor` and repaired by {@link resync};
 * - if even that record cannot be written, the write fails: a divergence is never lost.
 *
 * Reads use the primary; only a `StoreUnavailableError` (never a not-found, never a
 * permission or integrity failure) sends them to the backup.
 */
import type { Catalog } from "./catalog.js";
import { StoreConfigError, StoreError, StoreUnavailableError, StrongboxError } from "./errors.js";
import { type ManagedStore, silentLogger } from "./runtime.js";
import type { SecretsService } from "./secrets.js";
import type { Logger, StoredValues } from "./store.js";

/** A write or delete that reached one side of a backup pair but not the other. Value-free. */
export interface Divergence {
	/** The back-end name (the primary's). */
	store: string;
	id: string;
	op: "set" | "delete";
	/** The side that missed the write. Always `backup` under the write policy above. */
	side: "primary" | "backup";
	/** ISO 8601 time of the failure. */
	at: string;
	/** The version written (`null` for a delete). */
	version: number | null;
}

/** Where divergences are kept (see {@link catalogDivergenceLog}). */
export interface DivergenceLog {
	record(divergence: Divergence): Promise<void>;
	/** Every recorded divergence, or those of one store. */
	list(store?: string): Promise<Divergence[]>;
	/** Forgets one divergence. */
	clear(store: string, id: string): Promise<void>;
}

/** The settings-key prefix of divergences. */
export const DIVERGENCE_PREFIX = "divergence:";

/**
 * A {@link DivergenceLog} in the catalog's settings, shared by every replica using that
 * catalog: `divergence:<store>:<id>` → JSON `{ op, side, at, version }`.
 */
export function catalogDivergenceLog(catalog: Catalog): DivergenceLog {
	const keyOf = (store: string, id: string) => `${DIVERGENCE_PREFIX}${store}:${id}`;
	return {
		async record(d) {
			await catalog.setSetting(
				keyOf(d.store, d.id),
				JSON.stringify({ op: d.op, side: d.side, at: d.at, version: d.version }),
			);
		},
		async list(store) {
			const settings = await catalog.listSettings(
				store === undefined ? DIVERGENCE_PREFIX : `${DIVERGENCE_PREFIX}${store}:`,
			);
			const out: Divergence[] = [];
			for (const [key, value] of Object.entries(settings)) {
				const rest = key.slice(DIVERGENCE_PREFIX.length);
				// Ids are UUIDs (no ':'), store names may contain ':': split at the last one.
				const colon = rest.lastIndexOf(":");
				if (colon <= 0) continue;
				try {
					const parsed = JSON.parse(value) as Omit<Divergence, "store" | "id">;
					out.push({
						store: rest.slice(0, colon),
						id: rest.slice(colon + 1),
						op: parsed.op,
						side: parsed.side,
						at: parsed.at,
						version: parsed.version ?? null,
					});
				} catch {
					// A malformed entry is not ours to interpret; it stays for an operator.
				}
			}
			return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
		},
		async clear(store, id) {
			await catalog.deleteSetting(keyOf(store, id));
		},
	};
}

const BACKUP_BRAND = Symbol.for("strongbox.backupStore");

/** A store pair made by {@link withBackup}; a `ManagedStore` named like its primary. */
export interface BackupStore extends ManagedStore {
	readonly primary: ManagedStore;
	readonly backup: ManagedStore;
	readonly log: DivergenceLog;
	/** The divergences recorded for this store. */
	listDivergences(): Promise<Divergence[]>;
}

/** Whether `store` was made by {@link withBackup}. */
export function isBackupStore(store: unknown): store is BackupStore {
	return typeof store === "object" && store !== null && BACKUP_BRAND in store;
}

/** Options of {@link withBackup}. */
export interface BackupOptions {
	/** Where divergences are recorded: `catalogDivergenceLog(catalog)`. */
	log: DivergenceLog;
	/** @default a silent logger */
	logger?: Logger;
	/** Clock, for tests. @default () => new Date() */
	now?: () => Date;
}

function codeOf(error: unknown): string {
	return error instanceof StrongboxError ? error.code : "INTERNAL";
}

/**
 * Pairs a primary store with a backup (a different location: another region, account
 * or provider). The result is named like the primary, so catalog rows keep naming it.
 * `verify()` checks the primary only (a backup outage degrades, it does not stop
 * service); check `store.backup.verify()` and `listDivergences()` in health reports.
 */
export function withBackup(
	primary: ManagedStore,
	backup: ManagedStore,
	options: BackupOptions,
): BackupStore {
	if (primary === backup) {
		throw new StoreConfigError("A backup store must be another store than its primary.");
	}
	if (typeof options?.log?.record !== "function") {
		throw new StoreConfigError("withBackup needs a `log` (catalogDivergenceLog(catalog)).");
	}
	const logger = options.logger ?? silentLogger;
	const now = options.now ?? (() => new Date());

	async function diverged(
		id: string,
		op: Divergence["op"],
		version: number | null,
		error: unknown,
	): Promise<void> {
		logger.warn("The backup store missed a write; recorded as a divergence.", {
			store: primary.name,
			id,
			op,
			error: codeOf(error),
		});
		try {
			await options.log.record({
				store: primary.name,
				id,
				op,
				side: "backup",
				at: now().toISOString(),
				version,
			});
		} catch (recordError) {
			throw new StoreError(
				`[store-${primary.type}] The backup missed a write of secret ${id} and the divergence could not be recorded.`,
				{ store: primary.type, cause: recordError },
			);
		}
	}

	async function read<T>(fn: (store: ManagedStore) => Promise<T>, id: string): Promise<T> {
		try {
			return await fn(primary);
		} catch (error) {
			if (!(error instanceof StoreUnavailableError)) throw error;
			logger.warn("The primary store is unavailable; reading from the backup.", {
				store: primary.name,
				id,
				error: error.code,
			});
			return fn(backup);
		}
	}

	const store: BackupStore = {
		[BACKUP_BRAND]: true,
		name: primary.name,
		type: primary.type,
		capabilities: {
			...primary.capabilities,
			// A write must fit both sides, or the backup would miss every large one.
			maxValueBytes: Math.min(
				primary.capabilities.maxValueBytes,
				backup.capabilities.maxValueBytes,
			),
			encryptsAtRest: primary.capabilities.encryptsAtRest && backup.capabilities.encryptsAtRest,
		},
		primary,
		backup,
		log: options.log,
		get closed() {
			return primary.closed;
		},
		init: () => primary.init(),
		async set(id, values, meta) {
			await primary.set(id, values, meta);
			try {
				await backup.set(id, values, meta);
			} catch (error) {
				await diverged(id, "set", meta.version, error);
			}
		},
		get: (id) => read((s) => s.get(id), id),
		getMany: (ids) => read((s) => s.getMany(ids), ids.length === 1 ? ids[0]! : `${ids.length} ids`),
		async delete(id) {
			const removed = await primary.delete(id);
			try {
				return (await backup.delete(id)) || removed;
			} catch (error) {
				await diverged(id, "delete", null, error);
				return removed;
			}
		},
		listIds: () => primary.listIds(),
		verify: () => primary.verify(),
		async close() {
			const results = await Promise.allSettled([primary.close(), backup.close()]);
			const failed = results.find((r) => r.status === "rejected");
			if (failed) throw (failed as PromiseRejectedResult).reason;
		},
		listDivergences: () => options.log.list(primary.name),
	} as BackupStore;
	return store;
}

/** What {@link resync} did. */
export interface ResyncReport {
	/** Divergences repaired and cleared. */
	repaired: number;
	/** Divergences left recorded, with why (an error code, `store-not-configured`...). */
	failed: { store: string; id: string; reason: string }[];
}

function same(a: StoredValues | undefined, b: StoredValues | undefined): boolean {
	if (a === undefined || b === undefined) return a === b;
	if (a.version !== b.version) return false;
	const keys = Object.keys(a.values);
	return (
		keys.length === Object.keys(b.values).length &&
		keys.every((key) => Object.hasOwn(b.values, key) && b.values[key] === a.values[key])
	);
}

/** Makes the backup hold what the primary holds for `id` now (values, or nothing). */
async function repairOne(pair: BackupStore, id: string): Promise<boolean> {
	for (let attempt = 0; attempt < 5; attempt++) {
		const current = await pair.primary.get(id);
		if (current) await pair.backup.set(id, current.values, { version: current.version });
		else await pair.backup.delete(id);
		// A write through the pair may have landed on the primary meanwhile; its own backup
		// write then lands after ours, unless it reached the primary before this check.
		if (same(current, await pair.primary.get(id))) return true;
	}
	return false;
}

/**
 * Repairs recorded divergences: copies the primary's current values (or its absence) to
 * the backup, then clears each record. `target` is a runtime (each divergence is repaired
 * on the runtime's store of that name) or one backup store (its divergences only).
 * A pair found still different right after clearing (a new failure raced the repair) is
 * recorded again.
 */
export async function resync(
	target: SecretsService | BackupStore,
	log: DivergenceLog,
): Promise<ResyncReport> {
	const single = isBackupStore(target) ? target : undefined;
	const divergences = await log.list(single?.name);
	const report: ResyncReport = { repaired: 0, failed: [] };
	for (const d of divergences) {
		let pair: ManagedStore | undefined = single;
		if (!pair) {
			try {
				pair = (target as SecretsService).storeFor(d.store);
			} catch {
				report.failed.push({ store: d.store, id: d.id, reason: "store-not-configured" });
				continue;
			}
		}
		if (!isBackupStore(pair)) {
			report.failed.push({ store: d.store, id: d.id, reason: "not-a-backup-store" });
			continue;
		}
		try {
			if (!(await repairOne(pair, d.id))) {
				report.failed.push({ store: d.store, id: d.id, reason: "changed-during-resync" });
				continue;
			}
			await log.clear(d.store, d.id);
			const [p, b] = [await pair.primary.get(d.id), await pair.backup.get(d.id)];
			if (!same(p, b)) {
				await log.record({
					...d,
					op: p ? "set" : "delete",
					side: "backup",
					at: new Date().toISOString(),
					version: p?.version ?? null,
				});
				report.failed.push({ store: d.store, id: d.id, reason: "changed-during-resync" });
				continue;
			}
			report.repaired++;
		} catch (error) {
			report.failed.push({ store: d.store, id: d.id, reason: codeOf(error) });
		}
	}
	return report;
}
