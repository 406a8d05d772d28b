/**
 * The fault workload and the consistency check on the reference runtime (core's memory
 * catalog and store) with a store that fails before it acts: a correct runtime passes, and
 * the workload fails a run that meets a wrongly typed error or a lost write.
 */
import { setTimeout } from "node:timers/promises";
import { StoreError, StoreUnavailableError } from "@strongbox/core";
import { describe, expect, it } from "vitest";
import { checkConsistency } from "../src/suites/consistency.js";
import { runFaultWorkload } from "../src/suites/fault-workload.js";
import { mulberry32 } from "../src/suites/random.js";
import { memoryRuntime } from "./support/memory-backend.js";

describe("runFaultWorkload", () => {
	it("a correct runtime under 25% failures stays consistent, exactly as told", async () => {
		const random = mulberry32(42);
		let faulty = true;
		const { secrets, probe, deploymentId } = await memoryRuntime({
			fault: () =>
				faulty && random() < 0.25
					? new StoreUnavailableError("down", { store: "memory" })
					: undefined,
		});
		const run = await runFaultWorkload(secrets, { random: mulberry32(7), exact: true });
		expect(run.ok + run.unavailable).toBe(200);
		expect(run.unavailable).toBeGreaterThan(10);
		expect(run.counts.update.unavailable + run.counts.delete.unavailable).toBeGreaterThan(0);
		expect([...run.secrets.values()].some((s) => s.deleted)).toBe(true);

		faulty = false;
		// staleAfterMs 0 settles rows begun before the current millisecond: this runtime is
		// fast enough to leave a failed create in the same one.
		await setTimeout(2);
		const report = await secrets.reconcile({ staleAfterMs: 0 });
		expect(report.deferred).toBe(0);
		const checked = await checkConsistency(secrets, probe, { deploymentId, run });
		expect(checked.rows.length).toBeGreaterThan(0);
	});

	it("without `exact`, failed writes widen what a secret may hold instead of failing the run", async () => {
		const random = mulberry32(3);
		const { secrets } = await memoryRuntime({
			fault: () =>
				random() < 0.3 ? new StoreUnavailableError("down", { store: "memory" }) : undefined,
		});
		const run = await runFaultWorkload(secrets, { random: mulberry32(4), operations: 120 });
		const told = [...run.secrets.values()];
		expect(told.some((s) => s.candidates.length > 1 || s.mayBeGone)).toBe(true);
	});

	it("fails on an error that is not a StoreUnavailableError", async () => {
		let calls = 0;
		const { secrets } = await memoryRuntime({
			fault: () => (++calls === 30 ? new StoreError("broken", { store: "memory" }) : undefined),
		});
		await expect(runFaultWorkload(secrets, { random: mulberry32(1) })).rejects.toThrow(
			/failed with another error than StoreUnavailableError/,
		);
	});

	it("fails when an acknowledged update is lost", async () => {
		// Creates land; updates are acknowledged without being written.
		const { secrets } = await memoryRuntime({ dropWrite: (version) => version > 1 });
		// The next read returns the old values, which the caller was told were replaced.
		await expect(runFaultWorkload(secrets, { random: mulberry32(1) })).rejects.toThrow(
			/get #\d+ of .*: expected \[.*\] to deep equally contain/,
		);
	});
});
