/**
 * `strongbox resolve FILE [--format F] [--check [--level L]] [-o FILE]`: the
 * `{{name.key}}` references of a JSON, YAML or .env template, resolved for the current
 * caller (an explicit request for values, like `secret export`), or only checked.
 */
import {
	type SecretReference,
	VALIDATION_LEVELS,
	type ValidationLevel,
	validationLevelFromEnv,
} from "@strongbox/core";
import type { Command } from "commander";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { parseFormat } from "../formats.js";
import { readStdin, readTextFile } from "../read.js";
import { plural } from "../table.js";
import {
	MAX_TEMPLATE_BYTES,
	parseTemplateText,
	renderTemplate,
	type Template,
	templateFormat,
} from "../templates.js";
import { writePrivateFile } from "../write.js";
import { noPassthrough, type Runner } from "./shared.js";

const EXAMPLES = `
Examples:
  $ strongbox resolve config.yaml > config.resolved.yaml
  $ strongbox resolve app.env --output .env          # written with mode 0600
  $ strongbox resolve deploy.json --check            # reads no value
  $ STRONGBOX_SECRET_VALIDATION_LEVEL=SECRET_EXISTS strongbox resolve deploy.json --check

A reference is {{name.key}} anywhere inside a string value (YAML: quote a value that starts
with {{). \\{{ is a literal {{. Names are looked up in your user scope first, then the
workspace. Every missing secret or key is listed (exit code 3); nothing is printed then.
--check levels: NONE (syntax only), SECRET_EXISTS, SECRET_AND_KEY_EXISTS (default, or
$STRONGBOX_SECRET_VALIDATION_LEVEL); no level reads a value.
`;

interface ResolveFlags {
	format?: string;
	check?: boolean;
	level?: string;
	output?: string;
	force?: boolean;
}

/** Parses `--level` (case-insensitive). */
export function parseLevel(value: string): ValidationLevel {
	const level = value.trim().toUpperCase();
	if (!(VALIDATION_LEVELS as readonly string[]).includes(level)) {
		throw new UsageError(`--level must be one of ${VALIDATION_LEVELS.join(", ")}.`);
	}
	return level as ValidationLevel;
}

/** Reads and parses a template file (`-` for stdin). */
export async function readTemplate(
	context: Context,
	file: string,
	format: string | undefined,
): Promise<Template> {
	const given = format === undefined ? undefined : parseFormat(format);
	const what = file === "-" ? "The template on standard input" : `Template \`${file}\``;
	const text =
		file === "-"
			? await readStdin(context.io.stdin, MAX_TEMPLATE_BYTES, what)
			: await readTextFile(file, context.io.cwd, MAX_TEMPLATE_BYTES, what);
	return parseTemplateText(text, templateFormat(file, text, given), what);
}

function secretCount(references: readonly SecretReference[]): number {
	return new Set(references.map((r) => r.name)).size;
}

function referencesJson(references: readonly SecretReference[]) {
	return references.map(({ reference, name, key, path }) => ({ reference, name, key, path }));
}

/** Registers `resolve`. */
export function registerResolve(program: Command, run: Runner): void {
	program
		.command("resolve")
		.description("resolve the {{name.key}} references of a JSON, YAML or .env file")
		.argument("<file>", "the template, or - for stdin")
		.option("--format <format>", "json, yaml or env (default: from the extension, else detected)")
		.option("--check", "only check that the references resolve; reads no value")
		.option(
			"--level <level>",
			"with --check: NONE, SECRET_EXISTS or SECRET_AND_KEY_EXISTS (default $STRONGBOX_SECRET_VALIDATION_LEVEL, else SECRET_AND_KEY_EXISTS)",
		)
		.option("-o, --output <file>", "write the result to this file (mode 0600) instead of stdout")
		.option("--force", "overwrite --output if it exists")
		.addHelpText("after", EXAMPLES)
		.action(
			run(async (context, command) => {
				noPassthrough(context);
				const file = command.args[0]!;
				const flags = command.opts<ResolveFlags>();
				if (flags.level !== undefined && !flags.check) {
					throw new UsageError("--level applies to --check only.");
				}
				if (flags.check && flags.output !== undefined) {
					throw new UsageError("--check writes nothing: drop --output.");
				}
				const level = flags.check
					? flags.level === undefined
						? validationLevelFromEnv(context.io.env)
						: parseLevel(flags.level)
					: undefined;
				const template = await readTemplate(context, file, flags.format);
				const backend = await context.backend();
				if (flags.check) {
					const outcome = await backend.resolve(template.data, {
						validateOnly: true,
						...(level === undefined ? {} : { level }),
					});
					const checked = outcome.level ?? level!;
					if (context.out.json) {
						context.out.result({
							valid: true,
							level: checked,
							references: referencesJson(outcome.references),
						});
					} else {
						context.out.status(
							`OK: ${plural(outcome.references.length, "reference")} to ${plural(secretCount(outcome.references), "secret")} checked (${checked}).`,
						);
					}
					return 0;
				}
				const outcome = await backend.resolve(template.data);
				const text = renderTemplate(template, outcome.document);
				const summary = `${plural(outcome.references.length, "reference")} to ${plural(secretCount(outcome.references), "secret")}`;
				if (flags.output !== undefined) {
					const path = await writePrivateFile(
						flags.output,
						context.io.cwd,
						text,
						flags.force === true,
					);
					if (context.out.json) {
						context.out.result({
							format: template.format,
							file: path,
							references: referencesJson(outcome.references),
						});
					} else {
						context.out.status(
							`Resolved ${summary} into ${flags.output} (${template.format}, mode 0600).`,
						);
					}
					return 0;
				}
				if (context.out.stdoutIsTTY && outcome.references.length > 0) {
					context.out.warn("printing resolved secret values to the terminal.");
				}
				if (context.out.json) {
					context.out.result({
						format: template.format,
						content: text,
						references: referencesJson(outcome.references),
					});
				} else context.out.data(text);
				return 0;
			}),
		);
}
