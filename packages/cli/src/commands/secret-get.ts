/**
 * `strongbox secret get NAME [--key K] [--reveal] [--id]`: values masked unless
 * `--reveal`; without `--reveal` no value is even read (metadata only).
 */
import { MASK, type SecretMetadata } from "@strongbox/core";
import type { Command } from "commander";
import { KeyNotFoundError } from "../errors.js";
import { describeScope, fields, formatDate, metadataJson, table } from "../table.js";
import {
	addLookupOptions,
	findMetadata,
	findSecret,
	type LookupFlags,
	noPassthrough,
	type Runner,
} from "./shared.js";

const EXAMPLES = `
Examples:
  $ strongbox secret get db                      # keys, values masked
  $ strongbox secret get db --reveal             # keys and values
  $ strongbox secret get db --key password --reveal   # the raw value only, for scripts
  $ export PGPASSWORD="$(strongbox secret get db --key password --reveal)"

With --key and --reveal the value is printed exactly, followed by a newline only when
stdout is a terminal (like \`vault kv get -field\`).
`;

interface GetFlags extends LookupFlags {
	key?: string;
	reveal?: boolean;
}

function header(secret: SecretMetadata): string {
	return fields([
		["name", secret.name],
		["id", secret.id],
		["scope", describeScope(secret)],
		...(secret.owner ? [["owner", secret.owner] as const] : []),
		["version", String(secret.version)],
		["created", formatDate(secret.createdAt)],
		["updated", formatDate(secret.updatedAt)],
		["backend", secret.backend],
	]);
}

/** Registers `secret get`. */
export function registerGet(secret: Command, run: Runner): void {
	addLookupOptions(
		secret
			.command("get")
			.description("show a secret: its metadata and keys, values masked unless --reveal")
			.argument("<name>", "secret name (or id with --id)")
			.option("--key <key>", "only this key")
			.option("--reveal", "show values in clear"),
	)
		.addHelpText("after", EXAMPLES)
		.action(
			run(async (context, command) => {
				noPassthrough(context);
				const ref = command.args[0]!;
				const flags = command.opts<GetFlags>();
				const backend = await context.backend();
				if (!flags.reveal) {
					const metadata = await findMetadata(context, backend, ref, flags);
					const keys = flags.key === undefined ? metadata.keys : [flags.key];
					if (flags.key !== undefined && !metadata.keys.includes(flags.key)) {
						throw new KeyNotFoundError(`Secret \`${metadata.name}\` has no key \`${flags.key}\`.`);
					}
					if (context.out.json) {
						context.out.result({
							...metadataJson(metadata),
							values: Object.fromEntries(keys.map((key) => [key, MASK])),
						});
					} else {
						context.out.data(`${header(metadata)}\n`);
						context.out.data(
							table(
								["KEY", "VALUE"],
								keys.map((key) => [key, MASK]),
							),
						);
						context.out.status("Values are masked; add --reveal to show them.");
					}
					return 0;
				}
				const found = await findSecret(context, backend, ref, flags);
				if (flags.key !== undefined) {
					if (!Object.hasOwn(found.values, flags.key)) {
						throw new KeyNotFoundError(`Secret \`${found.name}\` has no key \`${flags.key}\`.`);
					}
					const value = found.values[flags.key]!;
					if (context.out.json)
						context.out.result({ name: found.name, id: found.id, key: flags.key, value });
					else context.out.data(context.out.stdoutIsTTY ? `${value}\n` : value);
					return 0;
				}
				if (context.out.json) {
					context.out.result({ ...metadataJson(found), values: { ...found.values } });
				} else {
					context.out.data(`${header(found)}\n`);
					context.out.data(
						table(
							["KEY", "VALUE"],
							Object.keys(found.values)
								.sort()
								.map((key) => [key, found.values[key]!]),
						),
					);
				}
				return 0;
			}),
		);
}
