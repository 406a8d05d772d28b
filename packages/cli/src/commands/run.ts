/**
 * `strongbox run [--secret NAME[,NAME…]] [--template FILE] [--prefix P] -- CMD ARGS…`:
 * starts CMD with the secrets' values (and a template's resolved variables) as
 * environment variables, forwards signals to it, and exits with its exit code (128 +
 * the signal's number when a signal killed it).
 *
 * Environment order, later wins: the CLI's own environment, then each secret in the
 * order given, then each template. A variable set twice, or that overrides an inherited
 * one, is reported on stderr by name (never by value) unless `-q`.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { SecretScope } from "@strongbox/core";
import type { Command } from "commander";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { templateVariables } from "../templates.js";
import { readTemplate } from "./resolve.js";
import { findSecret, type Runner, scopeOption } from "./shared.js";

const EXAMPLES = `
Examples:
  $ strongbox run --secret db -- psql
  $ strongbox run --secret db,stripe --prefix APP_ -- node server.js
  $ strongbox run -s db -s cache -- sh -c 'echo "connecting as $username"'
  $ strongbox run --template app.env -- node server.js

A template (.env, or a JSON/YAML mapping) sets variables by name; its values may hold
{{name.key}} references, resolved for you (DATABASE_URL='postgres://{{db.user}}:{{db.password}}@db/app').
Every missing reference is listed and CMD is not started (exit code 3).

Keys become variables as they are (db's "password" is $password; with --prefix DB_, $DB_password).
Later secrets win over earlier ones and over the inherited environment; templates win over
secrets (--prefix does not apply to them). Each such collision is reported on stderr by name.
CMD gets SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGUSR2 sent to strongbox, and strongbox exits
with CMD's exit code (128 + signal number if a signal killed it; 127 if CMD was not found, 126
if it could not be executed).
`;

const FORWARDED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR2"];
const ENV_PREFIX = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

interface RunFlags {
	secret?: string[];
	template?: string[];
	prefix?: string;
	scope?: SecretScope;
	format?: string;
}

function collectNames(value: string, previous: string[] = []): string[] {
	return [
		...previous,
		...value
			.split(",")
			.map((name) => name.trim())
			.filter((name) => name !== ""),
	];
}

/** Builds the child's environment; reports collisions by variable name. */
export async function buildEnvironment(
	context: Context,
	names: readonly string[],
	flags: RunFlags,
): Promise<Record<string, string | undefined>> {
	// Templates are read and checked before anything is asked of the backend.
	const templates = [];
	for (const file of flags.template ?? []) {
		const template = await readTemplate(context, file, flags.format);
		templates.push({
			origin: `template ${file}`,
			variables: templateVariables(template.data, `Template \`${file}\``),
		});
	}
	const backend = await context.backend();
	const env: Record<string, string | undefined> = { ...context.io.env };
	const origin = new Map<string, string>();
	const set = (variable: string, value: string, from: string) => {
		const previous = origin.get(variable);
		if (previous !== undefined) {
			context.out.warn(`$${variable} from ${previous} is overridden by ${from}.`);
		} else if (env[variable] !== undefined) {
			context.out.warn(`$${variable} from the environment is overridden by ${from}.`);
		}
		origin.set(variable, from);
		env[variable] = value;
	};
	for (const name of names) {
		const secret = await findSecret(context, backend, name, flags);
		for (const key of Object.keys(secret.values).sort()) {
			set(`${flags.prefix ?? ""}${key}`, secret.values[key]!, `\`${name}\``);
		}
	}
	for (const { origin: from, variables } of templates) {
		const resolved = (await backend.resolve(variables)).document as Record<string, string>;
		for (const [variable, value] of Object.entries(resolved)) set(variable, value, from);
	}
	return env;
}

/** Runs the command; resolves with the exit code strongbox should exit with. */
export function runChild(
	command: string,
	args: readonly string[],
	env: Record<string, string | undefined>,
	context: Context,
): Promise<number> {
	return new Promise((resolve) => {
		const child = spawn(command, args, { stdio: "inherit", env });
		const forward = (signal: NodeJS.Signals) => {
			// A terminal's Ctrl-C reaches the child too (same process group); it then gets
			// SIGINT twice, which programs treat as one interrupt.
			child.kill(signal);
		};
		for (const signal of FORWARDED) process.on(signal, forward);
		const done = (code: number) => {
			for (const signal of FORWARDED) process.off(signal, forward);
			resolve(code);
		};
		child.on("error", (error: NodeJS.ErrnoException) => {
			if (error.code === "ENOENT") {
				context.out.error(`error: command not found: ${command}\n`);
				done(127);
			} else {
				context.out.error(`error: cannot run ${command} (${error.code ?? "failed"}).\n`);
				done(126);
			}
		});
		child.on("exit", (code, signal) => {
			if (signal) done(128 + (constants.signals[signal] ?? 0));
			else done(code ?? 1);
		});
	});
}

/** Registers `run`. */
export function registerRun(program: Command, run: Runner): void {
	program
		.command("run")
		.description("run a command with secrets as environment variables")
		.argument("[command...]", "the command and its arguments (after --)")
		.option("-s, --secret <names>", "secret name(s), comma-separated or repeated", collectNames)
		.option(
			"-t, --template <file>",
			"a .env, JSON or YAML file of variables whose values may hold {{name.key}} references (repeatable)",
			(value: string, previous: string[] = []) => [...previous, value],
		)
		.option(
			"--format <format>",
			"format of the templates: env, json or yaml (default: from the extension)",
		)
		.option("--prefix <prefix>", "prepend this to every variable name taken from a secret")
		.addOption(scopeOption("look only in this scope"))
		.addHelpText("after", EXAMPLES)
		.action(
			run(async (context, command) => {
				const flags = command.opts<RunFlags>();
				const names = flags.secret ?? [];
				if (names.length === 0 && (flags.template ?? []).length === 0)
					throw new UsageError(
						"Name at least one secret or template: --secret NAME[,NAME…] or --template FILE.",
					);
				if ((flags.template ?? []).includes("-")) {
					throw new UsageError(
						"A template of `run` must be a file: standard input belongs to the command.",
					);
				}
				if (flags.prefix !== undefined && !ENV_PREFIX.test(flags.prefix)) {
					throw new UsageError(
						"--prefix must be letters, digits and '_' (not starting with a digit), at most 64.",
					);
				}
				const argv = context.passthrough.length > 0 ? context.passthrough : command.args;
				if (context.passthrough.length > 0 && command.args.length > 0) {
					throw new UsageError("Put the whole command after `--`.");
				}
				if (argv.length === 0)
					throw new UsageError(
						"Give the command to run after `--`: strongbox run --secret NAME -- CMD ARGS….",
					);
				const env = await buildEnvironment(context, names, flags);
				// The child may run for hours: release the database or connection first.
				await context.close();
				return runChild(argv[0]!, argv.slice(1), env, context);
			}),
		);
}
