/**
 * Loads the server and client packages on demand: a command that needs neither (help,
 * login's argument checks, usage errors) does not pay for importing them.
 */
import { StoreConfigError } from "@strongbox/core";

/** Imports a package the CLI depends on; a broken install becomes a typed error that says what to do. */
export async function importPackage<T>(specifier: string): Promise<T> {
	try {
		return (await import(specifier)) as T;
	} catch (error) {
		const code = (error as { code?: unknown }).code;
		if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
			throw new StoreConfigError(
				`Cannot load ${specifier}, which the strongbox command needs here; reinstall @strongbox/cli (or build the workspace).`,
				{ cause: error },
			);
		}
		throw error;
	}
}
