/**
 * The consistency check after a fault run: once the faults are cleared and
 * `reconcile({ staleAfterMs: 0 })` ran, the catalog and the back-end must agree with each
 * other and with what the callers were told. The back-end is read around the store, by
 * two small callbacks each store test writes for its emulator (or real service).
 */
import {
	type CatalogRow,
	SecretNotFoundError,
	type SecretsService,
	type StoredValues,
} from "@strongbox/core";
import { expect } from "vitest";
import type { FaultRun } from "./fault-workload.js";

/** What the back-end holds for one id: values, the version they were written at, and the owner. */
export interface RawStoredValues extends StoredValues {
	/** The deployment id the object is tagged with (`undefined` when it carries none). */
	owner: string | undefined;
}

/**
 * Read access to the back-end behind a store, bypassing the store. A payload written with
 * core's `encodePayload` decodes with `decodePayload` into exactly this shape.
 */
export interface BackendProbe {
	/** What the back-end holds for `id`, whoever owns it; `undefined` when it holds nothing. */
	read(id: string): RawStoredValues | undefined | Promise<RawStoredValues | undefined>;
	/** The ids of every object the back-end holds for the deployment under test. */
	listIds(): Iterable<string> | Promise<Iterable<string>>;
}

/** Options of {@link checkConsistency}. */
export interface ConsistencyOptions {
	/** The deployment id the store was created with; every object must be tagged with it. */
	deploymentId: string;
	/** What a fault run told its caller; without it only the catalog and the back-end are compared. */
	run?: FaultRun;
}

/** What {@link checkConsistency} compared, for a store's own further assertions. */
export interface ConsistencyReport {
	/** The active rows of the runtime's store. */
	rows: CatalogRow[];
	/** The ids the back-end holds for the deployment. */
	backendIds: string[];
}

const PAGE = 500;
// A row unsettled now is unsettled at any later cut-off too; one day ahead also includes
// rows stamped in the same millisecond as the reconciliation.
const DAY_MS = 24 * 60 * 60 * 1000;

async function activeRows(secrets: SecretsService): Promise<CatalogRow[]> {
	const rows: CatalogRow[] = [];
	for (let after: string | null = null; ; ) {
		const page = await secrets.catalog.listByBackend(secrets.store.name, after, PAGE);
		rows.push(...page);
		if (page.length < PAGE) return rows;
		after = page.at(-1)!.id;
	}
}

/**
 * Checks, through `secrets` (the runtime the workload ran through) and `backend`:
 * - no row is left pending or deleting;
 * - every active row's values are in the back-end at the row's values version, with the
 *   row's keys, owned by `deploymentId`;
 * - every back-end object of the deployment has an active row (no orphan);
 * - with `run`: every acknowledged write reads back (through the API and raw), deletes
 *   stay deleted, a secret is gone only after a delete, and with `run.exact` no row exists
 *   that the caller was not told of.
 * Fails the test (vitest `expect`) at the first disagreement.
 */
export async function checkConsistency(
	secrets: SecretsService,
	backend: BackendProbe,
	options: ConsistencyOptions,
): Promise<ConsistencyReport> {
	const unsettled = await secrets.catalog.listUnsettled(new Date(Date.now() + DAY_MS), 20);
	expect(
		unsettled.map((row) => `${row.id} (${row.pending ? "write in flight" : row.state})`),
		"rows left unsettled after reconciliation",
	).toEqual([]);

	const rows = await activeRows(secrets);
	for (const row of rows) {
		const raw = await backend.read(row.id);
		expect(raw, `the back-end holds the values of row ${row.id}`).toBeDefined();
		expect(raw!.version, `values version of ${row.id}`).toBe(row.valuesVersion);
		expect(raw!.owner, `owner of ${row.id}`).toBe(options.deploymentId);
		expect(Object.keys(raw!.values).sort(), `keys of ${row.id}`).toEqual(row.keys);
	}

	const rowIds = new Set(rows.map((row) => row.id));
	const backendIds = [...(await backend.listIds())];
	for (const id of backendIds) {
		expect(rowIds.has(id), `back-end object ${id} has an active row (else it is an orphan)`).toBe(
			true,
		);
	}
	expect(backendIds.length, "one back-end object per active row").toBe(rows.length);

	const run = options.run;
	if (run) {
		for (const [id, told] of run.secrets) {
			const row = await secrets.catalog.get(id);
			const raw = await backend.read(id);
			if (told.deleted) {
				expect(row, `acknowledged delete of ${id} left a row`).toBeUndefined();
				expect(raw, `acknowledged delete of ${id} left values`).toBeUndefined();
				await expect(secrets.getSecret(id)).rejects.toBeInstanceOf(SecretNotFoundError);
				continue;
			}
			if (row === undefined) {
				expect(told.mayBeGone, `${id} vanished without a delete`).toBe(true);
				expect(raw, `${id} has no row but values`).toBeUndefined();
				continue;
			}
			expect(row.state, `state of ${id}`).toBe("active");
			const read = await secrets.getSecret(id);
			expect(told.candidates, `values of ${id} read back`).toContainEqual({ ...read.values });
			expect(told.candidates, `values of ${id} in the back-end`).toContainEqual(raw!.values);
		}
		if (run.exact) {
			// No row the caller was not told of (a failed create left nothing behind); a
			// secret whose delete failed may be there or gone (checked above).
			const told = new Set([...run.secrets].filter(([, s]) => !s.deleted).map(([id]) => id));
			const ours = rows.filter((row) => row.name.startsWith(run.prefix)).map((row) => row.id);
			for (const id of ours) expect(told.has(id), `row ${id} was never acknowledged`).toBe(true);
			const sure = [...run.secrets].filter(([, s]) => !s.deleted && !s.mayBeGone).map(([id]) => id);
			for (const id of sure) expect(ours, `acknowledged ${id} has a row`).toContain(id);
		}
	}
	return { rows, backendIds };
}
