/**
 * A randomised workload for fault runs: creates, reads, merge updates, deletes and
 * listings through a `Secrets` while the back-end misbehaves, remembering what the caller
 * was told. Every failure must be a `StoreUnavailableError`; every answer must agree with
 * what earlier answers promised. `checkConsistency` then compares that record with what
 * the catalog and the back-end hold once the faults stop.
 */
import { type Secrets, type SecretValues, StoreUnavailableError } from "@strongbox/core";
import { expect } from "vitest";

/** The operations of a fault run. */
export type FaultOperation = "create" | "get" | "update" | "delete" | "list";

/** Options of {@link runFaultWorkload}. */
export interface FaultWorkloadOptions {
	/** Drives the operation mix, targets and values: seed it (`mulberry32`) so a failing run replays. */
	random: () => number;
	/** How many operations to run. @default 200 */
	operations?: number;
	/**
	 * Relative weight of each operation (merged over the default). A run always starts with
	 * a create, and creates while no secret is left to target.
	 * @default { create: 3, get: 2.5, update: 2.5, delete: 1, list: 1 }
	 */
	mix?: Partial<Record<FaultOperation, number>>;
	/** Every name created starts with it, and listings are narrowed to it. @default "f" */
	prefix?: string;
	/**
	 * A failed call changed nothing: the faults are injected before the back-end acts (as the
	 * testkit emulators do), so a write that failed did not land. Reads must then return
	 * exactly the acknowledged values, listings count the acknowledged secrets (a failed
	 * delete may still end gone: an outcome the runtime could not determine is finished by
	 * reconciliation), and `checkConsistency` accepts no row the caller was not told of.
	 * @default false (a failed write may or may not have landed; both outcomes are accepted)
	 */
	exact?: boolean;
	/** Back-end calls made so far (an emulator's call count): when given, a listing must make none. */
	backendCalls?: () => number;
}

/** What the caller was told about one secret. */
export interface ToldSecret {
	/**
	 * The values it may hold: exactly one after an acknowledged write, more after writes
	 * that failed but may have landed.
	 */
	candidates: SecretValues[];
	/** Its delete was acknowledged. */
	deleted: boolean;
	/** A delete of it failed, and may have landed. */
	mayBeGone: boolean;
}

/** The record of a fault run, for the run's own assertions and for `checkConsistency`. */
export interface FaultRun {
	/** Operations that succeeded. */
	ok: number;
	/** Operations that failed with `StoreUnavailableError`. */
	unavailable: number;
	/** The same two counts per operation. */
	counts: Record<FaultOperation, { ok: number; unavailable: number }>;
	/** Every secret whose creation was acknowledged, by id. */
	secrets: Map<string, ToldSecret>;
	/** Whether the run took failed calls as having changed nothing (see {@link FaultWorkloadOptions.exact}). */
	exact: boolean;
	/** The name prefix of every secret the run created. */
	prefix: string;
}

const OPERATIONS: readonly FaultOperation[] = ["create", "get", "update", "delete", "list"];

const DEFAULT_MIX: Record<FaultOperation, number> = {
	create: 3,
	get: 2.5,
	update: 2.5,
	delete: 1,
	list: 1,
};

/** Runs `call`; a failure must be a `StoreUnavailableError` (anything else fails the test). */
async function attempt<T>(
	call: () => Promise<T>,
	what: string,
): Promise<{ ok: true; value: T } | { ok: false }> {
	try {
		return { ok: true, value: await call() };
	} catch (error) {
		expect(error, `${what} failed with another error than StoreUnavailableError`).toBeInstanceOf(
			StoreUnavailableError,
		);
		return { ok: false };
	}
}

function distinct(list: SecretValues[]): SecretValues[] {
	const seen = new Map<string, SecretValues>();
	for (const values of list) {
		seen.set(JSON.stringify(Object.entries(values).sort()), values);
	}
	return [...seen.values()];
}

/**
 * Runs `options.operations` random operations through `secrets` and records what it was
 * told. Call it while faults are injected; then clear them, `reconcile({ staleAfterMs: 0 })`
 * and pass the result to `checkConsistency`.
 *
 * @example
 * emulator.inject({ kind: "throttle", fraction: 0.3 });
 * const run = await runFaultWorkload(secrets, { random: mulberry32(seed) });
 * expect(run.ok).toBeGreaterThan(150);
 */
export async function runFaultWorkload(
	secrets: Secrets,
	options: FaultWorkloadOptions,
): Promise<FaultRun> {
	const { random, backendCalls } = options;
	const exact = options.exact ?? false;
	const prefix = options.prefix ?? "f";
	const weights = OPERATIONS.map((op) => options.mix?.[op] ?? DEFAULT_MIX[op]);
	const totalWeight = weights.reduce((a, b) => a + b, 0);
	const counts = Object.fromEntries(
		OPERATIONS.map((op) => [op, { ok: 0, unavailable: 0 }]),
	) as FaultRun["counts"];
	const told = new Map<string, ToldSecret>();
	const run: FaultRun = { ok: 0, unavailable: 0, counts, secrets: told, exact, prefix };

	const chooseOperation = (): FaultOperation => {
		let roll = random() * totalWeight;
		for (const [index, op] of OPERATIONS.entries()) {
			roll -= weights[index]!;
			if (roll < 0) return op;
		}
		return "list";
	};

	for (let i = 0; i < (options.operations ?? 200); i++) {
		const targets = [...told].filter(([, s]) => !s.deleted && !s.mayBeGone);
		const op = targets.length === 0 ? "create" : chooseOperation();
		const [id, secret] = targets[Math.floor(random() * targets.length)] ?? ["", undefined];
		const what = `${op} #${i}${id ? ` of ${id}` : ""}`;
		let ok: boolean;
		switch (op) {
			case "create": {
				const values = { n: `c${i}`, pad: "x".repeat(Math.floor(random() * 50)) };
				const out = await attempt(
					() => secrets.createSecret({ name: `${prefix}${i}`, values }),
					what,
				);
				// A failed create gave the caller no id: nothing to remember.
				if (out.ok) {
					expect({ ...out.value.values }, what).toEqual(values);
					told.set(out.value.id, { candidates: [values], deleted: false, mayBeGone: false });
				}
				ok = out.ok;
				break;
			}
			case "get": {
				const out = await attempt(() => secrets.getSecret(id), what);
				if (out.ok) expect(secret!.candidates, what).toContainEqual({ ...out.value.values });
				ok = out.ok;
				break;
			}
			case "update": {
				// A merge: `pad` is kept, `n` replaced, whichever candidate the secret holds.
				const patch = { n: `u${i}` };
				const next = distinct(secret!.candidates.map((values) => ({ ...values, ...patch })));
				const out = await attempt(() => secrets.updateSecret(id, { values: patch }), what);
				if (out.ok) {
					const values = { ...out.value.values };
					expect(next, what).toContainEqual(values);
					secret!.candidates = [values];
				} else if (!exact) {
					secret!.candidates = distinct([...secret!.candidates, ...next]);
				}
				ok = out.ok;
				break;
			}
			case "delete": {
				const out = await attempt(() => secrets.deleteSecret(id), what);
				if (out.ok) secret!.deleted = true;
				// Even when faults strike before the back-end acts, a failed delete may end
				// gone: if the runtime could not tell whether it landed, it leaves the secret
				// `deleting` (invisible) for reconciliation to finish, as the caller asked.
				else secret!.mayBeGone = true;
				ok = out.ok;
				break;
			}
			default: {
				const before = backendCalls?.();
				const out = await attempt(
					() => secrets.listSecrets({ name: `startswith:${prefix}`, size: 1000 }),
					what,
				);
				if (out.ok) {
					if (before !== undefined)
						expect(backendCalls!(), `${what} called the back-end`).toBe(before);
					const live = [...told.values()].filter((s) => !s.deleted);
					const sure = live.filter((s) => !s.mayBeGone).length;
					expect(out.value.total, what).toBeGreaterThanOrEqual(sure);
					expect(out.value.total, what).toBeLessThanOrEqual(live.length);
				}
				ok = out.ok;
			}
		}
		counts[op][ok ? "ok" : "unavailable"]++;
		run[ok ? "ok" : "unavailable"]++;
	}
	return run;
}
