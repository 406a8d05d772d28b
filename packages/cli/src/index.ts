/**
 * `@strongbox/cli`: the `strongbox` command. The package also exports `main` so that
 * the CLI can be embedded or run in-process.
 *
 * @packageDocumentation
 */
export type { Backend, CreatedToken, Identity, TokenApi, TokenInfo } from "./backend/types.js";
export { type BackendOpener, Context, type GlobalOptions } from "./context.js";
export {
	CliError,
	EXIT,
	exitCodeFor,
	InterruptedError,
	KeyNotFoundError,
	RemoteOnlyError,
	UsageError,
} from "./errors.js";
export { type Format, formatValues, parseDocument } from "./formats.js";
export type { InStream, Io, OutStream } from "./io.js";
export { type MainOptions, main } from "./main.js";
