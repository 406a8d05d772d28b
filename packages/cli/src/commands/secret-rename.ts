/**
 * `strongbox secret rename OLD NEW`: the values are not touched.
 */
import type { Command } from "commander";
import { metadataJson } from "../table.js";
import {
	addLookupOptions,
	expectedVersionOption,
	findMetadata,
	type LookupFlags,
	noPassthrough,
	type Runner,
} from "./shared.js";

/** Registers `secret rename`. */
export function registerRename(secret: Command, run: Runner): void {
	addLookupOptions(
		secret
			.command("rename")
			.alias("mv")
			.description("rename a secret (its values and id stay the same)")
			.argument("<old>", "current name (or id with --id)")
			.argument("<new>", "new name")
			.addOption(expectedVersionOption()),
	).action(
		run(async (context, command) => {
			noPassthrough(context);
			const [ref, name] = command.args as [string, string];
			const flags = command.opts<LookupFlags>();
			const backend = await context.backend();
			const current = await findMetadata(context, backend, ref, flags);
			const renamed = await backend.secrets.updateSecret(current.id, {
				name,
				...(flags.expectedVersion === undefined ? {} : { expectedVersion: flags.expectedVersion }),
			});
			if (context.out.json) context.out.result(metadataJson(renamed));
			else
				context.out.status(
					`Renamed secret \`${current.name}\` to \`${renamed.name}\` (version ${renamed.version}).`,
				);
			return 0;
		}),
	);
}
