/**
 * `strongbox secret delete NAME [-y]`: asks for confirmation on a terminal; refuses
 * without `-y` when there is no terminal to ask on.
 */
import type { Command } from "commander";
import { CliError, UsageError } from "../errors.js";
import { canPrompt, confirm } from "../prompt.js";
import { describeScope, plural } from "../table.js";
import {
	addLookupOptions,
	expectedVersionOption,
	findMetadata,
	type LookupFlags,
	noPassthrough,
	type Runner,
} from "./shared.js";

/** The user answered no at the confirmation prompt. */
export class CancelledError extends CliError {
	override readonly code = "CANCELLED";
}

interface DeleteFlags extends LookupFlags {
	yes?: boolean;
}

/** Registers `secret delete`. */
export function registerDelete(secret: Command, run: Runner): void {
	addLookupOptions(
		secret
			.command("delete")
			.alias("rm")
			.description("delete a secret and its values (cannot be undone)")
			.argument("<name>", "secret name (or id with --id)")
			.option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)")
			.addOption(expectedVersionOption()),
	).action(
		run(async (context, command) => {
			noPassthrough(context);
			const ref = command.args[0]!;
			const flags = command.opts<DeleteFlags>();
			if (!flags.yes && !canPrompt(context.io)) {
				throw new UsageError(
					"Refusing to delete without confirmation: stdin is not a terminal. Pass -y to delete.",
				);
			}
			const backend = await context.backend();
			const current = await findMetadata(context, backend, ref, flags);
			if (!flags.yes) {
				const ok = await confirm(
					context.io,
					`Delete secret \`${current.name}\` (${describeScope(current)}, ${plural(current.keys.length, "key")})? This cannot be undone.`,
				);
				if (!ok) throw new CancelledError("Not deleted.");
			}
			// After a prompt, delete exactly what was confirmed: a change meanwhile is a conflict.
			const expectedVersion = flags.expectedVersion ?? (flags.yes ? undefined : current.version);
			await backend.secrets.deleteSecret(
				current.id,
				expectedVersion === undefined ? {} : { expectedVersion },
			);
			if (context.out.json)
				context.out.result({ deleted: true, id: current.id, name: current.name });
			else context.out.status(`Deleted secret \`${current.name}\`.`);
			return 0;
		}),
	);
}
