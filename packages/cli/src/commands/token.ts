/**
 * `strongbox token create [--name N] [--expires 30d] | list | revoke ID` (remote mode).
 */
import type { Command } from "commander";
import type { TokenInfo } from "../backend/types.js";
import { UsageError } from "../errors.js";
import { formatDate, table } from "../table.js";
import { noPassthrough, type Runner } from "./shared.js";

const UNITS: Record<string, number> = {
	s: 1,
	m: 60,
	h: 3600,
	d: 86_400,
	w: 604_800,
	y: 31_536_000,
};

/** Parses `90s`, `15m`, `12h`, `30d`, `2w`, `1y` into seconds. */
export function parseDuration(value: string): number {
	const match = /^(\d{1,6})([smhdwy])$/.exec(value.trim());
	if (!match)
		throw new UsageError("--expires must be a number and a unit: s, m, h, d, w or y (e.g. 30d).");
	const seconds = Number(match[1]) * UNITS[match[2]!]!;
	if (seconds <= 0) throw new UsageError("--expires must be more than zero.");
	return seconds;
}

const NAME = /^[\w .@:-]{1,100}$/;

/** A token's metadata as the stable `--json` shape (dates as ISO strings). */
export function tokenJson(info: TokenInfo): Record<string, unknown> {
	const iso = (date: Date | string | null) => (date === null ? null : new Date(date).toISOString());
	return {
		id: info.id,
		name: info.name,
		user: info.user,
		createdBy: info.createdBy,
		createdAt: iso(info.createdAt),
		expiresAt: iso(info.expiresAt),
		revokedAt: iso(info.revokedAt),
		lastUsedAt: iso(info.lastUsedAt),
	};
}

/** Registers `token create|list|revoke`. */
export function registerToken(program: Command, run: Runner): void {
	const token = program
		.command("token")
		.description("manage your API tokens on the server (remote mode)");

	token
		.command("create")
		.description("create an API token; it is printed once, on stdout")
		.option("--name <name>", "a label for the token (default cli-<date>)")
		.option(
			"--expires <duration>",
			"lifetime: 30d, 12h, 1y... (default: the server's)",
			parseDuration,
		)
		.addHelpText(
			"after",
			"\nExample:\n  $ strongbox token create --name ci --expires 90d > ci-token.txt\n",
		)
		.action(
			run(async (context, command) => {
				noPassthrough(context);
				const flags = command.opts<{ name?: string; expires?: number }>();
				if (flags.name !== undefined && !NAME.test(flags.name)) {
					throw new UsageError("--name must be 1–100 letters, digits, spaces and '_.@:-'.");
				}
				const backend = await context.backend();
				const created = await backend.tokens().create({
					name: flags.name ?? `cli-${formatDate(new Date())}`,
					...(flags.expires === undefined ? {} : { expiresInSeconds: flags.expires }),
				});
				const { info } = created;
				if (context.out.json) {
					context.out.result({ token: created.token, info: tokenJson(info) });
				} else {
					context.out.data(`${created.token}\n`);
					context.out.status(
						`Created token ${info.id} (${info.name}) for ${info.user}, expires ${info.expiresAt ? formatDate(info.expiresAt) : "never"}. It is shown only this once.`,
					);
				}
				return 0;
			}),
		);

	token
		.command("list")
		.alias("ls")
		.description("list your API tokens (never the tokens themselves)")
		.action(
			run(async (context) => {
				noPassthrough(context);
				const backend = await context.backend();
				const items = await backend.tokens().list();
				if (context.out.json) {
					context.out.result({ items: items.map(tokenJson) });
					return 0;
				}
				if (items.length === 0) {
					context.out.status("No tokens.");
					return 0;
				}
				context.out.data(
					table(
						["ID", "NAME", "USER", "CREATED", "EXPIRES", "LAST USED", "STATUS"],
						items.map((item) => [
							item.id,
							item.name,
							item.user,
							formatDate(item.createdAt),
							item.expiresAt ? formatDate(item.expiresAt) : "never",
							item.lastUsedAt ? formatDate(item.lastUsedAt) : "-",
							item.revokedAt
								? "revoked"
								: item.expiresAt && new Date(item.expiresAt).getTime() < Date.now()
									? "expired"
									: "active",
						]),
					),
				);
				return 0;
			}),
		);

	token
		.command("revoke")
		.description("revoke an API token by id")
		.argument("<id>", "the token's id (from token list)")
		.action(
			run(async (context, command) => {
				noPassthrough(context);
				const id = command.args[0]!;
				const backend = await context.backend();
				await backend.tokens().revoke(id);
				if (context.out.json) context.out.result({ revoked: true, id });
				else context.out.status(`Revoked token ${id}.`);
				return 0;
			}),
		);
}
