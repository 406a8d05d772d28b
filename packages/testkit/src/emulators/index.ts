/**
 * Wire-level emulators of the four cloud secret stores, usable from any test runner.
 *
 * @packageDocumentation
 */

export * from "./aws/index.js";
export * from "./azure/index.js";
export * from "./faults.js";
export * from "./gcp/index.js";
export { generateTestCertificates, type TestCertificates } from "./tls.js";
export * from "./vault/index.js";
