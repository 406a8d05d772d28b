/**
 * Local mode: the Secrets API in-process on the embedded SQLite catalog and encrypted
 * store under the CLI's home, built exactly as the server builds it (`loadConfig` +
 * `openRuntime` from `@strongbox/server`), so a config file or `STRONGBOX_*` variables
 * can point the CLI at another database or store as well.
 */
import type { Logger } from "@strongbox/core";
import { RemoteOnlyError } from "../errors.js";
import { importPackage } from "./load.js";
import type { Backend, Identity } from "./types.js";

/** The user that owns user-scoped secrets created in local mode. */
export const LOCAL_USER = "local";
/** The workspace used in local mode when `--workspace` is not given. */
export const LOCAL_WORKSPACE = "default";

/** Options of {@link openLocal}. */
export interface LocalOptions {
	/** The CLI home; the data directory unless `STRONGBOX_DATA_DIR` is set. */
	home: string;
	/** `--config` (else the server's discovery: `STRONGBOX_CONFIG`, `strongbox.config.*` in cwd). */
	configFile?: string | undefined;
	/** Whether `--home` was given on the command line (it then wins over `STRONGBOX_DATA_DIR`). */
	homeFromFlag: boolean;
	env: Record<string, string | undefined>;
	cwd: string;
	logger: Logger;
}

type ServerModule = typeof import("@strongbox/server");

/** The data directory of local mode. */
export function localDataDir(options: Pick<LocalOptions, "home" | "homeFromFlag" | "env">): string {
	if (options.homeFromFlag) return options.home;
	return options.env.STRONGBOX_DATA_DIR || options.home;
}

// A variable specifier keeps the server (fastify and friends) out of the static graph:
// only the commands that open a backend pay for loading it.
const SERVER_PACKAGE = "@strongbox/server";

/** Opens the embedded runtime. */
export async function openLocal(options: LocalOptions): Promise<Backend> {
	const dataDir = localDataDir(options);
	const server = await importPackage<ServerModule>(SERVER_PACKAGE);
	const config = await server.loadConfig({
		...(options.configFile === undefined ? {} : { file: options.configFile }),
		env: { ...options.env, STRONGBOX_DATA_DIR: dataDir },
		cwd: options.cwd,
	});
	const runtime = await server.openRuntime(config, { logger: options.logger });
	const secrets = runtime.secrets.as({
		user: LOCAL_USER,
		workspace: LOCAL_WORKSPACE,
		workspaces: "*",
	});
	return {
		mode: "local",
		secrets,
		location: dataDir,
		async whoami(): Promise<Identity> {
			return {
				mode: "local",
				user: LOCAL_USER,
				workspace: LOCAL_WORKSPACE,
				workspaces: "*",
				admin: true,
				dataDir,
			};
		},
		tokens() {
			throw new RemoteOnlyError("Tokens exist on a server only; this CLI is in local mode.");
		},
		close: () => runtime.close(),
	};
}
