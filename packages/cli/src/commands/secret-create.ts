/**
 * `strongbox secret create NAME --KEY=VALUE … [-i] [--scope user|workspace] [--values DOC]`
 */
import type { SecretScope, SecretValues } from "@strongbox/core";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { describeScope, metadataJson, plural } from "../table.js";
import { collectValues, splitArgs } from "../values.js";
import { noPassthrough, type Runner, scopeOption } from "./shared.js";

const EXAMPLES = `
Values:
  --KEY=VALUE or KEY=VALUE   a value (KEY=VALUE also works for keys named like an option)
  --KEY=@path                the content of a file (at most 64 KiB, UTF-8, kept byte for byte)
  --KEY=@-                   standard input (once per command)
  --KEY=@@text               a literal value starting with "@"

Examples:
  $ strongbox secret create db --username=app --password=@./db-password.txt
  $ printf %s "$TOKEN" | strongbox secret create github --token=@-
  $ strongbox secret create stripe --values '{"key": "sk_live_..."}'
  $ strongbox secret create mine -i --scope user
`;

/** Registers `secret create`. */
export function registerCreate(secret: Command, run: Runner): void {
	secret
		.command("create")
		.description("create a secret from KEY=VALUE pairs, a JSON/YAML document, files or prompts")
		.argument("<name>", "secret name: 1–255 letters, digits, '-' and '_'")
		.argument("[values...]", "KEY=VALUE pairs (see below)")
		.option("-i, --interactive", "prompt for keys and values (values are not echoed)")
		.option("--values <doc>", "a JSON or YAML mapping of key → value, or @file, or @- (stdin)")
		.addOption(scopeOption("workspace (shared, default) or user (private to you)"))
		.allowUnknownOption()
		.addHelpText("after", EXAMPLES)
		.action(
			run(async (context, command) => {
				noPassthrough(context);
				const options = command.opts<{
					interactive?: boolean;
					values?: string;
					scope?: SecretScope;
				}>();
				const { positionals, pairs } = splitArgs(command.args, 1);
				const name = positionals[0];
				if (name === undefined) {
					throw new UsageError(
						"Give the secret's name first: strongbox secret create NAME --KEY=VALUE.",
					);
				}
				const { values, given } = await collectValues(
					{ pairs, valuesOption: options.values, interactive: options.interactive },
					context.io,
				);
				if (!given) {
					throw new UsageError("Give at least one value: --KEY=VALUE, --values DOC or -i.");
				}
				const backend = await context.backend();
				const created = await backend.secrets.createSecret({
					name,
					values: values as SecretValues,
					...(options.scope === undefined ? {} : { scope: options.scope }),
					...(context.workspace === undefined ? {} : { workspace: context.workspace }),
				});
				if (context.out.json) context.out.result(metadataJson(created));
				else
					context.out.status(
						`Created secret \`${created.name}\` (${describeScope(created)}) with ${plural(created.keys.length, "key")}: ${created.keys.join(", ")}.`,
					);
				return 0;
			}),
		);
}
