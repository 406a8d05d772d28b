/**
 * The `describeSecrets` fixture of an in-process runtime: `createSecrets` over a catalog
 * and a store, seen by the three callers the suite documents. Every store package builds
 * exactly this; the catalog is an argument so that the testkit depends on no catalog
 * implementation.
 */
import {
	type Caller,
	type CreateSecretsOptions,
	createSecrets,
	LIMITS,
	type ReconcileReport,
	type SecretsService,
} from "@strongbox/core";
import type { SecretsFixture } from "../secrets-suite.js";

/** The callers of a {@link SecretsFixture}, as `describeSecrets` documents them. */
export const FIXTURE_CALLERS = {
	alice: { user: "alice", workspace: "ws-a" },
	bob: { user: "bob", workspace: "ws-a" },
	carol: { user: "carol", workspace: "ws-b" },
} as const satisfies Record<string, Caller>;

/** Options of {@link inProcessSecretsFixture}: every option of `createSecrets` but the caller. */
export type InProcessSecretsFixtureOptions = Omit<CreateSecretsOptions, "caller">;

/** A {@link SecretsFixture} whose callers are in-process runtimes (catalog and store reachable). */
export interface InProcessSecretsFixture extends SecretsFixture {
	alice: SecretsService;
	bob: SecretsService;
	carol: SecretsService;
	reconcile(): Promise<ReconcileReport>;
	/** The smaller of `maxValueBytes` (default 65536) and the store's declared limit. */
	maxValueBytes: number;
}

/**
 * `createSecrets(options)` acting as `alice`, with `bob` and `carol` as views of the same
 * runtime. `close()` closes the catalog and every store once.
 *
 * @example
 * describeSecrets("Secrets on store-acme", async () =>
 *   inProcessSecretsFixture({
 *     catalog: createSqlCatalog({ url: "sqlite::memory:" }),
 *     store: await createStore(acmeStore, options),
 *   }),
 * );
 */
export function inProcessSecretsFixture(
	options: InProcessSecretsFixtureOptions,
): InProcessSecretsFixture {
	const alice = createSecrets({ ...options, caller: FIXTURE_CALLERS.alice });
	return {
		alice,
		bob: alice.as(FIXTURE_CALLERS.bob),
		carol: alice.as(FIXTURE_CALLERS.carol),
		reconcile: () => alice.reconcile(),
		close: () => alice.close(),
		maxValueBytes: Math.min(
			options.maxValueBytes ?? LIMITS.maxValueBytes,
			options.store.capabilities.maxValueBytes,
		),
	};
}
