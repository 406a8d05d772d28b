/**
 * The per-test context of the store suite: a fresh store (random deployment id), random
 * ids, canaries, a capturing logger, and a teardown that closes every store, restores a
 * failed back-end and runs the caller's cleanup even when the test failed.
 */
import { randomUUID } from "node:crypto";
import {
	createStore,
	type Logger,
	type ManagedStore,
	type StoreCapabilities,
	type StoreDefinition,
	StrongboxError,
} from "@strongbox/core";
import { expect } from "vitest";
import type { DescribeSecretsStoreOptions } from "../store-suite.js";
import { assertNoLeak } from "./leaks.js";
import { makeCanary } from "./samples.js";

/** One log call a store made. */
export interface LogEntry {
	level: keyof Logger;
	message: string;
	fields?: Record<string, unknown>;
}

/** What a store check receives. */
export interface StoreCheckContext {
	/** The fresh store under test (wrapped by core's `createStore`). */
	readonly store: ManagedStore;
	/** Its effective capabilities (definition plus per-instance overrides). */
	readonly capabilities: StoreCapabilities;
	readonly definition: StoreDefinition<unknown>;
	readonly options: DescribeSecretsStoreOptions<unknown>;
	/** The deployment id the store was created with. */
	readonly deploymentId: string;
	/** Everything the stores of this test logged. */
	readonly logs: LogEntry[];
	/** A new random secret id. */
	id(): string;
	/** A new canary value; every error checked by {@link rejects} is searched for it. */
	canary(): string;
	/** Another store over the same back-end, closed with the test. */
	openStore(overrides?: { deploymentId?: string }): Promise<ManagedStore>;
	/** Makes the back-end fail (needs the `failBackend` hook); restored at teardown at the latest. */
	failBackend(): Promise<() => Promise<void>>;
	/**
	 * Expects `promise` to reject with an instance of `type` (and not of `notType`), and
	 * checks that no canary of this test leaks through any rendering of the error.
	 */
	rejects<E extends Error>(
		promise: Promise<unknown>,
		type: abstract new (...args: never[]) => E,
		notType?: abstract new (...args: never[]) => Error,
	): Promise<E>;
}

/** A store check: one conformance rule, runnable on its own against any definition. */
export interface StoreCheck {
	/** Test title. */
	name: string;
	run(ctx: StoreCheckContext): Promise<void>;
}

function capturingLogger(logs: LogEntry[], forward?: Logger): Logger {
	const log = (level: keyof Logger) => (message: string, fields?: Record<string, unknown>) => {
		logs.push({ level, message, ...(fields === undefined ? {} : { fields }) });
		forward?.[level](message, fields);
	};
	return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/**
 * Runs one check against a fresh store of `definition`, then tears everything down:
 * stores closed, back-end restored, `cleanup` called, and the logs searched for canaries.
 */
export async function runStoreCheck<Options>(
	definition: StoreDefinition<Options>,
	options: DescribeSecretsStoreOptions<Options>,
	check: StoreCheck,
): Promise<void> {
	const logs: LogEntry[] = [];
	const canaries: string[] = [];
	const stores: ManagedStore[] = [];
	const restores: (() => Promise<void>)[] = [];
	const deploymentId = options.context?.deploymentId ?? `sbtest-${randomUUID()}`;
	const logger = capturingLogger(logs, options.context?.logger);

	// Once per test: every store of the test (reopened, other deployment) must reach the
	// same back-end, even when the factory returns a fresh table prefix on each call.
	let storeOptions: Promise<Options> | undefined;
	let used: { options: Options } | undefined;
	async function open(id: string): Promise<ManagedStore> {
		storeOptions ??= Promise.resolve(options.options()).then((value) => {
			used = { options: value };
			return value;
		});
		const store = await createStore(definition, await storeOptions, {
			deploymentId: id,
			logger,
			...(options.context?.dataDir === undefined ? {} : { dataDir: options.context.dataDir }),
			...(options.context?.catalogConnection === undefined
				? {}
				: { catalogConnection: options.context.catalogConnection }),
		});
		stores.push(store);
		return store;
	}

	let failure: unknown;
	try {
		const store = await open(deploymentId);
		const ctx: StoreCheckContext = {
			store,
			capabilities: store.capabilities,
			definition: definition as StoreDefinition<unknown>,
			options: options as DescribeSecretsStoreOptions<unknown>,
			deploymentId,
			logs,
			id: () => randomUUID(),
			canary() {
				const c = makeCanary();
				canaries.push(c);
				return c;
			},
			openStore: (overrides = {}) => open(overrides.deploymentId ?? deploymentId),
			async failBackend() {
				if (!options.failBackend) throw new Error("This check needs the `failBackend` hook.");
				const restore = await options.failBackend();
				let restored: Promise<void> | undefined;
				const once = () => {
					restored ??= restore();
					return restored;
				};
				restores.push(once);
				return once;
			},
			async rejects(promise, type, notType) {
				let error: unknown;
				try {
					await promise;
				} catch (e) {
					error = e;
				}
				expect(error, `expected a ${type.name}, but the call succeeded`).toBeDefined();
				assertNoLeak(error, canaries);
				if (!(error instanceof type) || (notType && error instanceof notType)) {
					const got =
						error instanceof StrongboxError
							? `${error.name} (${error.code}): ${error.message}`
							: String((error as Error)?.name ?? error);
					expect.fail(`expected a ${type.name}, got ${got}`);
				}
				return error as never;
			},
		};
		await check.run(ctx);
	} catch (error) {
		failure = error;
	}
	const teardownErrors: unknown[] = [];
	for (const restore of restores) await restore().catch((e: unknown) => teardownErrors.push(e));
	for (const store of stores) await store.close().catch((e: unknown) => teardownErrors.push(e));
	if (options.cleanup && used) {
		await options.cleanup(used.options).catch((e: unknown) => teardownErrors.push(e));
	}
	if (failure !== undefined) throw failure;
	if (teardownErrors.length > 0) throw teardownErrors[0];
	for (const entry of logs) assertNoLeak(entry, canaries, `${entry.level} log line`);
}
