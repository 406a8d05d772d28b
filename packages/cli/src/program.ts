/**
 * The `strongbox` command tree (commander), with the global options every command takes.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerAuth } from "./commands/auth.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerResolve } from "./commands/resolve.js";
import { registerRun } from "./commands/run.js";
import { registerCreate } from "./commands/secret-create.js";
import { registerDelete } from "./commands/secret-delete.js";
import { registerExport } from "./commands/secret-export.js";
import { registerGet } from "./commands/secret-get.js";
import { registerImport } from "./commands/secret-import.js";
import { registerList } from "./commands/secret-list.js";
import { registerRename } from "./commands/secret-rename.js";
import { registerUpdate } from "./commands/secret-update.js";
import { registerServe } from "./commands/serve.js";
import type { Runner } from "./commands/shared.js";
import { registerToken } from "./commands/token.js";
import type { Io } from "./io.js";

/** The CLI's version (from its package.json). */
export function cliVersion(): string {
	try {
		const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
			version?: string;
		};
		return pkg.version ?? "0.0.0";
	} catch {
		return "0.0.0";
	}
}

const FOOTER = `
Modes:
  local    no login: secrets live in an encrypted SQLite database under --home (~/.strongbox)
  remote   after \`strongbox login URL\` (or with STRONGBOX_URL + STRONGBOX_TOKEN): a server

Get started:
  $ strongbox secret create db --username=app --password=@./password.txt
  $ strongbox run --secret db -- ./my-app

Exit codes: 0 ok, 1 error, 2 usage or invalid input, 3 not found, 4 exists or conflict,
5 not authenticated or forbidden, 6 unavailable (retry), 7 configuration, 130 interrupted.
Set STRONGBOX_DEBUG=1 for stack traces (never values).
`;

/** Builds the command tree. Errors and help go through `io`; nothing calls process.exit. */
export function buildProgram(io: Io, run: Runner): Command {
	const program = new Command("strongbox")
		.description("Strongbox: secrets for your apps, from the terminal")
		.version(cliVersion(), "-V, --version", "print the version")
		.option("--json", "machine-readable output (one JSON document on stdout)")
		.option("-q, --quiet", "no status messages or warnings on stderr")
		.option(
			"--home <dir>",
			"CLI home: login and local data (default $STRONGBOX_HOME or ~/.strongbox)",
		)
		.option("-w, --workspace <id>", "workspace to use (default: yours)")
		.option(
			"--config <file>",
			"Strongbox config file (local mode and serve; default $STRONGBOX_CONFIG)",
		)
		.helpOption("-h, --help", "show help")
		.helpCommand("help [command]", "show help for a command")
		.configureHelp({ showGlobalOptions: true })
		.configureOutput({
			writeOut: (text) => io.stdout.write(text),
			writeErr: (text) => io.stderr.write(text),
			// Errors are printed by main(), sanitised, in text or JSON.
			outputError: () => {},
		})
		.exitOverride()
		.addHelpText("after", FOOTER);

	const secret = program
		.command("secret")
		.alias("secrets")
		.description("create, read, change and delete secrets");
	registerCreate(secret, run);
	registerList(secret, run);
	registerGet(secret, run);
	registerUpdate(secret, run);
	registerRename(secret, run);
	registerDelete(secret, run);
	registerExport(secret, run);
	registerImport(secret, run);

	registerRun(program, run);
	registerResolve(program, run);
	registerMigrate(program, run);
	registerDoctor(program, run);
	registerServe(program, run);
	registerAuth(program, run);
	registerToken(program, run);
	return program;
}
