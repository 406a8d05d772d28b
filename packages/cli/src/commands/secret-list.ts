/**
 * `strongbox secret list [--name OP:TEXT] [--scope S] [--sort FIELD[:desc]] [--page N] [--size N]`
 */
import type { SecretFilter, SecretScope, SortField } from "@strongbox/core";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { formatDate, metadataJson, table } from "../table.js";
import { integerOption, noPassthrough, type Runner, scopeOption } from "./shared.js";

const EXAMPLES = `
Examples:
  $ strongbox secret list
  $ strongbox secret list --name startswith:prod- --sort updatedAt:desc
  $ strongbox secret list --scope user --json
  $ strongbox secret list --updated-after 2026-01-01T00:00:00Z --page 2 --size 50
`;

const MAX_KEYS_SHOWN = 48;

interface ListFlags {
	name?: string;
	scope?: SecretScope;
	sort?: string;
	page?: number;
	size?: number;
	createdAfter?: string;
	createdBefore?: string;
	updatedAfter?: string;
	updatedBefore?: string;
}

/** Parses `--sort name|createdAt|updatedAt[:asc|:desc]`. */
export function parseSort(value: string): Pick<SecretFilter, "sortBy" | "sortOrder"> {
	const [field, order, ...rest] = value.split(":");
	const fields: Record<string, SortField> = {
		name: "name",
		createdat: "createdAt",
		created: "createdAt",
		updatedat: "updatedAt",
		updated: "updatedAt",
	};
	const sortBy = fields[(field ?? "").toLowerCase()];
	if (!sortBy || rest.length > 0 || (order !== undefined && order !== "asc" && order !== "desc")) {
		throw new UsageError(
			"--sort must be name, createdAt or updatedAt, optionally followed by :asc or :desc.",
		);
	}
	return { sortBy, ...(order === undefined ? {} : { sortOrder: order }) };
}

function shortKeys(keys: readonly string[]): string {
	const all = keys.join(",");
	return all.length <= MAX_KEYS_SHOWN ? all : `${all.slice(0, MAX_KEYS_SHOWN - 1)}…`;
}

/** Registers `secret list`. */
export function registerList(secret: Command, run: Runner): void {
	secret
		.command("list")
		.alias("ls")
		.description("list secrets (names, scopes and keys; never values)")
		.option("--name <filter>", "name filter: NAME, or equals:|contains:|startswith:|endswith: TEXT")
		.addOption(scopeOption("only this scope"))
		.option("--sort <field>", "name, createdAt or updatedAt, with :asc (default) or :desc")
		.option("--page <n>", "page number, from 1", integerOption("--page", 1))
		.option("--size <n>", "secrets per page (default 20, at most 1000)", integerOption("--size", 1))
		.option("--created-after <time>", "created at or after (ISO 8601 with a time zone)")
		.option("--created-before <time>", "created before (ISO 8601 with a time zone)")
		.option("--updated-after <time>", "updated at or after (ISO 8601 with a time zone)")
		.option("--updated-before <time>", "updated before (ISO 8601 with a time zone)")
		.addHelpText("after", EXAMPLES)
		.action(
			run(async (context, command) => {
				noPassthrough(context);
				const flags = command.opts<ListFlags>();
				const filter: SecretFilter = {
					...(flags.name === undefined ? {} : { name: flags.name }),
					...(flags.scope === undefined ? {} : { scope: flags.scope }),
					...(context.workspace === undefined ? {} : { workspace: context.workspace }),
					...(flags.sort === undefined ? {} : parseSort(flags.sort)),
					...(flags.page === undefined ? {} : { page: flags.page }),
					...(flags.size === undefined ? {} : { size: flags.size }),
					...(flags.createdAfter === undefined ? {} : { createdAfter: flags.createdAfter }),
					...(flags.createdBefore === undefined ? {} : { createdBefore: flags.createdBefore }),
					...(flags.updatedAfter === undefined ? {} : { updatedAfter: flags.updatedAfter }),
					...(flags.updatedBefore === undefined ? {} : { updatedBefore: flags.updatedBefore }),
				};
				const backend = await context.backend();
				const page = await backend.secrets.listSecrets(filter);
				if (context.out.json) {
					context.out.result({
						items: page.items.map(metadataJson),
						page: page.page,
						size: page.size,
						total: page.total,
						totalPages: page.totalPages,
					});
					return 0;
				}
				if (page.items.length === 0) {
					context.out.status(
						page.total > 0
							? `No secrets on page ${page.page}; there are ${page.totalPages} page(s).`
							: "No secrets found.",
					);
					return 0;
				}
				context.out.data(
					table(
						["NAME", "SCOPE", "WORKSPACE", "VERSION", "UPDATED", "KEYS"],
						page.items.map((item) => [
							item.name,
							item.scope,
							item.workspace,
							String(item.version),
							formatDate(item.updatedAt),
							shortKeys(item.keys),
						]),
					),
				);
				if (page.totalPages > 1) {
					context.out.status(
						`Page ${page.page} of ${page.totalPages} (${page.total} secrets).${page.page < page.totalPages ? ` Next: --page ${page.page + 1}` : ""}`,
					);
				}
				return 0;
			}),
		);
}
