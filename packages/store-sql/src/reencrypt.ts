/**
 * Re-encryption under the active key, in batches, while the store is in use: each row is
 * swapped with a compare-and-set on its old envelope, so a concurrent write (which always
 * uses the active key) is never overwritten.
 */
import type { Logger, SecretValues } from "@strongbox/core";
import type { Cipher } from "./crypto.js";
import type { ValuesTable } from "./values-table.js";

/** Progress of a re-encryption run. */
export interface ReencryptProgress {
	/** Rows looked at so far. */
	done: number;
	/** Rows that were not under the active key when the run started (grows if more appear). */
	total: number;
}

/** Options of a re-encryption run. */
export interface ReencryptOptions {
	/** Called after each batch. */
	onProgress?: (progress: ReencryptProgress) => void;
	/** Rows read per query. @default 100, at most 1000 */
	batchSize?: number;
}

/** What a re-encryption run did. */
export interface ReencryptReport {
	/** Rows not under the active key that were looked at. */
	scanned: number;
	/** Rows now under the active key. */
	reencrypted: number;
	/** Rows rewritten or deleted by a concurrent write meanwhile (a write always uses the active key). */
	skipped: number;
	/** Rows that could not be decrypted (key missing from the ring, tampered); left as they are. */
	failed: number;
}

/**
 * Re-encrypts every row of `table` not under `cipher`'s active key. `reader` decrypts
 * the old rows (it may read plaintext rows, which are encrypted on the way).
 */
export async function reencryptRows(
	table: ValuesTable,
	cipher: Cipher,
	reader: Cipher,
	logger: Logger,
	options: ReencryptOptions,
	onWrite: (id: string) => void,
): Promise<ReencryptReport> {
	const active = cipher.activeKeyId!;
	const batch = Math.min(Math.max(1, Math.floor(options.batchSize ?? 100)), 1000);
	const keyIds = await table.keyIdsInUse(active);
	let total = 0;
	for (const keyId of keyIds) total += await table.countUnder(keyId);
	const report: ReencryptReport = { scanned: 0, reencrypted: 0, skipped: 0, failed: 0 };
	for (const keyId of keyIds) {
		let after = "";
		for (;;) {
			const rows = await table.rowsUnder(keyId, after, batch);
			if (rows.length === 0) break;
			for (const row of rows) {
				after = row.id;
				report.scanned++;
				let values: SecretValues;
				try {
					values = reader.open(row.id, row.version, row.envelope);
				} catch {
					report.failed++;
					logger.warn(
						"[store-sql] Could not decrypt a row during re-encryption; it is left as it is.",
						{
							id: row.id,
							keyId,
						},
					);
					continue;
				}
				onWrite(row.id);
				const swapped = await table.swapEnvelope(row, cipher.seal(row.id, row.version, values));
				onWrite(row.id);
				if (swapped) report.reencrypted++;
				else report.skipped++;
			}
			options.onProgress?.({ done: report.scanned, total: Math.max(total, report.scanned) });
		}
	}
	return report;
}
