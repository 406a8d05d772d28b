/**
 * The server's runtime without its HTTP server (`@strongbox/server/runtime`: no fastify,
 * no pino), loaded on demand: configuration loading, `openRuntime` and `doctor` for local
 * mode, `migrate` and `doctor`. Store packages named by a configuration are imported
 * from the CLI's own dependencies first, then from the working directory, so a store
 * installed next to the CLI, or in the project, is found under pnpm's strict layout too.
 */
import { type ImportFn, importWithFallback } from "@strongbox/core";
import { importPackage } from "./load.js";

/** What the CLI uses of `@strongbox/server`. */
export type RuntimeModule = typeof import("@strongbox/server/runtime");

// A variable specifier keeps the runtime out of the static graph: only the commands that
// open a backend pay for loading it.
const RUNTIME_PACKAGE = "@strongbox/server/runtime";

let loaded: Promise<RuntimeModule> | undefined;

/** Imports the server's runtime entry once. */
export function loadRuntimeModule(): Promise<RuntimeModule> {
	loaded ??= importPackage<RuntimeModule>(RUNTIME_PACKAGE);
	return loaded;
}

/** Imports store packages: the CLI's dependencies first, then the packages installed in `cwd`. */
export function cliImport(cwd: string): ImportFn {
	return importWithFallback((specifier) => import(specifier), [cwd]);
}
