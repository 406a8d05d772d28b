/**
 * `describeSecretsStore`: the conformance suite every store runs. Each test gets a fresh
 * store (core's `createStore`, random deployment id) and random ids, so suites can share
 * one back-end; groups switch on the capabilities the store declares.
 */
import type { StoreContext, StoreDefinition } from "@strongbox/core";
import { describe, it } from "vitest";
import { storeCheckGroups } from "./suites/store-checks.js";
import { runStoreCheck } from "./suites/store-context.js";

export { storeCheckGroups, storeChecks } from "./suites/store-checks.js";
export type { LogEntry, StoreCheck, StoreCheckContext } from "./suites/store-context.js";
export { runStoreCheck } from "./suites/store-context.js";

/** Options of {@link describeSecretsStore}. */
export interface DescribeSecretsStoreOptions<Options> {
	/**
	 * Options of the stores of one test; called once before every test (the test's stores,
	 * including a reopened one and one of another deployment, all use what it returns).
	 */
	options: () => Options | Promise<Options>;
	/** Label of the suite. @default `store <type>` */
	name?: string;
	/**
	 * Context handed to the store. @default a random deployment id per test and a logger
	 * that records every line (searched for leaked values after each test)
	 */
	context?: Partial<StoreContext>;
	/**
	 * What the back-end really holds for `id`, as bytes or text (`undefined` when it holds
	 * nothing). Lets the suite check that nothing was written and, for stores declaring
	 * `encryptsAtRest`, that no value is held in clear.
	 */
	raw?: { read(id: string): Promise<string | Uint8Array | undefined> };
	/**
	 * Makes the back-end fail (unreachable, or answering 5xx past the store's retries)
	 * until the returned function is called.
	 */
	failBackend?: () => Promise<() => Promise<void>>;
	/**
	 * Called after each test, once its stores are closed, with the options the test used
	 * (drop that test's tables, stop servers...).
	 */
	cleanup?: (options: Options) => Promise<void>;
	/** Per-test timeout. @default 30000 */
	timeoutMs?: number;
}

/**
 * Registers the store conformance suite with vitest.
 *
 * @example
 * import { describeSecretsStore } from "@strongbox/testkit";
 * import acmeStore from "../src/index.js";
 * describeSecretsStore(acmeStore, { options: () => ({ url: server.url }) });
 */
export function describeSecretsStore<Options>(
	definition: StoreDefinition<Options>,
	options: DescribeSecretsStoreOptions<Options>,
): void {
	const timeout = options.timeoutMs ?? 30_000;
	const loose = options as DescribeSecretsStoreOptions<unknown>;
	describe(options.name ?? `store ${definition.type}`, () => {
		for (const group of storeCheckGroups) {
			// Switched by what the definition declares (not by a skip list): a store that
			// declares a capability is held to it. Per-instance overrides of the size limit are
			// read from the live store inside each check.
			const applies = group.applies(definition.capabilities, loose);
			const title =
				applies || !group.requires ? group.name : `${group.name} (needs ${group.requires})`;
			describe.runIf(applies)(title, () => {
				for (const check of group.checks) {
					it(check.name, () => runStoreCheck(definition, options, check), timeout);
				}
			});
		}
	});
}
