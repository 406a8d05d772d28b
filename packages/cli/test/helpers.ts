/**
 * Runs the built `strongbox` binary (`dist/bin.js`) as a real child process, with a
 * clean environment and a temporary home, and checks every output for the canary.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

/** The built CLI. `pnpm test` builds it (turbo); by hand: `pnpm --filter @strongbox/cli... run build`. */
export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/bin.js");

/** A value that must never appear in any output unless revealed or exported on purpose. */
export const CANARY = `CANARY-${Math.random().toString(36).slice(2, 10)}-e2e`;

/** What one run printed and how it ended. */
export interface Result {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

/** Options of one run. */
export interface RunOptions {
	stdin?: string;
	env?: Record<string, string | undefined>;
	cwd?: string;
	/** The run reveals or exports values on purpose: skip the canary check of stdout. */
	reveals?: boolean;
}

/** Fails early with the command to run when the CLI has not been built. */
export function requireBuild(): void {
	if (!existsSync(BIN)) {
		throw new Error(
			`${BIN} is missing: run \`pnpm --filter @strongbox/cli... run build\` first (pnpm test does it).`,
		);
	}
}

/** The environment of every child: nothing from the developer's STRONGBOX_* or HOME leaks in. */
export function baseEnv(home: string): Record<string, string> {
	const env: Record<string, string> = {};
	for (const key of ["PATH", "NODE_EXTRA_CA_CERTS", "SYSTEMROOT", "TMPDIR", "LANG"]) {
		const value = process.env[key];
		if (value !== undefined) env[key] = value;
	}
	env.HOME = home;
	env.STRONGBOX_HOME = home;
	return env;
}

/** Creates a temporary directory; removed by the returned function. */
export async function tempDir(
	prefix: string,
): Promise<{ path: string; remove: () => Promise<void> }> {
	const path = await mkdtemp(join(tmpdir(), prefix));
	return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Spawns the CLI without waiting (for signal tests). */
export function spawnCli(
	args: readonly string[],
	home: string,
	options: RunOptions = {},
): ChildProcess {
	const env = { ...baseEnv(home), ...options.env };
	for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
	return spawn(process.execPath, [BIN, ...args], {
		cwd: options.cwd ?? home,
		env: env as NodeJS.ProcessEnv,
		stdio: ["pipe", "pipe", "pipe"],
	});
}

/** Collects a child's output until it exits. */
export function collect(child: ChildProcess, stdin?: string): Promise<Result> {
	return new Promise((resolvePromise, reject) => {
		let stdout = "";
		let stderr = "";
		child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
		child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
		child.on("error", reject);
		child.on("close", (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
		if (stdin !== undefined) child.stdin?.end(stdin);
		else child.stdin?.end();
	});
}

/** Runs the CLI to completion and checks that the canary did not leak. */
export async function cli(
	args: readonly string[],
	home: string,
	options: RunOptions = {},
): Promise<Result> {
	const result = await collect(spawnCli(args, home, options), options.stdin);
	if (!options.reveals)
		expect(result.stdout, `stdout of strongbox ${args.join(" ")}`).not.toContain(CANARY);
	expect(result.stderr, `stderr of strongbox ${args.join(" ")}`).not.toContain(CANARY);
	return result;
}

/** Parses stdout as JSON, with the output in the failure message. */
export function json<T = Record<string, unknown>>(result: Result): T {
	try {
		return JSON.parse(result.stdout) as T;
	} catch {
		throw new Error(
			`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`,
		);
	}
}
