/**
 * `strongbox secret export NAME [--format env|json|yaml] [--output FILE]`: an explicit
 * request for the values, so they are written in clear (files 0600).
 */
import type { Command } from "commander";
import { Option } from "commander";
import { type Format, formatFromPath, formatValues, parseFormat } from "../formats.js";
import { plural } from "../table.js";
import { writePrivateFile } from "../write.js";
import {
	addLookupOptions,
	findSecret,
	type LookupFlags,
	noPassthrough,
	type Runner,
} from "./shared.js";

const EXAMPLES = `
Examples:
  $ strongbox secret export db > db.env            # dotenv (the default)
  $ strongbox secret export db --format yaml --output db.yaml
  $ strongbox secret export db --output db.json    # format from the extension

Files are written with mode 0600. Printing values to a terminal shows a warning (-q hides it).
The .env output quotes values so that dotenv (and \`secret import\`) read them back exactly;
a value that no .env quoting can carry (both quote kinds and a newline) is refused: use json or yaml.
`;

interface ExportFlags extends LookupFlags {
	format?: string;
	output?: string;
	force?: boolean;
}

/** Registers `secret export`. */
export function registerExport(secret: Command, run: Runner): void {
	addLookupOptions(
		secret
			.command("export")
			.description("write a secret's values as .env, JSON or YAML (values in clear)")
			.argument("<name>", "secret name (or id with --id)")
			.addOption(
				new Option(
					"--format <format>",
					"env, json or yaml (default: from --output's extension, else env)",
				),
			)
			.option("-o, --output <file>", "write to this file (mode 0600) instead of stdout")
			.option("--force", "overwrite --output if it exists"),
	)
		.addHelpText("after", EXAMPLES)
		.action(
			run(async (context, command) => {
				noPassthrough(context);
				const ref = command.args[0]!;
				const flags = command.opts<ExportFlags>();
				const format: Format =
					flags.format !== undefined
						? parseFormat(flags.format)
						: ((flags.output === undefined ? undefined : formatFromPath(flags.output)) ?? "env");
				const backend = await context.backend();
				const found = await findSecret(context, backend, ref, flags);
				const text = formatValues(found.values, format);
				const keys = Object.keys(found.values).sort();
				if (flags.output !== undefined) {
					const path = await writePrivateFile(
						flags.output,
						context.io.cwd,
						text,
						flags.force === true,
					);
					if (context.out.json)
						context.out.result({ name: found.name, id: found.id, format, file: path, keys });
					else
						context.out.status(
							`Wrote ${plural(keys.length, "key")} of \`${found.name}\` to ${flags.output} (${format}, mode 0600).`,
						);
					return 0;
				}
				if (context.out.stdoutIsTTY)
					context.out.warn(`printing the values of \`${found.name}\` to the terminal.`);
				if (context.out.json)
					context.out.result({ name: found.name, id: found.id, format, content: text });
				else context.out.data(text);
				return 0;
			}),
		);
}
