/**
 * One CLI run: its global options, its output, and the backend (local or remote) opened
 * on first use and closed at the end.
 */
import type { Logger } from "@strongbox/core";
import { openLocal } from "./backend/local.js";
import { openRemote } from "./backend/remote.js";
import type { Backend } from "./backend/types.js";
import { resolveHome, resolveRemote } from "./credentials.js";
import { type Io, Output } from "./io.js";

/** The options every command accepts. */
export interface GlobalOptions {
	json?: boolean;
	quiet?: boolean;
	home?: string;
	workspace?: string;
	config?: string;
}

/** Opens the backend of a run; replaceable for in-process tests. */
export type BackendOpener = (context: Context) => Promise<Backend>;

/** Whether an environment variable is set to a true value (`1`, `true`, `yes`). */
export function truthy(value: string | undefined): boolean {
	return value !== undefined && ["1", "true", "yes", "on"].includes(value.trim().toLowerCase());
}

/** Whether `STRONGBOX_DEBUG` asks for stacks and debug logs. */
export function debugEnabled(env: Record<string, string | undefined>): boolean {
	return truthy(env.STRONGBOX_DEBUG);
}

function cliLogger(out: Output, debug: boolean): Logger {
	const detail = (fields?: Record<string, unknown>) =>
		debug && fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : "";
	return {
		debug: (message, fields) => {
			if (debug) out.error(`debug: ${message}${detail(fields)}\n`);
		},
		info: (message, fields) => {
			if (debug) out.error(`info: ${message}${detail(fields)}\n`);
		},
		warn: (message, fields) => out.warn(`${message}${detail(fields)}`),
		error: (message, fields) => out.warn(`${message}${detail(fields)}`),
	};
}

/** The default way of opening a backend: a server if logged in (or `STRONGBOX_URL`), else local. */
export const defaultOpener: BackendOpener = async (context) => {
	const remote = await resolveRemote(context.home, context.io.env);
	if (remote) {
		return openRemote(remote, {
			workspace: context.workspace ?? remote.workspace,
			allowInsecureHttp: truthy(context.io.env.STRONGBOX_ALLOW_INSECURE_HTTP),
		});
	}
	return openLocal({
		home: context.home,
		homeFromFlag: context.homeFromFlag,
		configFile: context.configFile,
		env: context.io.env,
		cwd: context.io.cwd,
		logger: context.logger,
		workspace: context.workspace,
	});
};

/** Everything a command needs. */
export class Context {
	readonly out: Output;
	readonly home: string;
	readonly homeFromFlag: boolean;
	/** `--workspace`, when given. */
	readonly workspace: string | undefined;
	readonly configFile: string | undefined;
	readonly debug: boolean;
	readonly logger: Logger;
	/** Arguments after `--` (the command of `strongbox run`). */
	readonly passthrough: readonly string[];
	private opened: Promise<Backend> | undefined;
	private backendValue: Backend | undefined;
	/** A server talked to outside `backend()` (login), for error hints. */
	private serverUrl: string | undefined;

	constructor(
		readonly io: Io,
		globals: GlobalOptions,
		passthrough: readonly string[],
		private readonly opener: BackendOpener,
	) {
		this.out = new Output(io, globals.json === true, globals.quiet === true);
		this.home = resolveHome(globals.home, io.env, io.cwd);
		this.homeFromFlag = globals.home !== undefined;
		this.workspace = globals.workspace;
		// Without --config, the server's own discovery applies (STRONGBOX_CONFIG, strongbox.config.* in cwd).
		this.configFile = globals.config;
		this.debug = debugEnabled(io.env);
		this.logger = cliLogger(this.out, this.debug);
		this.passthrough = passthrough;
	}

	/** The mode of the opened backend, `undefined` before it is opened. */
	get mode(): "local" | "remote" | undefined {
		return this.serverUrl !== undefined ? "remote" : this.backendValue?.mode;
	}

	/** The server URL in remote mode. */
	get url(): string | undefined {
		return (
			this.serverUrl ??
			(this.backendValue?.mode === "remote" ? this.backendValue.location : undefined)
		);
	}

	/** Records a server the command talks to directly (login), so that errors name it. */
	talkingTo(url: string): void {
		this.serverUrl = url;
	}

	/** Opens the backend once. */
	backend(): Promise<Backend> {
		this.opened ??= this.opener(this).then((backend) => {
			this.backendValue = backend;
			return backend;
		});
		return this.opened;
	}

	/** Closes the backend if it was opened. */
	async close(): Promise<void> {
		const opened = this.opened;
		this.opened = undefined;
		if (!opened) return;
		const backend = await opened.catch(() => undefined);
		await backend?.close();
	}
}
