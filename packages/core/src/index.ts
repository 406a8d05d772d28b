/**
 * `@strongbox/core`: the Secrets API (`createSecrets`), the store and catalog contracts,
 * errors, validation, `defineStore`, the store registry (`loadStore`), secret references,
 * caches, migration between stores and the backup store.
 *
 * @packageDocumentation
 */

export * from "./backup.js";
export * from "./cache.js";
export type * from "./catalog.js";
export * from "./classify.js";
export * from "./errors.js";
export * from "./memory.js";
export * from "./migrate.js";
export * from "./payload.js";
export * from "./references.js";
export * from "./registry.js";
export * from "./retry.js";
export * from "./runtime.js";
export * from "./secret.js";
export * from "./secrets.js";
export * from "./store.js";
export type * from "./types.js";
export * from "./validation.js";
