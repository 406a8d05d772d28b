/**
 * `@strongbox/testkit`: the conformance suites every store and every `Secrets`
 * implementation runs, and emulators that speak each cloud's real wire protocol.
 *
 * The suites need vitest; the emulators alone are also exported from
 * `@strongbox/testkit/emulators`, which does not import vitest.
 *
 * @packageDocumentation
 */

export * from "./emulators/index.js";
export * from "./secrets-suite.js";
export * from "./store-suite.js";
export {
	type BackendProbe,
	type ConsistencyOptions,
	type ConsistencyReport,
	checkConsistency,
	type RawStoredValues,
} from "./suites/consistency.js";
export { FAST_RETRY } from "./suites/fast-retry.js";
export {
	type FaultOperation,
	type FaultRun,
	type FaultWorkloadOptions,
	runFaultWorkload,
	type ToldSecret,
} from "./suites/fault-workload.js";
export { assertNoLeak, encodingsOf, rawText, renderings } from "./suites/leaks.js";
export { mulberry32 } from "./suites/random.js";
export { makeCanary, valuesOfSize } from "./suites/samples.js";
export {
	FIXTURE_CALLERS,
	type InProcessSecretsFixture,
	type InProcessSecretsFixtureOptions,
	inProcessSecretsFixture,
} from "./suites/secrets-fixture.js";
