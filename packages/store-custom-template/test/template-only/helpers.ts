/**
 * Shared by the template's own tests (not copied by `pnpm new-store`): repository paths,
 * a child-process runner, and the environment a nested tool should see.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/** packages/store-custom-template */
export const TEMPLATE = resolve(import.meta.dirname, "../..");
/** The repository root. */
export const ROOT = resolve(TEMPLATE, "../..");
export const CORE = join(ROOT, "packages", "core");

/** What a finished child process printed. */
export interface RunResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs a command to completion (killed after `timeoutMs`), never through a shell. */
export function run(
	command: string,
	args: readonly string[],
	options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(command, args, {
			cwd: options.cwd,
			env: options.env ?? process.env,
			stdio: ["ignore", "pipe", "pipe"],
		});
		let stdout = "";
		let stderr = "";
		child.stdout.on("data", (chunk: Buffer) => {
			stdout += chunk.toString();
		});
		child.stderr.on("data", (chunk: Buffer) => {
			stderr += chunk.toString();
		});
		const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
		child.on("error", (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on("close", (code) => {
			clearTimeout(timer);
			resolvePromise({ code, stdout, stderr });
		});
	});
}

/**
 * The environment for a nested tool: without the variables vitest sets for its own
 * workers and pnpm sets for the script it runs, which would make a nested vitest or npm
 * believe it runs inside them.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (
			/^(?:VITEST|TEST$|NODE_ENV$|PNPM_|pnpm_)/.test(key) ||
			/^npm_(?:command|lifecycle_|package_|execpath|node_execpath)/.test(key) ||
			/^npm_config_(?:user_agent|verify_deps_before_run|nodedir)$/.test(key)
		) {
			continue;
		}
		env[key] = value;
	}
	return { ...env, NO_COLOR: "1", ...extra };
}

function newestMtime(dir: string): number {
	let newest = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
		else if (!entry.name.endsWith(".test.ts")) newest = Math.max(newest, statSync(path).mtimeMs);
	}
	return newest;
}

/** Whether `dist/` of a package is missing or older than its sources (or its package.json). */
export function needsBuild(packageDir: string): boolean {
	const built = join(packageDir, "dist", "index.js");
	if (!existsSync(built)) return true;
	const sources = Math.max(
		newestMtime(join(packageDir, "src")),
		statSync(join(packageDir, "package.json")).mtimeMs,
	);
	return statSync(built).mtimeMs < sources;
}
