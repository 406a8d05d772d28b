/**
 * `@strongbox/server`: the Secrets API over REST, built from configuration, with users,
 * workspaces, tokens, scope-based access, an audit log, `/health`, `/metrics` and an
 * OpenAPI document.
 *
 * @packageDocumentation
 */
export type { AuditEntry, AuditFilter, AuditLog, AuditRecord } from "./audit.js";
export {
	BACKUP_STORE_OPTIONS_PREFIX,
	ENV_VARIABLES,
	STORE_OPTIONS_PREFIX,
} from "./config/env.js";
export {
	CONFIG_FILE_NAMES,
	isLoopbackHost,
	type LoadConfigOptions,
	loadConfig,
	type ResolveConfigOptions,
	resolveConfig,
} from "./config/load.js";
export { redactConfig } from "./config/redact.js";
export {
	configSchema,
	MAX_PAGE_SIZE,
	type StoreEntry,
	type StrongboxConfig,
	type StrongboxConfigInput,
} from "./config/schema.js";
export {
	DOCTOR_UNSETTLED_LIMIT,
	type DoctorOptions,
	type DoctorReport,
	type DoctorStore,
	doctor,
} from "./doctor.js";
export { WORKSPACE_HEADER } from "./http/app.js";
export { ROUTE_NOT_FOUND } from "./http/errors.js";
export { MAX_RESOLVED_BYTES, RESOLVE_LIMITS } from "./http/resolve-routes.js";
export { bearerToken, callerOf, type Principal } from "./identity/auth.js";
export {
	BOOTSTRAP_USER,
	BOOTSTRAP_WORKSPACE,
	type BootstrapResult,
	bootstrapBanner,
} from "./identity/bootstrap.js";
export type { Membership, Role, TokenInfo, User, Workspace } from "./identity/store.js";
export { generateToken, hashToken, TOKEN_PATTERN } from "./identity/tokens.js";
export {
	channelName,
	type Invalidation,
	type InvalidationKind,
	type InvalidationStats,
} from "./invalidation.js";
export { createLogger, REDACT_PATHS } from "./logger.js";
export { type MainOptions, main } from "./main.js";
export {
	type OpenRuntimeOptions,
	openRuntime,
	type Runtime,
	serverImport,
} from "./runtime.js";
export { type CreateServerOptions, createServer, type StrongboxServer } from "./server.js";
export { VERSION } from "./version.js";
