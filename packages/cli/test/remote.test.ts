/**
 * The real `strongbox` binary in remote mode, against a real server started by
 * `strongbox serve` (port 0, temporary data directory) and reached over HTTP after
 * `strongbox login`. The server's own output is searched for the canary at the end.
 */
import type { ChildProcess } from "node:child_process";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CANARY, cli, json, requireBuild, spawnCli, tempDir } from "./helpers.js";

let server: ChildProcess;
let serverLog = "";
let serverExit: Promise<number | null>;
let url: string;
let adminToken: string;
let home: string;
let serverHome: string;
const cleanups: (() => Promise<void>)[] = [];

function waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
	return new Promise((resolve, reject) => {
		const check = () => {
			const match = serverLog.match(pattern);
			if (match) {
				server.stdout?.off("data", check);
				resolve(match);
			}
		};
		server.stdout?.on("data", check);
		server.once("exit", (code) =>
			reject(new Error(`server exited (${code}) before ${pattern}:\n${serverLog}`)),
		);
		check();
	});
}

beforeAll(async () => {
	requireBuild();
	const a = await tempDir("strongbox-remote-cli-");
	const b = await tempDir("strongbox-remote-server-");
	cleanups.push(a.remove, b.remove);
	home = a.path;
	serverHome = b.path;
	server = spawnCli(["serve", "--port", "0"], serverHome, { env: { STRONGBOX_LOG_LEVEL: "info" } });
	server.stdout?.setEncoding("utf8").on("data", (chunk: string) => (serverLog += chunk));
	server.stderr?.setEncoding("utf8").on("data", (chunk: string) => (serverLog += chunk));
	serverExit = new Promise((resolve) => server.once("exit", (code) => resolve(code)));
	adminToken = (await waitFor(/STRONGBOX_ADMIN_TOKEN=(\S+)/))[1]!;
	url = (await waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/))[1]!;
});

afterAll(async () => {
	if (server && server.exitCode === null) {
		server.kill("SIGTERM");
		expect(await serverExit).toBe(0);
	}
	// The server logged requests (the check below is not vacuous) and never a value.
	expect(serverLog).toContain("/api/v1/secrets");
	expect(serverLog).not.toContain(CANARY);
	for (const cleanup of cleanups) await cleanup();
});

const sb = (args: string[], options?: Parameters<typeof cli>[2]) => cli(args, home, options);

describe("remote mode", () => {
	test("login checks the token first, saves it 0600, and whoami shows the server's view", async () => {
		const refused = await sb(["login", url], { stdin: "sbx_not-a-real-token" });
		expect(refused.code).toBe(5);
		expect(refused.stderr).toMatch(/^error: /m);
		expect(refused.stderr).toContain(
			`hint: The server refused your token. Run \`strongbox login ${url}\` again.`,
		);
		await expect(stat(join(home, "credentials.json"))).rejects.toThrow();

		const login = await sb(["login", url], { stdin: `${adminToken}\n` });
		expect(login.code, login.stderr).toBe(0);
		expect(login.stderr).toContain(`Logged in to ${url} as admin (workspace default).`);
		expect(login.stdout).toBe("");
		expect((await stat(join(home, "credentials.json"))).mode & 0o777).toBe(0o600);
		expect(JSON.parse(await readFile(join(home, "credentials.json"), "utf8"))).toMatchObject({
			url,
			token: adminToken,
		});

		const me = json(await sb(["whoami", "--json"]));
		expect(me).toMatchObject({
			mode: "remote",
			user: "admin",
			workspace: "default",
			admin: true,
			url,
		});
		expect(me.workspaces).toEqual([{ workspace: "default", role: "admin" }]);
		expect((await sb(["whoami"])).stdout).toContain(`remote (${url})`);
	});

	test("secrets through the server: create, list, get, update, rename, export/import, delete", async () => {
		const created = await sb(["secret", "create", "db", "--user=app", "--password=@-", "--json"], {
			stdin: CANARY,
		});
		expect(created.code, created.stderr).toBe(0);
		expect(json(created)).toMatchObject({
			name: "db",
			keys: ["password", "user"],
			version: 1,
			workspace: "default",
		});
		expect((await sb(["secret", "create", "mine", `--k=${CANARY}`, "--scope", "user"])).code).toBe(
			0,
		);

		const list = json<{ items: { name: string; scope: string }[] }>(
			await sb(["secret", "list", "--json", "--sort", "name"]),
		);
		expect(list.items.map((i) => [i.name, i.scope])).toEqual([
			["db", "workspace"],
			["mine", "user"],
		]);
		expect((await sb(["secret", "get", "db"])).stdout).toMatch(/password\s+\*{8}/);
		expect(
			(await sb(["secret", "get", "db", "--key", "password", "--reveal"], { reveals: true }))
				.stdout,
		).toBe(CANARY);

		const updated = json(
			await sb(["secret", "update", "db", "--host=db.internal", "--remove-key", "user", "--json"]),
		);
		expect(updated).toMatchObject({ keys: ["host", "password"], version: 2 });
		expect((await sb(["secret", "update", "db", "--x=1", "--expected-version", "1"])).code).toBe(4);
		expect((await sb(["secret", "rename", "db", "database", "--json"])).code).toBe(0);

		const exported = await sb(["secret", "export", "database", "--output", "db.yaml"]);
		expect(exported.code, exported.stderr).toBe(0);
		expect((await sb(["secret", "import", "db.yaml", "--name", "copy"])).code).toBe(0);
		const copy = json(await sb(["secret", "get", "copy", "--reveal", "--json"], { reveals: true }));
		expect(copy.values).toEqual({ host: "db.internal", password: CANARY });

		const run = await sb([
			"run",
			"-s",
			"copy",
			"--",
			process.execPath,
			"-e",
			`process.exit(process.env.password === ${JSON.stringify(CANARY)} ? 0 : 9)`,
		]);
		expect(run.code, run.stderr).toBe(0);

		expect(json(await sb(["secret", "delete", "copy", "-y", "--json"]))).toMatchObject({
			deleted: true,
			name: "copy",
		});
		const gone = await sb(["--json", "secret", "get", "copy"]);
		expect(gone.code).toBe(3);
		expect(JSON.parse(gone.stderr)).toMatchObject({
			error: { code: "SECRET_NOT_FOUND", exitCode: 3 },
		});
		const exists = await sb(["secret", "create", "database", `--k=${CANARY}`]);
		expect(exists.code).toBe(4);
		const tooBig = await sb(["secret", "update", "database", "--big=@-"], {
			stdin: "x".repeat(70_000),
		});
		expect(tooBig.code).toBe(2);
	});

	test("tokens: create (printed once), list, use through STRONGBOX_URL/STRONGBOX_TOKEN, revoke", async () => {
		const created = await sb(["token", "create", "--name", "ci", "--expires", "30d", "--json"]);
		expect(created.code, created.stderr).toBe(0);
		const { token, info } = json<{ token: string; info: Record<string, unknown> }>(created);
		expect(token).toMatch(/^sbx_/);
		expect(info).toMatchObject({ name: "ci", user: "admin", revokedAt: null });
		expect(new Date(String(info.expiresAt)).getTime()).toBeGreaterThan(
			Date.now() + 29 * 86_400_000,
		);

		const plain = await sb(["token", "create"]);
		expect(plain.stdout).toMatch(/^sbx_\S+\n$/);
		expect(plain.stderr).toContain("It is shown only this once.");

		const listed = await sb(["token", "list"]);
		expect(listed.stdout).toMatch(/^ID\s+NAME\s+USER\s+CREATED\s+EXPIRES\s+LAST USED\s+STATUS$/m);
		expect(listed.stdout).toContain(String(info.id));
		expect(listed.stdout).not.toContain(token);

		const other = await tempDir("strongbox-env-");
		cleanups.push(other.remove);
		const viaEnv = { STRONGBOX_URL: url, STRONGBOX_TOKEN: token };
		expect(json(await cli(["whoami", "--json"], other.path, { env: viaEnv }))).toMatchObject({
			mode: "remote",
			tokenId: info.id,
		});

		const revoked = await sb(["token", "revoke", String(info.id), "--json"]);
		expect(json(revoked)).toEqual({ revoked: true, id: info.id });
		const refused = await cli(["secret", "list"], other.path, { env: viaEnv });
		expect(refused.code).toBe(5);
		expect(refused.stderr).toContain("hint: The server refused your token.");
		const items = json<{ items: { id: string; revokedAt: string | null }[] }>(
			await sb(["token", "list", "--json"]),
		).items;
		expect(items.find((i) => i.id === info.id)?.revokedAt).not.toBeNull();
	});

	test("an unreachable server is exit 6; STRONGBOX_URL without a token is exit 5", async () => {
		const other = await tempDir("strongbox-down-");
		cleanups.push(other.remove);
		const down = await cli(["secret", "list"], other.path, {
			env: { STRONGBOX_URL: "http://127.0.0.1:9", STRONGBOX_TOKEN: adminToken },
		});
		expect(down.code).toBe(6);
		expect(down.stderr).toContain("hint: Check that the server at http://127.0.0.1:9 is running");
		const noToken = await cli(["secret", "list"], other.path, { env: { STRONGBOX_URL: url } });
		expect(noToken.code).toBe(5);
		expect(noToken.stderr).toContain("STRONGBOX_TOKEN");
	});

	test("a damaged credentials file is a configuration error; logout returns to local mode", async () => {
		const other = await tempDir("strongbox-damaged-");
		cleanups.push(other.remove);
		await writeFile(join(other.path, "credentials.json"), "{not json");
		const damaged = await cli(["secret", "list"], other.path);
		expect(damaged.code).toBe(7);
		expect(damaged.stderr).toContain("strongbox logout");

		const out = await sb(["logout"]);
		expect(out.stderr).toContain(`Logged out of ${url}.`);
		expect(json(await sb(["whoami", "--json"]))).toMatchObject({ mode: "local", user: "local" });
		expect(json(await sb(["secret", "list", "--json"])).total).toBe(0);
		expect((await sb(["token", "list"])).code).toBe(2);
		expect((await sb(["logout"])).stderr).toContain("Not logged in.");
	});
});
