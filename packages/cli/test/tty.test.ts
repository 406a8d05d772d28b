/**
 * Prompts and progress bars on a real terminal: `strongbox` runs under `script`
 * (util-linux), which gives it a pseudo-terminal. Each answer is sent only after its
 * prompt appeared, so that the terminal never echoes input typed ahead of raw mode.
 */
import { spawn, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BIN, baseEnv, CANARY, cli, json, requireBuild, tempDir } from "./helpers.js";

const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;

let home: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
	requireBuild();
	({ path: home, remove: cleanup } = await tempDir("strongbox-tty-"));
});
afterAll(async () => {
	await cleanup?.();
});

function quote(arg: string): string {
	return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Runs the CLI on a pseudo-terminal, answering each prompt once it is shown. */
function onTerminal(
	args: string[],
	steps: { after: string; send: string }[],
): Promise<{ code: number | null; transcript: string }> {
	const command = [process.execPath, BIN, ...args].map(quote).join(" ");
	const child = spawn("script", ["-qec", command, "/dev/null"], {
		env: { ...baseEnv(home), TERM: "dumb" },
		stdio: ["pipe", "pipe", "pipe"],
	});
	let transcript = "";
	let next = 0;
	let seen = 0;
	child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
		transcript += chunk;
		while (next < steps.length) {
			const at = transcript.indexOf(steps[next]!.after, seen);
			if (at < 0) break;
			seen = at + steps[next]!.after.length;
			child.stdin.write(steps[next]!.send);
			next++;
		}
	});
	child.stderr.setEncoding("utf8").on("data", (chunk: string) => (transcript += chunk));
	return new Promise((resolve, reject) => {
		child.on("error", reject);
		child.on("close", (code) => {
			child.stdin.destroy();
			resolve({ code, transcript });
		});
	});
}

// `script` is part of util-linux; a machine without it cannot give the CLI a terminal.
describe.skipIf(!hasScript)("on a terminal", () => {
	test("create -i asks for keys and hidden values; nothing typed as a value is echoed", async () => {
		const run = await onTerminal(
			["secret", "create", "typed", "-i"],
			[
				{ after: "Key: ", send: "password\r" },
				{ after: "(hidden): ", send: `${CANARY}\r` },
				{ after: "Key: ", send: "user\r" },
				{ after: "(hidden): ", send: "app\r" },
				{ after: "Key: ", send: "\r" },
			],
		);
		expect(run.code, run.transcript).toBe(0);
		expect(run.transcript).toContain("Key: password");
		expect(run.transcript).not.toContain(CANARY);
		expect(run.transcript).toContain(
			"Created secret `typed` (workspace default) with 2 keys: password, user.",
		);
		const back = await cli(["secret", "get", "typed", "--reveal", "--json"], home, {
			reveals: true,
		});
		expect(json(back).values).toEqual({ password: CANARY, user: "app" });
	});

	test("@- on a terminal is a hidden prompt", async () => {
		const run = await onTerminal(
			["secret", "create", "prompted", "--token=@-", "user=app"],
			[{ after: "Value for token (hidden): ", send: `${CANARY}-2\r` }],
		);
		expect(run.code, run.transcript).toBe(0);
		expect(run.transcript).not.toContain(CANARY);
		const back = await cli(["secret", "get", "prompted", "--key", "token", "--reveal"], home, {
			reveals: true,
		});
		expect(back.stdout).toBe(`${CANARY}-2`);
	});

	test("delete asks first: yes deletes, anything else keeps the secret, Ctrl-C is exit 130", async () => {
		expect((await cli(["secret", "create", "doomed", "k=v"], home)).code).toBe(0);
		const kept = await onTerminal(
			["secret", "delete", "doomed"],
			[{ after: "[y/N] ", send: "n\r" }],
		);
		expect(kept.code).toBe(1);
		expect(kept.transcript).toContain("Not deleted.");
		const interrupted = await onTerminal(
			["secret", "delete", "doomed"],
			[{ after: "[y/N] ", send: "\u0003" }],
		);
		expect(interrupted.code).toBe(130);
		expect((await cli(["secret", "get", "doomed"], home)).code).toBe(0);
		const deleted = await onTerminal(
			["secret", "delete", "doomed"],
			[{ after: "[y/N] ", send: "y\r" }],
		);
		expect(deleted.code, deleted.transcript).toBe(0);
		expect(deleted.transcript).toContain("Deleted secret `doomed`.");
		expect((await cli(["secret", "get", "doomed"], home)).code).toBe(3);
	});

	test("migrate draws a progress bar in place on a terminal", async () => {
		expect((await cli(["secret", "create", "bar", `k=${CANARY}`], home)).code).toBe(0);
		// Another SQL store in the same database, under its own table prefix.
		const target = JSON.stringify({ type: "sql", name: "copy", options: { tablePrefix: "copy_" } });
		const run = await onTerminal(["migrate", "--to", target], []);
		expect(run.code, run.transcript).toBe(0);
		expect(run.transcript).toMatch(/\r\[#{24}\] (\d+)\/\1 {2}moved \1 {2}skipped 0 {2}failed 0/);
		expect(run.transcript).not.toMatch(/^\[\d+\/\d+\] moved /m);
		expect(run.transcript).not.toContain(CANARY);
	});
});
