/**
 * `strongbox serve [--config FILE] [server options…]`: runs the Strongbox server until
 * SIGTERM or SIGINT (the same as `strongbox-server` from `@strongbox/server`).
 */

import type { Command } from "commander";
import { importPackage } from "../backend/load.js";
import { localDataDir } from "../backend/local.js";
import { cliImport } from "../backend/runtime-module.js";
import type { Runner } from "./shared.js";

type ServerModule = typeof import("@strongbox/server");

const SERVER_PACKAGE = "@strongbox/server";

const HELP = `
Server options (passed to the server):
  --host <address>     listen address (default 127.0.0.1; anything else needs TLS or
                       STRONGBOX_ALLOW_INSECURE_HTTP=true)
  -p, --port <port>    listen port (default 8787)
  --log-level <level>  fatal|error|warn|info|debug|trace|silent

The server uses the data directory of local mode (--home, else $STRONGBOX_DATA_DIR, else
$STRONGBOX_HOME or ~/.strongbox), so it serves the secrets local mode sees. Other settings come
from --config, $STRONGBOX_CONFIG or strongbox.config.{json,yaml,yml}, and STRONGBOX_* variables
(see the server's README). On first start the server creates an admin user and prints its
token once.

Example:
  $ strongbox serve --port 8787
  $ strongbox login http://127.0.0.1:8787      # paste the admin token
`;

/** Registers `serve`. */
export function registerServe(program: Command, run: Runner): void {
	program
		.command("serve")
		.description("run a Strongbox server (until SIGTERM or Ctrl-C)")
		.argument("[options...]", "server options (below)")
		.allowUnknownOption()
		.addHelpText("after", HELP)
		.action(
			run(async (context, command) => {
				const args = [
					...(context.configFile === undefined ? [] : ["--config", context.configFile]),
					...command.args,
					...context.passthrough,
				];
				// The server serves what local mode sees: the same data directory (see local.ts).
				const env = {
					...context.io.env,
					STRONGBOX_DATA_DIR: localDataDir({
						home: context.home,
						homeFromFlag: context.homeFromFlag,
						env: context.io.env,
					}),
				};
				const { main } = await importPackage<ServerModule>(SERVER_PACKAGE);
				// Stores installed next to the CLI (or in the project) are found too.
				return main(args, { env, cwd: context.io.cwd, import: cliImport(context.io.cwd) });
			}),
		);
}
