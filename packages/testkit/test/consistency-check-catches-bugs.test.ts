/**
 * The consistency check can fail: after a clean fault-free run on the reference runtime
 * (core's memory catalog and store), one inconsistency at a time is planted in the catalog
 * or the back-end, and the check names it.
 */
import { randomUUID } from "node:crypto";
import type { SecretsService } from "@strongbox/core";
import { describe, expect, it } from "vitest";
import { checkConsistency } from "../src/suites/consistency.js";
import { type FaultRun, runFaultWorkload } from "../src/suites/fault-workload.js";
import { mulberry32 } from "../src/suites/random.js";
import { memoryRuntime } from "./support/memory-backend.js";

type Runtime = Awaited<ReturnType<typeof memoryRuntime>>;

/** A runtime after a 60-operation run (no faults, so `exact`), and one live secret of it. */
async function afterRun(): Promise<Runtime & { run: FaultRun; id: string }> {
	const runtime = await memoryRuntime();
	const run = await runFaultWorkload(runtime.secrets, {
		random: mulberry32(11),
		operations: 60,
		exact: true,
	});
	await runtime.secrets.reconcile({ staleAfterMs: 0 });
	const [id] = [...run.secrets].find(([, told]) => !told.deleted)!;
	return { ...runtime, run, id };
}

function check({ secrets, probe, deploymentId, run }: Runtime & { run: FaultRun }) {
	return checkConsistency(secrets, probe, { deploymentId, run });
}

const plants: [string, (r: Runtime & { run: FaultRun; id: string }) => unknown, RegExp][] = [
	[
		"an orphan object of the deployment",
		({ backend, deploymentId }) =>
			backend.data.set(randomUUID(), { values: { n: "x" }, version: 1, deployment: deploymentId }),
		/orphan/,
	],
	[
		"a row whose values are missing",
		({ backend, id }) => backend.data.delete(id),
		/the back-end holds the values of row/,
	],
	[
		"values at another version than the row's",
		({ backend, id }) => {
			backend.data.get(id)!.version += 1;
		},
		/values version of/,
	],
	[
		"values owned by another deployment",
		({ backend, id }) => {
			backend.data.get(id)!.deployment = "someone-else";
		},
		/owner of/,
	],
	[
		"values whose keys are not the row's",
		({ backend, id }) => {
			backend.data.get(id)!.values = { other: "x" };
		},
		/keys of/,
	],
	[
		"a lost acknowledged write",
		({ backend, id }) => {
			const entry = backend.data.get(id)!;
			entry.values = { ...entry.values, n: "never-written" };
		},
		/values of .* read back/,
	],
	[
		"a row left deleting",
		({ secrets, id }) => secrets.catalog.markDeleting(id),
		/rows left unsettled/,
	],
	[
		"a secret gone without a delete",
		async ({ secrets, backend, id }) => {
			await secrets.catalog.remove(id);
			backend.data.delete(id);
		},
		/vanished without a delete/,
	],
	[
		"an acknowledged delete that did not stay deleted",
		({ run, id }) => {
			run.secrets.get(id)!.deleted = true;
		},
		/acknowledged delete of .* left a row/,
	],
	[
		"a row the caller was never told of",
		({ secrets, run }) =>
			(secrets as SecretsService).createSecret({
				name: `${run.prefix}unknown`,
				values: { n: "1" },
			}),
		/was never acknowledged/,
	],
];

describe("checkConsistency", () => {
	it("passes on a consistent runtime", async () => {
		const runtime = await afterRun();
		const report = await check(runtime);
		expect(report.rows.length).toBeGreaterThan(0);
		expect(report.backendIds.sort()).toEqual(report.rows.map((row) => row.id).sort());
	});

	for (const [name, plant, message] of plants) {
		it(`catches ${name}`, async () => {
			const runtime = await afterRun();
			await plant(runtime);
			await expect(check(runtime)).rejects.toThrow(message);
		});
	}
});
