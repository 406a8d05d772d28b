/**
 * `main(argv)`: parses, runs one command and turns any error into a message and an
 * exit code. Never throws and never exits the process itself.
 */
import { StrongboxError } from "@strongbox/core";
import { CommanderError } from "commander";
import type { Action } from "./commands/shared.js";
import {
	type BackendOpener,
	Context,
	debugEnabled,
	defaultOpener,
	type GlobalOptions,
} from "./context.js";
import { describeUnknown, detailLines, EXIT, exitCodeFor, hintFor, UsageError } from "./errors.js";
import { type Io, processIo } from "./io.js";
import { buildProgram } from "./program.js";

/** Options of {@link main}. */
export interface MainOptions {
	/** Streams and environment. @default the process's */
	io?: Io;
	/** How the backend is opened. @default remote when logged in, else the embedded local store */
	openBackend?: BackendOpener;
}

// commander quotes the offending argument; `--password=hunter2` must not come back out.
function sanitize(message: string): string {
	return (
		message
			.replace(/^error:\s*/i, "")
			.replace(/'(-{1,2}[^'=\s]*)=[^']*'/g, "'$1=…'")
			// `-pSECRET`, as mysql users type it: keep the flag only.
			.replace(/'(-[^-'\s])[^'=\s][^']*'/g, "'$1…'")
			.replace(/'([^'\s-][^'=\s]*)=[^']*'/g, "'$1=…'")
	);
}

function commanderExit(error: CommanderError): number | undefined {
	if (error.code === "commander.helpDisplayed" || error.code === "commander.version")
		return EXIT.OK;
	// `strongbox secret` alone: commander printed the group's help.
	if (error.code === "commander.help" || error.code === "commander.executeSubCommandAsync") {
		return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
	}
	return undefined;
}

function report(error: unknown, io: Io, json: boolean, context: Context | undefined): number {
	const debug = debugEnabled(io.env);
	const fromCommander = error instanceof CommanderError;
	if (error instanceof CommanderError) {
		const code = commanderExit(error);
		if (code !== undefined) return code;
		error = new UsageError(`${sanitize(error.message)}${/[.?!)]$/.test(error.message) ? "" : "."}`);
	}
	const exitCode = exitCodeFor(error);
	if (error instanceof StrongboxError) {
		const hint = fromCommander
			? "Add --help to the command to see its usage."
			: hintFor(error, { mode: context?.mode, url: context?.url });
		if (json) {
			io.stderr.write(
				`${JSON.stringify({ error: { ...error.toJSON(), exitCode, ...(hint ? { hint } : {}) } })}\n`,
			);
		} else {
			const lines = detailLines(error);
			io.stderr.write(
				`error: ${error.message}\n${lines.length > 0 ? `${lines.join("\n")}\n` : ""}${hint ? `hint: ${hint}\n` : ""}`,
			);
		}
		if (debug && error.stack) io.stderr.write(`${error.stack}\n`);
		return exitCode;
	}
	// Not one of ours: its message may quote input (JSON and YAML errors do), so it is not shown.
	const { name, code } = describeUnknown(error);
	const message = `Unexpected ${name}${code ? ` (${code})` : ""}. Run again with STRONGBOX_DEBUG=1 for a stack trace.`;
	if (json)
		io.stderr.write(
			`${JSON.stringify({ error: { code: "INTERNAL", name, message, exitCode } })}\n`,
		);
	else io.stderr.write(`error: ${message}\n`);
	if (debug) {
		const frames = String((error as { stack?: unknown })?.stack ?? "")
			.split("\n")
			.filter((line) => line.startsWith("    at "));
		io.stderr.write(`${name}${code ? ` [${code}]` : ""} (message hidden)\n${frames.join("\n")}\n`);
	}
	return exitCode;
}

/**
 * Runs the CLI with `argv` (the arguments after `strongbox`) and resolves with the exit
 * code. Arguments after the first `--` are kept for `run` and `serve`.
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
	const io = options.io ?? processIo();
	const opener = options.openBackend ?? defaultOpener;
	const dashdash = argv.indexOf("--");
	const head = dashdash < 0 ? [...argv] : argv.slice(0, dashdash);
	const passthrough = dashdash < 0 ? [] : argv.slice(dashdash + 1);
	let context: Context | undefined;
	let exitCode: number = EXIT.OK;
	const run =
		(action: Action) =>
		async (...args: unknown[]): Promise<void> => {
			const command = args[args.length - 1] as import("commander").Command;
			context = new Context(io, command.optsWithGlobals<GlobalOptions>(), passthrough, opener);
			exitCode = (await action(context, command)) ?? EXIT.OK;
		};
	const json = head.includes("--json");
	let code: number;
	try {
		const program = buildProgram(io, run);
		await program.parseAsync(head, { from: "user" });
		code = exitCode;
	} catch (error) {
		code = report(error, io, json, context);
	}
	try {
		await context?.close();
	} catch (error) {
		if (code === EXIT.OK) code = report(error, io, json, context);
	}
	return code;
}
