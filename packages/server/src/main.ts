/**
 * `main(argv)`: the `strongbox-server` command (and `strongbox serve`). Loads the
 * configuration, starts the server, and shuts it down gracefully on SIGTERM/SIGINT:
 * no new connection, requests in flight answered, the audit log flushed, the database
 * closed. A second signal exits at once.
 */
import { parseArgs } from "node:util";
import { type ImportFn, StrongboxError } from "@strongbox/core";
import { loadConfig } from "./config/load.js";
import { bootstrapBanner } from "./identity/bootstrap.js";
import { createServer } from "./server.js";
import { VERSION } from "./version.js";

/** Options of {@link main} (for embedding and tests). */
export interface MainOptions {
	/** @default process.env */
	env?: Record<string, string | undefined>;
	/** @default process.cwd() */
	cwd?: string;
	/** Human-readable output (help, errors). @default process.stderr */
	stderr?: { write(text: string): unknown };
	/** @default process.stdout */
	stdout?: { write(text: string): unknown };
	/** Resolves once the server listens (tests, the CLI). */
	onListening?: (url: string) => void;
	/** Stops the server when it aborts (instead of a signal). */
	signal?: AbortSignal;
	/**
	 * Imports store packages. The CLI passes its own, so `strongbox serve` finds stores
	 * installed next to the CLI. @default the server's dependencies, then the working directory
	 */
	import?: ImportFn;
}

const HELP = `Usage: strongbox-server [options]

Starts the Strongbox HTTP server. Configuration comes from a file
(strongbox.config.json|yaml|yml in the working directory, or --config) and
STRONGBOX_* environment variables, which win. See the README for every option.

Options:
  -c, --config <file>     configuration file (also STRONGBOX_CONFIG)
      --host <address>    listen address (default 127.0.0.1)
  -p, --port <port>       listen port (default 8787)
      --data-dir <dir>    data directory (default ~/.strongbox)
      --log-level <level> fatal|error|warn|info|debug|trace|silent
  -h, --help              show this help
  -v, --version           show the version
`;

/**
 * Runs the server until SIGTERM/SIGINT (or `options.signal`); resolves to the exit code
 * (0 after a clean shutdown, 2 for a configuration error, 1 otherwise).
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
	const stderr = options.stderr ?? process.stderr;
	const stdout = options.stdout ?? process.stdout;
	let args: ReturnType<typeof parse>;
	try {
		args = parse(argv);
	} catch (error) {
		stderr.write(`strongbox-server: ${(error as Error).message}\n\n${HELP}`);
		return 2;
	}
	if (args.help) {
		stdout.write(HELP);
		return 0;
	}
	if (args.version) {
		stdout.write(`${VERSION}\n`);
		return 0;
	}
	let server: Awaited<ReturnType<typeof createServer>>;
	try {
		const env = options.env ?? process.env;
		const port = args.port === undefined ? undefined : Number(args.port);
		// Flags are a layer above the file and the environment, applied before defaults are
		// derived: `--data-dir` also moves the default database and key file.
		const config = await loadConfig({
			...(args.config === undefined ? {} : { file: args.config }),
			env,
			...(options.cwd === undefined ? {} : { cwd: options.cwd }),
			overrides: {
				...(args["data-dir"] === undefined ? {} : { dataDir: args["data-dir"] }),
				server: {
					...(args.host === undefined ? {} : { host: args.host }),
					...(port === undefined ? {} : { port }),
				},
				...(args["log-level"] === undefined ? {} : { log: { level: args["log-level"] as never } }),
			},
		});
		server = await createServer(config, {
			...(options.import === undefined ? {} : { import: options.import }),
			...(options.cwd === undefined ? {} : { cwd: options.cwd }),
			onBootstrap: (result) => {
				stdout.write(bootstrapBanner(result));
			},
		});
	} catch (error) {
		stderr.write(
			`strongbox-server: ${error instanceof Error ? error.message : "could not start"}\n`,
		);
		return error instanceof StrongboxError && error.code === "STORE_CONFIG" ? 2 : 1;
	}
	try {
		const { url } = await server.listen();
		options.onListening?.(url);
	} catch (error) {
		await server.close().catch(() => {});
		stderr.write(`strongbox-server: cannot listen: ${(error as Error).message}\n`);
		return 1;
	}
	return new Promise<number>((resolve) => {
		let stopping = false;
		const stop = () => {
			if (stopping) return;
			stopping = true;
			process.off("SIGTERM", stop);
			process.off("SIGINT", stop);
			server.close().then(
				() => resolve(0),
				() => resolve(1),
			);
		};
		process.on("SIGTERM", stop);
		process.on("SIGINT", stop);
		options.signal?.addEventListener("abort", stop, { once: true });
		// Aborted already (for example by `onListening` itself): stop now.
		if (options.signal?.aborted) stop();
	});
}

function parse(argv: readonly string[]) {
	const { values } = parseArgs({
		args: [...argv],
		strict: true,
		allowPositionals: false,
		options: {
			config: { type: "string", short: "c" },
			host: { type: "string" },
			port: { type: "string", short: "p" },
			"data-dir": { type: "string" },
			"log-level": { type: "string" },
			help: { type: "boolean", short: "h" },
			version: { type: "boolean", short: "v" },
		},
	});
	if (values.port !== undefined && !/^\d{1,5}$/.test(values.port))
		throw new Error("--port must be a number");
	return values;
}
