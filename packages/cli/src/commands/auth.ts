/**
 * `strongbox login URL [--token T]`, `logout` and `whoami`. The login is checked
 * against the server (whoami) before it is saved in `<home>/credentials.json` (0600).
 */
import type { Command } from "commander";
import { openRemote } from "../backend/remote.js";
import type { Identity } from "../backend/types.js";
import { type Context, truthy } from "../context.js";
import {
	deleteCredentials,
	isLoopback,
	normalizeUrl,
	readCredentials,
	writeCredentials,
} from "../credentials.js";
import { UsageError } from "../errors.js";
import { canPrompt, promptLine } from "../prompt.js";
import { readStdin } from "../read.js";
import { fields } from "../table.js";
import { noPassthrough, type Runner } from "./shared.js";

const MAX_TOKEN_BYTES = 4096;

const LOGIN_EXAMPLES = `
The token is taken from --token, else $STRONGBOX_TOKEN, else a hidden prompt (on a terminal)
or standard input. Prefer stdin or the prompt: a --token on the command line stays in your
shell history and is visible to other users in the process list.

Examples:
  $ strongbox login https://secrets.example.com            # prompts for the token
  $ strongbox login https://secrets.example.com < token.txt
  $ STRONGBOX_TOKEN=... strongbox login http://127.0.0.1:8080
`;

async function readToken(context: Context, flag: string | undefined): Promise<string> {
	let token: string;
	if (flag !== undefined && flag !== "-") token = flag;
	else if (flag === undefined && context.io.env.STRONGBOX_TOKEN)
		token = context.io.env.STRONGBOX_TOKEN;
	// From stdin: a hidden prompt on a terminal (typed text would be echoed), else the pipe.
	else if (canPrompt(context.io))
		token = await promptLine(context.io, "Token (hidden): ", { hidden: true });
	else token = await readStdin(context.io.stdin, MAX_TOKEN_BYTES, "The token read from stdin");
	token = token.trim();
	if (token === "") {
		throw new UsageError("No token given: pass --token, set STRONGBOX_TOKEN, or pipe it on stdin.");
	}
	if (/\s/.test(token))
		throw new UsageError("The token contains whitespace; pass the token alone.");
	return token;
}

function printIdentity(context: Context, identity: Identity): void {
	const workspaces =
		identity.workspaces === "*"
			? "all"
			: identity.workspaces.map(({ workspace, role }) => `${workspace} (${role})`).join(", ");
	const rows: [string, string][] = [
		[
			"mode",
			identity.mode === "remote" ? `remote (${identity.url})` : `local (${identity.dataDir})`,
		],
		["user", `${identity.user}${identity.admin ? " (admin)" : ""}`],
		["workspace", identity.workspace],
		["workspaces", workspaces || "-"],
		...(identity.tokenId ? [["token", identity.tokenId] as [string, string]] : []),
	];
	context.out.data(fields(rows));
}

/** Registers `login`, `logout` and `whoami`. */
export function registerAuth(program: Command, run: Runner): void {
	program
		.command("login")
		.description("log in to a Strongbox server: every command then goes through it")
		.argument("<url>", "the server's URL, e.g. https://secrets.example.com")
		.option("--token <token>", "an API token (- reads it from stdin)")
		.addHelpText("after", LOGIN_EXAMPLES)
		.action(
			run(async (context, command) => {
				noPassthrough(context);
				const url = normalizeUrl(command.args[0]!);
				const token = await readToken(context, command.opts<{ token?: string }>().token);
				const insecure = truthy(context.io.env.STRONGBOX_ALLOW_INSECURE_HTTP);
				if (new URL(url).protocol === "http:" && !isLoopback(url) && insecure) {
					context.out.warn(`${url} uses plain http: your token travels unencrypted. Use https.`);
				}
				context.talkingTo(url);
				const backend = await openRemote(
					{ url, token, source: "credentials" },
					{ workspace: context.workspace, allowInsecureHttp: insecure },
				);
				let identity: Identity;
				try {
					identity = await backend.whoami();
				} finally {
					await backend.close();
				}
				const path = await writeCredentials(context.home, {
					url,
					token,
					...(context.workspace === undefined ? {} : { workspace: context.workspace }),
					savedAt: new Date().toISOString(),
				});
				if (context.out.json) {
					context.out.result({
						url,
						user: identity.user,
						workspace: identity.workspace,
						credentials: path,
					});
				} else {
					context.out.status(
						`Logged in to ${url} as ${identity.user} (workspace ${identity.workspace}). Saved to ${path} (mode 0600).`,
					);
				}
				if (context.io.env.STRONGBOX_URL && normalizeUrl(context.io.env.STRONGBOX_URL) !== url) {
					context.out.warn("STRONGBOX_URL is set and still selects its own server.");
				}
				return 0;
			}),
		);

	program
		.command("logout")
		.description("forget the saved login (back to local mode)")
		.action(
			run(async (context) => {
				noPassthrough(context);
				const saved = await readCredentials(context.home).catch(() => undefined);
				const removed = await deleteCredentials(context.home);
				if (context.out.json) context.out.result({ loggedOut: removed, url: saved?.url ?? null });
				else
					context.out.status(
						removed ? `Logged out${saved ? ` of ${saved.url}` : ""}.` : "Not logged in.",
					);
				if (context.io.env.STRONGBOX_URL) {
					context.out.warn("STRONGBOX_URL is set: commands still go to that server.");
				}
				return 0;
			}),
		);

	program
		.command("whoami")
		.description("show who the CLI acts as, and where (local data directory or server)")
		.action(
			run(async (context) => {
				noPassthrough(context);
				const backend = await context.backend();
				const identity = await backend.whoami();
				if (context.out.json) context.out.result(identity);
				else printIdentity(context, identity);
				return 0;
			}),
		);
}
