/**
 * `@strongbox/client`: the Secrets API over HTTP, with the same types and typed errors
 * as in-process, plus the server's identity, token and audit calls.
 *
 * @packageDocumentation
 */
export { type ClientOptions, createClient } from "./client.js";
export type { CallOptions, ClientRetryOptions, FetchLike } from "./transport.js";
export type * from "./types.js";
