/**
 * `strongbox secret update NAME --KEY=VALUE … [--remove-key K …] [--expected-version N]`:
 * values are merged (keys given are set, keys removed are dropped, the rest is kept).
 */
import type { SecretScope, SecretValuesPatch } from "@strongbox/core";
import { type Command, Option } from "commander";
import { KeyNotFoundError, UsageError } from "../errors.js";
import { metadataJson, plural } from "../table.js";
import { collectValues, splitArgs } from "../values.js";
import {
	addLookupOptions,
	expectedVersionOption,
	findMetadata,
	type LookupFlags,
	noPassthrough,
	type Runner,
} from "./shared.js";

const EXAMPLES = `
Examples:
  $ strongbox secret update db --password=@./new-password.txt
  $ strongbox secret update db --remove-key old_password --expected-version 3
  $ strongbox secret update db --values '{"host": "db.internal", "legacy": null}'   # null removes
  $ strongbox secret update mine --new-scope workspace
`;

interface UpdateFlags extends LookupFlags {
	interactive?: boolean;
	values?: string;
	removeKey?: string[];
	newScope?: SecretScope;
}

function collect(value: string, previous: string[] = []): string[] {
	return [...previous, value];
}

/** Registers `secret update`. */
export function registerUpdate(secret: Command, run: Runner): void {
	addLookupOptions(
		secret
			.command("update")
			.description("change a secret's values (merged) or scope")
			.argument("<name>", "secret name (or id with --id)")
			.argument("[values...]", "KEY=VALUE pairs, as for create")
			.option("-i, --interactive", "prompt for keys and values (values are not echoed)")
			.option("--values <doc>", "a JSON or YAML mapping (null removes a key), or @file, or @-")
			.option("--remove-key <key>", "remove this key (repeatable)", collect)
			.addOption(
				new Option("--new-scope <scope>", "move the secret to this scope").choices([
					"workspace",
					"user",
				]),
			)
			.addOption(expectedVersionOption())
			.allowUnknownOption(),
	)
		.addHelpText("after", EXAMPLES)
		.action(
			run(async (context, command) => {
				noPassthrough(context);
				const flags = command.opts<UpdateFlags>();
				const { positionals, pairs } = splitArgs(command.args, 1);
				const ref = positionals[0];
				if (ref === undefined)
					throw new UsageError(
						"Give the secret's name first: strongbox secret update NAME --KEY=VALUE.",
					);
				const { values, given } = await collectValues(
					{
						pairs,
						valuesOption: flags.values,
						interactive: flags.interactive,
						removeKeys: flags.removeKey ?? [],
						update: true,
					},
					context.io,
				);
				if (!given && flags.newScope === undefined) {
					throw new UsageError(
						"Nothing to update: give --KEY=VALUE, --values, -i, --remove-key or --new-scope.",
					);
				}
				const backend = await context.backend();
				const current = await findMetadata(context, backend, ref, flags);
				for (const key of flags.removeKey ?? []) {
					if (!current.keys.includes(key)) {
						throw new KeyNotFoundError(
							`Secret \`${current.name}\` has no key \`${key}\` to remove.`,
						);
					}
				}
				const updated = await backend.secrets.updateSecret(current.id, {
					...(given ? { values: values as SecretValuesPatch } : {}),
					...(flags.newScope === undefined ? {} : { scope: flags.newScope }),
					...(flags.expectedVersion === undefined
						? {}
						: { expectedVersion: flags.expectedVersion }),
				});
				if (context.out.json) {
					context.out.result(metadataJson(updated));
				} else {
					const set = Object.keys(values).filter((key) => values[key] !== null);
					const removed = Object.keys(values).filter((key) => values[key] === null);
					const parts = [
						...(set.length > 0 ? [`set ${set.join(", ")}`] : []),
						...(removed.length > 0 ? [`removed ${removed.join(", ")}`] : []),
						...(flags.newScope === undefined ? [] : [`moved to ${flags.newScope} scope`]),
					];
					context.out.status(
						`Updated secret \`${updated.name}\`: ${parts.join("; ")} (version ${updated.version}, ${plural(updated.keys.length, "key")}).`,
					);
				}
				return 0;
			}),
		);
}
