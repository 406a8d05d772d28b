/**
 * The store checks can fail: each flaw of a deliberately broken store is caught by the
 * check meant for it, while the same store without flaws passes every check (so the
 * failures come from the flaw, not from the harness).
 */
import { memoryStore } from "@strongbox/core";
import { beforeEach, describe, expect, it } from "vitest";
import {
	runStoreCheck,
	type StoreCheck,
	storeCheckGroups,
	storeChecks,
} from "../src/store-suite.js";
import { backend, brokenStore, brokenStoreHooks, type Flaws } from "./support/broken-store.js";

beforeEach(() => {
	backend.down = false;
});

const allChecks = storeCheckGroups.flatMap((group) => group.checks);

describe("the broken store without flaws", () => {
	it.each(allChecks.map((check) => [check.name, check] as const))(
		"passes: %s",
		async (_name, check) => {
			await runStoreCheck(brokenStore({}, { encryptsAtRest: true }), brokenStoreHooks, check);
		},
	);
});

async function failure(flaws: Flaws, check: StoreCheck): Promise<string> {
	try {
		await runStoreCheck(brokenStore(flaws), brokenStoreHooks, check);
	} catch (error) {
		return String((error as Error).message);
	}
	throw new Error(`"${check.name}" did not catch the flaw ${JSON.stringify(flaws)}`);
}

describe("each flaw is caught", () => {
	const cases: [string, Flaws, StoreCheck, RegExp][] = [
		[
			"get answers undefined while down",
			{ undefinedWhenDown: true },
			storeChecks.backendFailure,
			/StoreUnavailableError/,
		],
		["failures are untyped", { genericErrors: true }, storeChecks.backendFailure, /got StoreError/],
		[
			"the error quotes the values",
			{ leakInError: true },
			storeChecks.backendFailure,
			/leaked into the error/,
		],
		[
			"values are logged",
			{ leakInLog: true },
			storeChecks.roundTrip,
			/leaked into the debug log line/,
		],
		[
			"declares more than the back-end holds",
			{ realLimit: 3000 },
			storeChecks.sizeLimitExact,
			/Unexpected failure during `set`/,
		],
		["unicode is mangled", { latin1: true }, storeChecks.trickyValues, /value of emoji/],
		["writes merge", { mergeWrites: true }, storeChecks.overwrite, /deeply equal/],
		["the version is not kept", { forgetVersion: true }, storeChecks.overwrite, /deeply equal/],
		[
			"deployments share entries",
			{ ignoreDeployment: true },
			storeChecks.deploymentIsolation,
			/undefined/,
		],
		[
			"delete of nothing answers true",
			{ deleteAlwaysTrue: true },
			storeChecks.deleteMissing,
			/false/,
		],
		[
			"getMany drops ids past the tenth",
			{ bulkTruncates: true },
			storeChecks.bulkGetBeyondBatch,
			/deeply equal/,
		],
		[
			"soft deletes stay listed",
			{ listsDeleted: true },
			storeChecks.listIdsContains,
			/expected true to be false/,
		],
		[
			"close fails on an unused store",
			{ closeNeedsInit: true },
			storeChecks.closeTwice,
			/close before connect|Unexpected failure/,
		],
		[
			"base64 is not encryption",
			{ base64AtRest: true },
			storeChecks.encryptedAtRest,
			/readable form/,
		],
		[
			"a repeated write is refused",
			{ notIdempotent: true },
			storeChecks.idempotentWrite,
			/Unexpected failure during `set`/,
		],
	];
	it.each(cases)("%s", async (_title, flaws, check, pattern) => {
		expect(await failure(flaws, check)).toMatch(pattern);
	});

	it("a store that keeps values in its own object loses them when reopened", async () => {
		// Core's memory store without a shared back-end is exactly that.
		await expect(
			runStoreCheck(memoryStore, { options: () => ({}) }, storeChecks.closeTwice),
		).rejects.toThrow(/deeply equal/);
	});

	it("the teardown restores a failed back-end even when the check fails midway", async () => {
		const check: StoreCheck = {
			name: "fails while the back-end is down",
			async run(ctx) {
				await ctx.failBackend();
				throw new Error("boom");
			},
		};
		await expect(runStoreCheck(brokenStore(), brokenStoreHooks, check)).rejects.toThrow("boom");
		expect(backend.down).toBe(false);
	});
});

describe("the harness", () => {
	it("calls options() once per test, reuses the result for every store, and hands it to cleanup", async () => {
		let calls = 0;
		const cleaned: unknown[] = [];
		const lines: string[] = [];
		await runStoreCheck(
			brokenStore(),
			{
				options: () => ({ call: ++calls }),
				cleanup: async (options) => void cleaned.push(options),
				context: {
					logger: { debug: (m) => void lines.push(m), info() {}, warn() {}, error() {} },
				},
			},
			storeChecks.closeTwice,
		);
		expect(calls).toBe(1);
		expect(cleaned).toEqual([{ call: 1 }]);
		await runStoreCheck(
			brokenStore({ leakInLog: true }),
			{
				options: () => ({}),
				context: { logger: { debug: (m) => void lines.push(m), info() {}, warn() {}, error() {} } },
			},
			storeChecks.deleteMissing,
		);
		expect(lines).toEqual([]);
		await expect(
			runStoreCheck(
				brokenStore({ leakInLog: true }),
				{
					options: () => ({}),
					context: {
						logger: { debug: (m) => void lines.push(m), info() {}, warn() {}, error() {} },
					},
				},
				storeChecks.roundTrip,
			),
		).rejects.toThrow(/leaked/);
		expect(lines).toEqual(["writing"]);
	});
});
