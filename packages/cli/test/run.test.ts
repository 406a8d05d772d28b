/**
 * `strongbox run` as a real process: environment injected, exit codes passed through,
 * signals forwarded, and 128 + signal when the command is killed.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CANARY, cli, collect, requireBuild, spawnCli, tempDir } from "./helpers.js";

let home: string;
let cleanup: () => Promise<void>;
const node = process.execPath;

beforeAll(async () => {
	requireBuild();
	({ path: home, remove: cleanup } = await tempDir("strongbox-run-"));
	const a = await cli(
		["secret", "create", "app", `--password=${CANARY}`, "--user=app", "--shared=from-app"],
		home,
	);
	expect(a.code, a.stderr).toBe(0);
	const b = await cli(
		["secret", "create", "other", "--shared=from-other", "--HOME=/nowhere"],
		home,
	);
	expect(b.code, b.stderr).toBe(0);
});
afterAll(async () => {
	await cleanup?.();
});

// The child compares instead of printing, so that no output ever holds the value.
const check = `const want = JSON.parse(process.argv[1]);
const bad = Object.entries(want).filter(([k, v]) => process.env[k] !== v).map(([k]) => k);
process.stdout.write(bad.length === 0 ? "env-ok" : "missing:" + bad.join(","));`;

describe("strongbox run", () => {
	test("injects the values as variables; later secrets win, collisions reported by key", async () => {
		const want = {
			password: CANARY,
			user: "app",
			shared: "from-other",
			HOME: "/nowhere",
			KEEP: "kept",
		};
		const result = await cli(
			["run", "--secret", "app,other", "--", node, "-e", check, JSON.stringify(want)],
			home,
			{
				env: { KEEP: "kept" },
			},
		);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toBe("env-ok");
		expect(result.stderr).toContain("$shared from `app` is overridden by `other`.");
		expect(result.stderr).toContain("$HOME from the environment is overridden by `other`.");
		const quiet = await cli(
			["-q", "run", "-s", "app", "-s", "other", "--", node, "-e", check, "{}"],
			home,
		);
		expect(quiet.stderr).toBe("");
	});

	test("--prefix, and options after -- belong to the command", async () => {
		const want = { DB_password: CANARY, DB_user: "app" };
		const result = await cli(
			[
				"run",
				"--secret",
				"app",
				"--prefix",
				"DB_",
				"--",
				node,
				"-e",
				`${check}`,
				JSON.stringify(want),
				"--json",
				"-q",
			],
			home,
		);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toBe("env-ok");
	});

	test("exit codes: the command's own, 127 when not found, 3 for a missing secret, 2 for bad usage", async () => {
		expect((await cli(["run", "-s", "app", "--", node, "-e", "process.exit(7)"], home)).code).toBe(
			7,
		);
		const missing = await cli(["run", "-s", "app", "--", "strongbox-no-such-command-xyz"], home);
		expect(missing.code).toBe(127);
		expect(missing.stderr).toContain("command not found: strongbox-no-such-command-xyz");
		const noSecret = await cli(
			["run", "-s", "nope", "--", node, "-e", "process.stdout.write('started')"],
			home,
		);
		expect(noSecret.code).toBe(3);
		expect(noSecret.stdout).toBe("");
		expect((await cli(["run", "--", node, "-e", "1"], home)).code).toBe(2);
		expect((await cli(["run", "-s", "app"], home)).code).toBe(2);
		expect((await cli(["run", "-s", "app", "--prefix", "1bad", "--", node], home)).code).toBe(2);
	});

	test("a command killed by a signal gives 128 + its number", async () => {
		const result = await cli(
			["run", "-s", "app", "--", node, "-e", "process.kill(process.pid, 'SIGKILL')"],
			home,
		);
		expect(result.code).toBe(137);
	});

	test("signals sent to strongbox reach the command", async () => {
		const script = `process.on("SIGTERM", () => { process.stdout.write("got-SIGTERM"); process.exit(42); });
process.stdout.write("ready"); setInterval(() => {}, 1000);`;
		const child = spawnCli(["run", "-s", "app", "--", node, "-e", script], home);
		const done = collect(child);
		await new Promise<void>((resolve) => {
			child.stdout?.on("data", (chunk: Buffer | string) => {
				if (String(chunk).includes("ready")) resolve();
			});
		});
		child.kill("SIGTERM");
		const result = await done;
		expect(result.stdout).toBe("readygot-SIGTERM");
		expect(result.code).toBe(42);

		const unhandled = spawnCli(
			[
				"run",
				"-s",
				"app",
				"--",
				node,
				"-e",
				`process.stdout.write("ready"); setInterval(() => {}, 1000);`,
			],
			home,
		);
		const ended = collect(unhandled);
		await new Promise<void>((resolve) => unhandled.stdout?.once("data", () => resolve()));
		unhandled.kill("SIGHUP");
		expect((await ended).code).toBe(129);
	});
});
