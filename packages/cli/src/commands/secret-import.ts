/**
 * `strongbox secret import FILE [--name NAME] [--format F] [--update]`: .env, JSON or
 * YAML; one secret per file, or a map of secrets (see import-plan.ts). Existing secrets
 * are an error unless `--update`, which merges the file's values into them.
 */
import { SecretExistsError, type SecretMetadata, type SecretScope } from "@strongbox/core";
import type { Command } from "commander";
import { parseFormat } from "../formats.js";
import { readStdin, readTextFile } from "../read.js";
import { metadataJson, plural } from "../table.js";
import { planImport } from "./import-plan.js";
import { noPassthrough, type Runner, scopeOption } from "./shared.js";

const MAX_IMPORT_BYTES = 16 * 1024 * 1024;

const EXAMPLES = `
What a file holds:
  .env                        one secret (name from --name, else the file name: db.env → db)
  JSON/YAML key → value       one secret, the same way
  JSON/YAML name → mapping    one secret per top-level name (--name not allowed)
  JSON from \`secret get --json --reveal\`   that secret (its name unless --name)

Examples:
  $ strongbox secret import .env --name web
  $ strongbox secret import db.env --update
  $ strongbox secret import all-secrets.yaml
  $ cat prod.json | strongbox secret import - --name prod --format json
`;

interface ImportFlags {
	name?: string;
	format?: string;
	update?: boolean;
	scope?: SecretScope;
}

/** Registers `secret import`. */
export function registerImport(secret: Command, run: Runner): void {
	secret
		.command("import")
		.description("create (or with --update, update) secrets from a .env, JSON or YAML file")
		.argument("<file>", "the file, or - for stdin")
		.option("--name <name>", "the secret's name (single-secret files)")
		.option("--format <format>", "env, json or yaml (default: from the extension, else detected)")
		.option("--update", "merge into secrets that already exist instead of failing")
		.addOption(scopeOption("scope of the secrets (default workspace)"))
		.addHelpText("after", EXAMPLES)
		.action(
			run(async (context, command) => {
				noPassthrough(context);
				const file = command.args[0]!;
				const flags = command.opts<ImportFlags>();
				const format = flags.format === undefined ? undefined : parseFormat(flags.format);
				if (file === "-" && context.io.stdin.isTTY) {
					context.io.stderr.write("Reading the file from the terminal; end with Ctrl-D.\n");
				}
				const text =
					file === "-"
						? await readStdin(context.io.stdin, MAX_IMPORT_BYTES)
						: await readTextFile(file, context.io.cwd, MAX_IMPORT_BYTES);
				const plan = planImport(text, file, format, flags.name);
				const source = file === "-" ? "stdin" : file;
				context.out.status(
					`Read ${plural(plan.secrets.length, "secret")} from ${source} (${plan.format}, ${plan.shape === "single" ? "one secret" : "a map of secrets by name"}).`,
				);
				const backend = await context.backend();
				const created: SecretMetadata[] = [];
				const updated: SecretMetadata[] = [];
				const workspace = context.workspace === undefined ? {} : { workspace: context.workspace };
				for (const secret of plan.secrets) {
					try {
						created.push(
							await backend.secrets.createSecret({
								name: secret.name,
								values: secret.values,
								...(flags.scope === undefined ? {} : { scope: flags.scope }),
								...workspace,
							}),
						);
						context.out.status(
							`  created \`${secret.name}\` (${plural(Object.keys(secret.values).length, "key")})`,
						);
					} catch (error) {
						if (!(error instanceof SecretExistsError) || !flags.update) {
							if (created.length + updated.length > 0) {
								context.out.warn(
									`stopped after ${created.length} created and ${updated.length} updated.`,
								);
							}
							throw error;
						}
						const current = await backend.secrets.getSecretMetadataByName(secret.name, {
							scope: flags.scope ?? "workspace",
							...workspace,
						});
						updated.push(await backend.secrets.updateSecret(current.id, { values: secret.values }));
						context.out.status(
							`  updated \`${secret.name}\` (${plural(Object.keys(secret.values).length, "key")} set)`,
						);
					}
				}
				if (context.out.json) {
					context.out.result({
						source,
						format: plan.format,
						shape: plan.shape,
						created: created.map(metadataJson),
						updated: updated.map(metadataJson),
					});
				}
				return 0;
			}),
		);
}
