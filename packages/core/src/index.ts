/**
 * `@strongbox/core`: the Secrets API (`createSecrets`), the store and catalog contracts,
 * errors, validation, `defineStore` and the store registry (`loadStore`).
 *
 * @packageDocumentation
 */

export type * from "./catalog.js";
export * from "./classify.js";
export * from "./errors.js";
export * from "./memory.js";
export * from "./payload.js";
export * from "./registry.js";
export * from "./retry.js";
export * from "./runtime.js";
export * from "./secret.js";
export * from "./secrets.js";
export * from "./store.js";
export type * from "./types.js";
export * from "./validation.js";
