/**
 * Runs `main()` in-process against core's memory catalog and store, with captured
 * streams: fast checks of parsing, output shapes and exit codes. The end-to-end suites
 * run the real `dist/bin.js` instead.
 */
import { Readable } from "node:stream";
import {
	createMemoryStore,
	createSecrets,
	memoryCatalog,
	type SecretsService,
} from "@strongbox/core";
import { resolveLocally } from "../src/backend/local.js";
import type { Backend } from "../src/backend/types.js";
import { RemoteOnlyError } from "../src/errors.js";
import type { Io } from "../src/io.js";
import { main } from "../src/main.js";

/** What one in-process run printed. */
export interface Run {
	code: number;
	stdout: string;
	stderr: string;
}

/** A shared in-memory Secrets service and a runner of CLI commands against it. */
export function inProcess(options: { cwd?: string; env?: Record<string, string> } = {}) {
	const service: SecretsService = createSecrets({
		catalog: memoryCatalog(),
		store: createMemoryStore(),
	});
	const secrets = service.as({ user: "local", workspace: "default", workspaces: "*" });
	const backend: Backend = {
		mode: "local",
		secrets,
		location: "(memory)",
		async whoami() {
			return {
				mode: "local" as const,
				user: "local",
				workspace: "default",
				workspaces: "*" as const,
				admin: true,
				dataDir: "(memory)",
			};
		},
		tokens() {
			throw new RemoteOnlyError("Tokens exist on a server only; this CLI is in local mode.");
		},
		resolve: (document, request = {}) => resolveLocally(secrets, document, request, undefined),
		async doctor() {
			return {
				report: {
					ok: true,
					catalog: { ok: true },
					stores: [{ name: "memory", type: "memory", role: "primary" as const, ok: true }],
					unsettled: 0,
					divergences: [],
				},
			};
		},
		async repair() {
			return {
				reconcile: await service.reconcile(),
				resync: { repaired: 0, failed: [] },
			};
		},
		async close() {},
	};
	async function cli(
		argv: string[],
		input: { stdin?: string; stdoutTTY?: boolean } = {},
	): Promise<Run> {
		let stdout = "";
		let stderr = "";
		const io: Io = {
			stdin: Readable.from(
				input.stdin === undefined ? [] : [Buffer.from(input.stdin)],
			) as Io["stdin"],
			stdout: { write: (text: string) => (stdout += text), isTTY: input.stdoutTTY ?? false },
			stderr: { write: (text: string) => (stderr += text), isTTY: false },
			env: { ...options.env },
			cwd: options.cwd ?? process.cwd(),
		};
		const code = await main(argv, { io, openBackend: async () => backend });
		return { code, stdout, stderr };
	}
	return { cli, secrets, service };
}
