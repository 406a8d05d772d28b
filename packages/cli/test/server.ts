/**
 * A real Strongbox server for the remote-mode suites: `strongbox serve --port 0` on a
 * temporary data directory (optionally with a configuration file), its admin token read
 * from its first-start banner, its whole output kept so that suites can search it for
 * the canary.
 */
import type { ChildProcess } from "node:child_process";
import { spawnCli, tempDir } from "./helpers.js";

/** A running server. */
export interface TestServer {
	url: string;
	adminToken: string;
	/** Everything the server printed so far. */
	log(): string;
	/** Stops it (SIGTERM) and removes its data directory; resolves with its exit code. */
	stop(): Promise<number | null>;
}

/** Starts `strongbox serve` with `args` (e.g. `--config FILE`) and `env`. */
export async function startServer(
	options: { args?: string[]; env?: Record<string, string>; cwd?: string } = {},
): Promise<TestServer> {
	const home = await tempDir("strongbox-test-server-");
	const child: ChildProcess = spawnCli(
		["serve", "--port", "0", ...(options.args ?? [])],
		home.path,
		{
			env: { STRONGBOX_LOG_LEVEL: "info", ...options.env },
			...(options.cwd === undefined ? {} : { cwd: options.cwd }),
		},
	);
	let output = "";
	child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
	child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
	const exited = new Promise<number | null>((resolve) =>
		child.once("exit", (code) => resolve(code)),
	);
	const waitFor = (pattern: RegExp) =>
		new Promise<string>((resolve, reject) => {
			const check = () => {
				const match = output.match(pattern);
				if (match) {
					child.stdout?.off("data", check);
					resolve(match[1]!);
				}
			};
			child.stdout?.on("data", check);
			void exited.then((code) =>
				reject(new Error(`server exited (${code}) before ${pattern}:\n${output}`)),
			);
			check();
		});
	const adminToken = await waitFor(/STRONGBOX_ADMIN_TOKEN=(\S+)/);
	const url = await waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/);
	return {
		url,
		adminToken,
		log: () => output,
		async stop() {
			if (child.exitCode === null) child.kill("SIGTERM");
			const code = await exited;
			await home.remove();
			return code;
		},
	};
}
