/**
 * `@strongbox/testkit`: the conformance suites every store and every `Secrets`
 * implementation runs, and emulators that speak each cloud's real wire protocol.
 *
 * The suites need vitest; the emulators alone are also exported from
 * `@strongbox/testkit/emulators`, which does not import vitest.
 *
 * @packageDocumentation
 */
export * from "./store-suite.js";
export * from "./secrets-suite.js";
export * from "./emulators/index.js";
export { assertNoLeak, encodingsOf, rawText, renderings } from "./suites/leaks.js";
export { makeCanary, valuesOfSize } from "./suites/samples.js";
