/**
 * `doctor(runtime)`: what an operator checks first. Each store answers `verify()` (the
 * backup of a backup pair on its own), the catalog is readable, and the catalog tells how
 * many writes are unsettled and which backup divergences wait for a resync. Shared by
 * `GET /api/v1/admin/doctor` and the CLI's local mode; value-free by construction.
 */
import { type Divergence, isBackupStore, type ManagedStore, StrongboxError } from "@strongbox/core";
import type { Runtime } from "./runtime.js";

/** One store's check. */
export interface DoctorStore {
	/** The back-end name (catalog rows name it; a backup's name only labels it). */
	name: string;
	type: string;
	/** `primary`: where new secrets go; `secondary`: older secrets' values; `backup`: the primary's copy. */
	role: "primary" | "secondary" | "backup";
	ok: boolean;
	/** The error code when the check failed (`STORE_UNAVAILABLE`, `STORE_PERMISSION_DENIED`, `TIMEOUT`…). */
	error?: string;
	/** The error's message (Strongbox messages never hold a value or a credential). */
	message?: string;
}

/** What {@link doctor} found. */
export interface DoctorReport {
	/** Every check passed and no divergence is recorded. */
	ok: boolean;
	catalog: { ok: boolean; error?: string; message?: string };
	stores: DoctorStore[];
	/**
	 * Catalog rows left `pending` or `deleting` (writes in flight, or left by a crash until
	 * reconciliation settles them), counted up to {@link DOCTOR_UNSETTLED_LIMIT}; `null`
	 * when the catalog cannot be read.
	 */
	unsettled: number | null;
	/** Backup divergences waiting for `resync` (value-free); `null` when the catalog cannot be read. */
	divergences: Divergence[] | null;
}

/** Options of {@link doctor}. */
export interface DoctorOptions {
	/** Time limit of each check. @default 5000 */
	timeoutMs?: number;
}

/** Unsettled rows are counted up to this many. */
export const DOCTOR_UNSETTLED_LIMIT = 10_000;

interface Outcome {
	ok: boolean;
	error?: string;
	message?: string;
}

async function check(fn: () => Promise<unknown>, timeoutMs: number): Promise<Outcome> {
	let timer: NodeJS.Timeout | undefined;
	try {
		await Promise.race([
			fn(),
			new Promise((_, reject) => {
				timer = setTimeout(() => reject(new TimeoutSignal()), timeoutMs);
				timer.unref();
			}),
		]);
		return { ok: true };
	} catch (error) {
		if (error instanceof TimeoutSignal) {
			return { ok: false, error: "TIMEOUT", message: `No answer within ${timeoutMs} ms.` };
		}
		if (error instanceof StrongboxError) {
			return { ok: false, error: error.code, message: error.message };
		}
		// Not a Strongbox error: its message is not known to be value-free, so only the kind.
		return { ok: false, error: "UNKNOWN" };
	} finally {
		clearTimeout(timer);
	}
}

class TimeoutSignal extends Error {}

function storeEntry(store: ManagedStore, role: DoctorStore["role"], outcome: Outcome): DoctorStore {
	return { name: store.name, type: store.type, role, ...outcome };
}

/**
 * Checks a runtime (see the module comment). Never throws for a failed check: each one
 * is reported with its error code.
 *
 * @example
 * const report = await doctor(await openRuntime(await loadConfig()));
 * if (!report.ok) console.table(report.stores);
 */
export async function doctor(runtime: Runtime, options: DoctorOptions = {}): Promise<DoctorReport> {
	const timeoutMs = options.timeoutMs ?? 5000;
	const { catalog, divergences: log } = runtime;
	const checks: Promise<DoctorStore>[] = [];
	runtime.stores.forEach((store, index) => {
		const role = index === 0 ? "primary" : "secondary";
		if (isBackupStore(store)) {
			checks.push(
				check(() => store.primary.verify(), timeoutMs).then((o) =>
					storeEntry(store.primary, role, o),
				),
				check(() => store.backup.verify(), timeoutMs).then((o) =>
					storeEntry(store.backup, "backup", o),
				),
			);
		} else {
			checks.push(check(() => store.verify(), timeoutMs).then((o) => storeEntry(store, role, o)));
		}
	});
	let unsettled: number | null = null;
	let divergences: Divergence[] | null = null;
	const catalogCheck = check(async () => {
		// Rows pending since any time before now, and every deleting row.
		const rows = await catalog.listUnsettled(new Date(Date.now() + 60_000), DOCTOR_UNSETTLED_LIMIT);
		unsettled = rows.length;
		divergences = await log.list();
	}, timeoutMs);
	const [stores, catalogOutcome] = await Promise.all([Promise.all(checks), catalogCheck]);
	const report: DoctorReport = {
		ok: false,
		catalog: catalogOutcome,
		stores,
		unsettled: catalogOutcome.ok ? unsettled : null,
		divergences: catalogOutcome.ok ? divergences : null,
	};
	report.ok =
		catalogOutcome.ok &&
		stores.every((s) => s.ok) &&
		(report.divergences === null || report.divergences.length === 0);
	return report;
}
