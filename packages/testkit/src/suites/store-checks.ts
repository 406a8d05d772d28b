/**
 * The store checks, grouped. A group runs only when the store declares the capability
 * (or the suite was given the hook) it needs; each check can also be run on its own
 * with `runStoreCheck`, which is how the testkit proves the checks catch broken stores.
 */
import type { StoreCapabilities } from "@strongbox/core";
import type { DescribeSecretsStoreOptions } from "../store-suite.js";
import * as basic from "./store-checks-basic.js";
import * as optional from "./store-checks-optional.js";
import type { StoreCheck } from "./store-context.js";

/** A group of checks and the condition under which it applies. */
export interface StoreCheckGroup {
	name: string;
	/** Why the group may not run, for the README and the test title. */
	requires?: string;
	applies(capabilities: StoreCapabilities, options: DescribeSecretsStoreOptions<unknown>): boolean;
	checks: readonly StoreCheck[];
}

/** Every store check, by group. */
export const storeCheckGroups: readonly StoreCheckGroup[] = [
	{
		name: "values",
		applies: () => true,
		checks: [
			basic.roundTrip,
			basic.overwrite,
			basic.getMissing,
			basic.deleteMissing,
			basic.deleteThenGet,
			basic.trickyValues,
			basic.trickyKeys,
			basic.concurrentWrites,
			basic.idempotentWrite,
		],
	},
	{
		name: "size limit",
		applies: () => true,
		checks: [basic.sizeLimitExact, basic.sizeLimitExactMultibyte, basic.sizeLimitExceeded],
	},
	{
		name: "lifecycle",
		applies: () => true,
		checks: [basic.verifyPasses, optional.closeTwice, optional.deploymentIsolation],
	},
	{
		name: "bulk get",
		requires: "capabilities.bulkGet",
		// Without bulkGet core reads one id at a time; that path is core's, tested there.
		applies: (caps) => caps.bulkGet,
		checks: [optional.bulkGetMixed, optional.bulkGetBeyondBatch],
	},
	{
		name: "listIds",
		requires: "capabilities.listIds",
		// Reconciliation only lists ids of stores that declare it.
		applies: (caps) => caps.listIds,
		checks: [optional.listIdsContains],
	},
	{
		name: "back-end failures",
		requires: "the failBackend hook",
		// Only the store's author knows how to take its back-end down.
		applies: (_caps, options) => options.failBackend !== undefined,
		checks: [optional.backendFailure, optional.failureBeforeInit],
	},
	{
		name: "encryption at rest",
		requires: "capabilities.encryptsAtRest and the raw.read hook",
		// A store that does not encrypt holds values as the back-end keeps them (for example
		// a cloud secret manager); without raw.read the suite cannot look at the bytes.
		applies: (caps, options) => caps.encryptsAtRest && options.raw !== undefined,
		checks: [optional.encryptedAtRest],
	},
];

/** Every store check by name, for running one on its own. */
export const storeChecks = { ...basic, ...optional } as const satisfies Record<string, StoreCheck>;
