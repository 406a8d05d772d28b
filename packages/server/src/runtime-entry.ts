/**
 * `@strongbox/server/runtime`: the runtime without the HTTP server. It loads the
 * configuration, opens the catalog and stores, and checks them, without importing
 * fastify or pino, so the CLI's local mode starts fast. Same functions as the main entry.
 *
 * @packageDocumentation
 */
export { type LoadConfigOptions, loadConfig } from "./config/load.js";
export type { StoreEntry, StrongboxConfig, StrongboxConfigInput } from "./config/schema.js";
export {
	DOCTOR_UNSETTLED_LIMIT,
	type DoctorOptions,
	type DoctorReport,
	type DoctorStore,
	doctor,
} from "./doctor.js";
export type { Invalidation, InvalidationKind, InvalidationStats } from "./invalidation.js";
export { type OpenRuntimeOptions, openRuntime, type Runtime } from "./runtime.js";
