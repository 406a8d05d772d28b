/**
 * The real `strongbox` binary in local mode: the embedded SQLite catalog and encrypted
 * store in a temporary home, each command a separate process.
 */
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CANARY, cli, json, requireBuild, tempDir } from "./helpers.js";

let home: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
	requireBuild();
	({ path: home, remove: cleanup } = await tempDir("strongbox-local-"));
});
afterAll(async () => {
	await cleanup?.();
});

const sb = (args: string[], options?: Parameters<typeof cli>[2]) => cli(args, home, options);

describe("local mode", () => {
	test("create from flags, @file, @-, --values JSON and YAML; the home is private and values encrypted", async () => {
		await writeFile(join(home, "pw.txt"), `${CANARY}-file\n`);
		const created = await sb([
			"secret",
			"create",
			"db",
			"--username=app",
			"--password=@pw.txt",
			"--json",
		]);
		expect(created.code, created.stderr).toBe(0);
		expect(json(created)).toMatchObject({
			name: "db",
			keys: ["password", "username"],
			version: 1,
			scope: "workspace",
		});

		const piped = await sb(["secret", "create", "piped", "--token=@-", "note=@@at"], {
			stdin: `${CANARY}-stdin`,
		});
		expect(piped.code, piped.stderr).toBe(0);
		expect(piped.stderr).toContain(
			"Created secret `piped` (workspace default) with 2 keys: note, token.",
		);
		expect(
			(await sb(["secret", "create", "fromjson", "--values", `{"a": "${CANARY}-json", "n": 5}`]))
				.code,
		).toBe(0);
		await writeFile(join(home, "v.yaml"), `a: ${CANARY}-yaml\nport: 5432\n`);
		expect(
			(await sb(["secret", "create", "fromyaml", "--values", "@v.yaml", "--scope", "user"])).code,
		).toBe(0);

		const revealed = await sb(["secret", "get", "piped", "--reveal", "--json"], { reveals: true });
		expect(json(revealed).values).toEqual({ token: `${CANARY}-stdin`, note: "@at" });
		expect(
			(await sb(["secret", "get", "db", "--key", "password", "--reveal"], { reveals: true }))
				.stdout,
		).toBe(`${CANARY}-file\n`);
		expect(
			json(await sb(["secret", "get", "fromjson", "--reveal", "--json"], { reveals: true })).values,
		).toEqual({
			a: `${CANARY}-json`,
			n: "5",
		});
		expect(
			json(await sb(["secret", "get", "fromyaml", "--reveal", "--json"], { reveals: true })).values,
		).toEqual({
			a: `${CANARY}-yaml`,
			port: "5432",
		});

		expect((await stat(home)).mode & 0o077).toBe(0);
		const files = await readdir(home);
		expect(files).toContain("strongbox.db");
		for (const file of files.filter((f) => f.startsWith("strongbox."))) {
			expect((await stat(join(home, file))).mode & 0o077, file).toBe(0);
			expect(
				(await readFile(join(home, file))).includes(CANARY),
				`${file} holds a value in clear`,
			).toBe(false);
		}
	});

	test("get is masked by default and reads no value; list never shows values", async () => {
		// Read-only commands, run side by side.
		const [masked, list, filtered, user, paged] = await Promise.all([
			sb(["secret", "get", "db"]),
			sb(["secret", "list"]),
			sb(["secret", "list", "--name", "startswith:from", "--sort", "name:desc", "--json"]),
			sb(["secret", "list", "--scope", "user", "--json"]),
			sb(["secret", "list", "--size", "3", "--page", "2", "--json"]),
		]);
		expect(masked.code).toBe(0);
		expect(masked.stdout).toMatch(/password\s+\*{8}\n/);
		expect(masked.stdout).toMatch(/username\s+\*{8}\n/);
		expect(masked.stderr).toContain("add --reveal");
		expect(list.stdout.split("\n")[0]).toMatch(
			/^NAME\s+SCOPE\s+WORKSPACE\s+VERSION\s+UPDATED\s+KEYS$/,
		);
		for (const name of ["db", "piped", "fromjson", "fromyaml"]) expect(list.stdout).toContain(name);
		const filteredPage = json<{ items: { name: string }[]; total: number }>(filtered);
		expect(filteredPage.items.map((i) => i.name)).toEqual(["fromyaml", "fromjson"]);
		expect(filteredPage.total).toBe(2);
		expect(json<{ items: { name: string }[] }>(user).items.map((i) => i.name)).toEqual([
			"fromyaml",
		]);
		const second = json<{ items: unknown[]; totalPages: number }>(paged);
		expect(second).toMatchObject({ totalPages: 2 });
		expect(second.items).toHaveLength(1);
	});

	test("update, remove a key, expected version, rename and delete", async () => {
		const updated = await sb([
			"secret",
			"update",
			"db",
			`--password=${CANARY}-v2`,
			"--remove-key",
			"username",
			"--json",
		]);
		expect(updated.code, updated.stderr).toBe(0);
		expect(json(updated)).toMatchObject({ keys: ["password"], version: 2 });
		const stale = await sb(["secret", "update", "db", "--x=1", "--expected-version", "1"]);
		expect(stale.code).toBe(4);
		expect(stale.stderr).toMatch(/^error: .*version/m);
		expect((await sb(["secret", "rename", "db", "database"])).stderr).toContain(
			"Renamed secret `db` to `database` (version 3).",
		);
		expect((await sb(["secret", "get", "db"])).code).toBe(3);
		const refused = await sb(["secret", "delete", "database"]);
		expect(refused.code).toBe(2);
		expect(refused.stderr).toContain("Pass -y to delete.");
		expect(json(await sb(["secret", "delete", "database", "-y", "--json"]))).toMatchObject({
			deleted: true,
			name: "database",
		});
		const gone = await sb(["secret", "get", "database", "--reveal"]);
		expect(gone.code).toBe(3);
		expect(gone.stderr).toContain("error: Secret `database` not found.");
		expect(gone.stderr).toContain("hint: Run `strongbox secret list`");
	});

	test("export and import round trips in env, json and yaml", async () => {
		const values = {
			url: "postgres://app@db/main",
			pem: "-----BEGIN-----\nabc\n-----END-----\n",
			q: `it's "x"`,
			pw: CANARY,
		};
		expect((await sb(["secret", "create", "rt", "--values", JSON.stringify(values)])).code).toBe(0);
		await Promise.all(
			["env", "json", "yaml"].map(async (format) => {
				const file = `rt.${format}`;
				const exported = await sb(["secret", "export", "rt", "--output", file]);
				expect(exported.code, exported.stderr).toBe(0);
				expect((await stat(join(home, file))).mode & 0o777).toBe(0o600);
				const imported = await sb(["secret", "import", file, "--name", `rt-${format}`]);
				expect(imported.code, imported.stderr).toBe(0);
				expect(imported.stderr).toContain(`(${format}, one secret)`);
				const [back, piped] = await Promise.all([
					sb(["secret", "get", `rt-${format}`, "--reveal", "--json"], { reveals: true }),
					sb(["secret", "export", "rt", "--format", format], { reveals: true }),
				]);
				expect(json(back).values).toEqual(values);
				expect(piped.stdout).toBe(await readFile(join(home, file), "utf8"));
			}),
		);
		const conflict = await sb(["secret", "import", "rt.env", "--name", "rt"]);
		expect(conflict.code).toBe(4);
		expect(conflict.stderr).toContain("hint:");
		expect((await sb(["secret", "import", "rt.env", "--name", "rt", "--update"])).code).toBe(0);
	});

	test("errors: exit codes, messages, JSON errors, and no value even with STRONGBOX_DEBUG", async () => {
		const debug = { STRONGBOX_DEBUG: "1" };
		const [usage, unknown, exists, large, badConfig] = await Promise.all([
			sb(["secret", "create", "x", `--bad.key=${CANARY}`]),
			sb(["secret", "list", `--nme=${CANARY}`], { env: debug }),
			sb(["--json", "secret", "create", "rt", `k=${CANARY}`], { env: debug }),
			sb(["secret", "create", "big", `--v=@-`], { stdin: "x".repeat(70_000) }),
			sb(["secret", "list"], { env: { STRONGBOX_STORE_TYPE: "no-such-store-type!" } }),
		]);
		expect(usage.code).toBe(2);
		expect(usage.stderr).toMatch(/^error: Invalid secret values/m);
		expect(unknown.code).toBe(2);
		expect(exists.code).toBe(4);
		expect(JSON.parse(exists.stderr.split("\n")[0]!)).toMatchObject({
			error: { code: "SECRET_EXISTS", exitCode: 4 },
		});
		expect(exists.stderr).toContain("    at ");
		expect(large.code).toBe(2);
		expect(large.stderr).toContain("larger than the limit of 65536 bytes");
		expect(badConfig.code).toBe(7);
		expect(badConfig.stderr).toMatch(/^error: /m);
	});

	test("--home and STRONGBOX_HOME select the data directory", async () => {
		const other = await tempDir("strongbox-other-");
		try {
			expect((await sb(["--home", other.path, "secret", "create", "elsewhere", "k=v"])).code).toBe(
				0,
			);
			expect(json(await sb(["secret", "list", "--json", "--name", "elsewhere"])).total).toBe(0);
			const there = await cli(["secret", "list", "--json", "--name", "elsewhere"], other.path);
			expect(json(there).total).toBe(1);
			expect(json(await sb(["whoami", "--json", "--home", other.path]))).toMatchObject({
				mode: "local",
				dataDir: other.path,
			});
			// --config points local mode at another database, as it would the server.
			const config = join(other.path, "strongbox.config.json");
			await writeFile(
				config,
				JSON.stringify({ database: { url: `sqlite:${join(other.path, "custom.db")}` } }),
			);
			expect((await sb(["--config", config, "secret", "create", "configured", "k=v"])).code).toBe(
				0,
			);
			expect((await stat(join(other.path, "custom.db"))).isFile()).toBe(true);
			expect(json(await sb(["secret", "list", "--json", "--name", "configured"])).total).toBe(0);
		} finally {
			await other.remove();
		}
	});
});
