/**
 * `describeSecrets`: the conformance suite of the whole Secrets API, run against one
 * fixture of three callers. It uses only the `Secrets` interface (plus the optional
 * `reconcile`), so it runs in-process and through the HTTP client alike.
 */
import type { Secrets } from "@strongbox/core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { secretsCheckGroups } from "./suites/secrets-checks.js";
import { runSecretsCheck } from "./suites/secrets-context.js";

export { secretsCheckGroups, secretsChecks } from "./suites/secrets-checks.js";
export type { SecretsCheck, SecretsCheckContext } from "./suites/secrets-context.js";
export { runSecretsCheck } from "./suites/secrets-context.js";

/** One running `Secrets` implementation under test, with a few callers. */
export interface SecretsFixture {
	/** User `alice`, member of workspace `ws-a` (her default workspace). */
	alice: Secrets;
	/** User `bob`, also a member of `ws-a`. */
	bob: Secrets;
	/** User `carol`, member of `ws-b` only. */
	carol: Secrets;
	/** Settle interrupted writes (in-process implementations and servers that expose it). */
	reconcile?: () => Promise<unknown>;
	/** Release everything. */
	close(): Promise<void>;
	/**
	 * The effective size limit of a secret's values in bytes: the smaller of the configured
	 * limit and the store's declared one. @default 65536
	 */
	maxValueBytes?: number;
}

/** Options of {@link describeSecrets}. */
export interface DescribeSecretsOptions {
	/** Per-test timeout. @default 30000 */
	timeoutMs?: number;
}

/**
 * Registers the Secrets conformance suite with vitest. `factory` is called once for the
 * whole suite; every test works on its own randomly named secrets.
 *
 * @example
 * describeSecrets("in-process", async () => {
 *   const alice = createSecrets({ catalog, store, caller: { user: "alice", workspace: "ws-a" } });
 *   return {
 *     alice,
 *     bob: alice.as({ user: "bob", workspace: "ws-a" }),
 *     carol: alice.as({ user: "carol", workspace: "ws-b" }),
 *     reconcile: () => alice.reconcile(),
 *     close: () => alice.close(),
 *   };
 * });
 */
export function describeSecrets(
	name: string,
	factory: () => Promise<SecretsFixture>,
	options: DescribeSecretsOptions = {},
): void {
	const timeout = options.timeoutMs ?? 30_000;
	describe(name, () => {
		let fixture: SecretsFixture | undefined;
		beforeAll(async () => {
			fixture = await factory();
		}, timeout);
		afterAll(async () => {
			await fixture?.close();
		}, timeout);
		for (const group of secretsCheckGroups) {
			describe(group.name, () => {
				for (const check of group.checks) {
					it(
						check.name,
						async (test) => {
							if (!fixture) throw new Error("The Secrets fixture failed to start.");
							await runSecretsCheck(fixture, check, (reason) => {
								test.skip(reason);
								throw new Error("unreachable");
							});
						},
						timeout,
					);
				}
			});
		}
	});
}
