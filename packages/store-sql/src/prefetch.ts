/**
 * Read-along of values on SQLite: when the SQL catalog and the SQL values store share one
 * connection, `catalog.get` / `catalog.findByName` fetch the values row with the catalog
 * row in the same statement, and the `store.get` that follows takes it from here instead
 * of running a second point read. A secret read costs one SQLite statement instead of two.
 *
 * The pair comes from one statement, so it is a consistent snapshot. An entry serves only
 * the values read that directly follows its catalog read: it is taken once; it is dropped
 * by any write of the id through a store on the table, by any other catalog call (so a
 * reconciliation or a write protocol step always reads values afresh), at the end of the
 * event-loop turn, and after {@link MAX_AGE_MS} in any case.
 */
import type { Knex } from "knex";

/** A values row as the store keeps it, or `null` when the table holds none for the id. */
export type PrefetchedValues = { version: number; envelope: string } | null;

/** Longest time an entry may wait for its values read. */
export const MAX_AGE_MS = 50;

/** One deployment's values table on one connection. */
export interface ValuesTap {
	readonly table: string;
	readonly deployment: string;
	put(id: string, row: PrefetchedValues): void;
	/** The prefetched row (taken: a second call misses), or `undefined` on a miss. */
	take(id: string): PrefetchedValues | undefined;
	/** Drops what is held for `id` (a write happened). */
	drop(id: string): void;
	/** Drops everything. */
	clear(): void;
}

function createTap(table: string, deployment: string): ValuesTap {
	const held = new Map<string, { row: PrefetchedValues; at: number }>();
	let clearing = false;
	return {
		table,
		deployment,
		put(id, row) {
			held.set(id, { row, at: performance.now() });
			if (!clearing) {
				clearing = true;
				setImmediate(() => {
					held.clear();
					clearing = false;
				}).unref();
			}
		},
		take(id) {
			const entry = held.get(id);
			if (entry === undefined) return undefined;
			held.delete(id);
			return performance.now() - entry.at <= MAX_AGE_MS ? entry.row : undefined;
		},
		drop(id) {
			held.delete(id);
		},
		clear() {
			held.clear();
		},
	};
}

const taps = new WeakMap<Knex, Map<string, ValuesTap>>();
const active = new WeakMap<Knex, Set<ValuesTap>>();

/** The tap of `table` and `deployment` on `knex` (created on first use; shared by the stores on it). */
export function valuesTap(knex: Knex, table: string, deployment: string): ValuesTap {
	let byTable = taps.get(knex);
	if (!byTable) {
		byTable = new Map();
		taps.set(knex, byTable);
	}
	const key = `${table}\0${deployment}`;
	let tap = byTable.get(key);
	if (!tap) {
		tap = createTap(table, deployment);
		byTable.set(key, tap);
	}
	return tap;
}

/** Marks a tap as ready to be filled (its table exists). */
export function activateTap(knex: Knex, tap: ValuesTap): void {
	let set = active.get(knex);
	if (!set) {
		set = new Set();
		active.set(knex, set);
	}
	set.add(tap);
}

/** Stops filling a tap (its store closed). */
export function deactivateTap(knex: Knex, tap: ValuesTap): void {
	tap.clear();
	active.get(knex)?.delete(tap);
}

/** The one active tap on `knex`, or `undefined` when there is none or several (then no read-along). */
export function activeTap(knex: Knex): ValuesTap | undefined {
	const set = active.get(knex);
	if (set?.size !== 1) return undefined;
	for (const tap of set) return tap;
	return undefined;
}

/** Drops every entry of the taps on `knex` (another catalog call happened). */
export function clearTaps(knex: Knex): void {
	const set = active.get(knex);
	if (set) for (const tap of set) tap.clear();
}
