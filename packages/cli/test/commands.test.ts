/**
 * The commands in-process (core's memory catalog and store, captured streams): parsing,
 * output shapes, exit codes and messages, many cases per second. The end-to-end suites
 * (local.test.ts, remote.test.ts, run.test.ts) run the built `strongbox` binary.
 */
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { EXIT } from "../src/errors.js";
import { inProcess, type Run } from "./in-process.js";

const CANARY = "CANARY-inproc-7d1e0b";
let dir: string;

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), "strongbox-cmd-"));
});

function noCanary(run: Run): Run {
	expect(run.stdout).not.toContain(CANARY);
	expect(run.stderr).not.toContain(CANARY);
	return run;
}

describe("secret create / get / list", () => {
	test("--json shapes are stable and carry no value", async () => {
		const { cli } = inProcess({ cwd: dir });
		const created = noCanary(
			await cli(["secret", "create", "db", `--password=${CANARY}`, "user=app", "--json"]),
		);
		expect(created.code).toBe(0);
		const meta = JSON.parse(created.stdout);
		expect(Object.keys(meta).sort()).toEqual(
			[
				"backend",
				"createdAt",
				"id",
				"keys",
				"name",
				"owner",
				"scope",
				"updatedAt",
				"version",
				"workspace",
			].sort(),
		);
		expect(meta).toMatchObject({
			name: "db",
			scope: "workspace",
			workspace: "default",
			owner: null,
			keys: ["password", "user"],
			version: 1,
		});

		const masked = JSON.parse(noCanary(await cli(["secret", "get", "db", "--json"])).stdout);
		expect(masked.values).toEqual({ password: "********", user: "********" });
		const revealed = JSON.parse((await cli(["secret", "get", "db", "--json", "--reveal"])).stdout);
		expect(revealed.values).toEqual({ password: CANARY, user: "app" });
		const one = JSON.parse(
			(await cli(["secret", "get", "db", "--key", "password", "--reveal", "--json"])).stdout,
		);
		expect(one).toEqual({ name: "db", id: meta.id, key: "password", value: CANARY });
		const list = JSON.parse(noCanary(await cli(["secret", "list", "--json"])).stdout);
		expect(list).toMatchObject({ page: 1, size: 20, total: 1, totalPages: 1 });
		expect(list.items[0]).toEqual(meta);
	});

	test("raw value for scripts: no newline unless stdout is a terminal", async () => {
		const { cli } = inProcess();
		await cli(["secret", "create", "db", "password=pw"]);
		expect((await cli(["secret", "get", "db", "--key", "password", "--reveal"])).stdout).toBe("pw");
		expect(
			(await cli(["secret", "get", "db", "--key", "password", "--reveal"], { stdoutTTY: true }))
				.stdout,
		).toBe("pw\n");
		const missing = await cli(["secret", "get", "db", "--key", "nope", "--reveal"]);
		expect(missing.code).toBe(EXIT.NOT_FOUND);
		expect(missing.stderr).toContain("Secret `db` has no key `nope`.");
		expect((await cli(["secret", "get", "db", "--key", "nope"])).code).toBe(EXIT.NOT_FOUND);
	});

	test("user scope is looked up first; --scope and --id address precisely", async () => {
		const { cli } = inProcess();
		await cli(["secret", "create", "api", "k=shared"]);
		await cli(["secret", "create", "api", "k=mine", "--scope", "user"]);
		expect((await cli(["secret", "get", "api", "--key", "k", "--reveal"])).stdout).toBe("mine");
		expect(
			(await cli(["secret", "get", "api", "--key", "k", "--reveal", "--scope", "workspace"]))
				.stdout,
		).toBe("shared");
		const id = JSON.parse(
			(await cli(["secret", "get", "api", "--scope", "workspace", "--json"])).stdout,
		).id;
		expect((await cli(["secret", "get", id, "--id", "--key", "k", "--reveal"])).stdout).toBe(
			"shared",
		);
		const list = JSON.parse((await cli(["secret", "list", "--scope", "user", "--json"])).stdout);
		expect(list.items.map((i: { scope: string }) => i.scope)).toEqual(["user"]);
	});

	test("list filters, sort and pages", async () => {
		const { cli } = inProcess();
		for (const name of ["prod-db", "prod-cache", "dev-db", "staging-db"])
			await cli(["secret", "create", name, "k=v"]);
		const names = async (...args: string[]) =>
			JSON.parse((await cli(["secret", "list", "--json", ...args])).stdout).items.map(
				(i: { name: string }) => i.name,
			);
		expect(await names("--name", "startswith:prod-", "--sort", "name")).toEqual([
			"prod-cache",
			"prod-db",
		]);
		expect(await names("--name", "endswith:-db", "--sort", "name:desc")).toEqual([
			"staging-db",
			"prod-db",
			"dev-db",
		]);
		expect(await names("--name", "contains:ev")).toEqual(["dev-db"]);
		expect(await names("--name", "dev-db")).toEqual(["dev-db"]);
		expect(await names("--sort", "name", "--size", "2", "--page", "2")).toEqual([
			"prod-db",
			"staging-db",
		]);
		const page = await cli(["secret", "list", "--sort", "name", "--size", "2"]);
		expect(page.stdout.split("\n")[0]).toMatch(
			/^NAME\s+SCOPE\s+WORKSPACE\s+VERSION\s+UPDATED\s+KEYS$/,
		);
		expect(page.stderr).toContain("Page 1 of 2 (4 secrets). Next: --page 2");
		expect((await cli(["secret", "list", "--sort", "size"])).code).toBe(EXIT.USAGE);
		expect((await cli(["secret", "list", "--name", "regex:x"])).code).toBe(EXIT.USAGE);
		expect((await cli(["secret", "list", "--page", "0"])).code).toBe(EXIT.USAGE);
		expect((await cli(["secret", "list", "--created-after", "yesterday"])).code).toBe(EXIT.USAGE);
		expect(await names("--created-after", "2000-01-01T00:00:00Z", "--name", "dev-db")).toEqual([
			"dev-db",
		]);
	});

	test("create errors: exit codes and messages", async () => {
		const { cli } = inProcess({ cwd: dir });
		await cli(["secret", "create", "db", "k=v"]);
		const exists = noCanary(await cli(["secret", "create", "db", `k=${CANARY}`]));
		expect(exists.code).toBe(EXIT.CONFLICT);
		expect(exists.stderr).toMatch(/error: .*db.*\nhint: Use `strongbox secret update NAME/);
		expect((await cli(["secret", "create", "db2"])).code).toBe(EXIT.USAGE);
		expect(noCanary(await cli(["secret", "create", "bad.name", `k=${CANARY}`])).code).toBe(
			EXIT.USAGE,
		);
		expect(noCanary(await cli(["secret", "create", "db3", `bad.key=${CANARY}`])).code).toBe(
			EXIT.USAGE,
		);
		expect(noCanary(await cli(["secret", "create", "db3", `--k=${CANARY}`, CANARY])).code).toBe(
			EXIT.USAGE,
		);
		expect(noCanary(await cli(["secret", "create", "db3", `--k`, CANARY])).code).toBe(EXIT.USAGE);
		expect(
			noCanary(await cli(["secret", "create", "db3", "--values", `{"k": "${CANARY}"`])).code,
		).toBe(EXIT.USAGE);
		expect((await cli(["secret", "create", "db3", "k=@nope.txt"])).stderr).toContain(
			"Cannot read file `nope.txt`: no such file.",
		);
		const big = await cli(["secret", "create", "db3", `k=${"x".repeat(70_000)}`]);
		expect(big.code).toBe(EXIT.USAGE);
		expect(big.stderr).toMatch(/PAYLOAD|limit/i);
		const json = await cli(["secret", "create", "db", "k=v", "--json"]);
		expect(JSON.parse(json.stderr)).toMatchObject({
			error: { code: "SECRET_EXISTS", exitCode: EXIT.CONFLICT },
		});
		expect(json.stdout).toBe("");
	});
});

describe("update, rename, delete", () => {
	test("update merges, removes keys, honours --expected-version", async () => {
		const { cli } = inProcess();
		await cli(["secret", "create", "db", "a=1", "b=2"]);
		const updated = await cli(["secret", "update", "db", "--a=10", "c=3", "--remove-key", "b"]);
		expect(updated.code).toBe(0);
		expect(updated.stderr).toContain(
			"Updated secret `db`: set a, c; removed b (version 2, 2 keys).",
		);
		expect(
			JSON.parse((await cli(["secret", "get", "db", "--reveal", "--json"])).stdout).values,
		).toEqual({ a: "10", c: "3" });
		const conflict = await cli(["secret", "update", "db", "a=x", "--expected-version", "1"]);
		expect(conflict.code).toBe(EXIT.CONFLICT);
		expect((await cli(["secret", "update", "db", "a=x", "--expected-version", "2"])).code).toBe(0);
		expect((await cli(["secret", "update", "db", "--remove-key", "zzz"])).code).toBe(
			EXIT.NOT_FOUND,
		);
		expect((await cli(["secret", "update", "db"])).code).toBe(EXIT.USAGE);
		expect((await cli(["secret", "update", "nope", "a=1"])).code).toBe(EXIT.NOT_FOUND);
		const moved = JSON.parse(
			(await cli(["secret", "update", "db", "--new-scope", "user", "--json"])).stdout,
		);
		expect(moved).toMatchObject({ scope: "user", owner: "local" });
	});

	test("rename keeps id and values; delete needs -y without a terminal", async () => {
		const { cli } = inProcess();
		const id = JSON.parse((await cli(["secret", "create", "old", "k=v", "--json"])).stdout).id;
		const renamed = JSON.parse((await cli(["secret", "rename", "old", "new", "--json"])).stdout);
		expect(renamed).toMatchObject({ id, name: "new", version: 2 });
		expect((await cli(["secret", "get", "old"])).code).toBe(EXIT.NOT_FOUND);
		const refused = await cli(["secret", "delete", "new"]);
		expect(refused.code).toBe(EXIT.USAGE);
		expect(refused.stderr).toContain("Pass -y to delete.");
		expect(JSON.parse((await cli(["secret", "delete", "new", "-y", "--json"])).stdout)).toEqual({
			deleted: true,
			id,
			name: "new",
		});
		expect((await cli(["secret", "get", "new"])).code).toBe(EXIT.NOT_FOUND);
	});
});

describe("export and import", () => {
	test("round trips in the three formats, files 0600", async () => {
		const { cli } = inProcess({ cwd: dir });
		const values = {
			url: "postgres://u:p@h/db",
			multi: "line1\nline2\n",
			quote: `it's "quoted"`,
			empty: "",
			pw: CANARY,
		};
		await cli(["secret", "create", "src", "--values", JSON.stringify(values)]);
		for (const format of ["env", "json", "yaml"]) {
			const file = `out-${format}.${format}`;
			const exported = noCanary(await cli(["secret", "export", "src", "--output", file]));
			expect(exported.code).toBe(0);
			expect(exported.stderr).toContain(`(${format}, mode 0600)`);
			expect((await stat(join(dir, file))).mode & 0o777).toBe(0o600);
			expect((await cli(["secret", "export", "src", "--output", file])).code).toBe(EXIT.USAGE);
			const imported = noCanary(await cli(["secret", "import", file, "--name", `copy-${format}`]));
			expect(imported.code).toBe(0);
			expect(imported.stderr).toContain(`Read 1 secret from ${file} (${format}, one secret).`);
			const back = JSON.parse(
				(await cli(["secret", "get", `copy-${format}`, "--reveal", "--json"])).stdout,
			);
			expect(back.values).toEqual(values);
		}
		const stdout = await cli(["secret", "export", "src", "--format", "yaml"]);
		expect(stdout.stdout).toContain(CANARY);
		expect(stdout.stderr).toBe("");
		const tty = await cli(["secret", "export", "src"], { stdoutTTY: true });
		expect(tty.stderr).toContain("warning: printing the values of `src` to the terminal.");
		expect((await cli(["-q", "secret", "export", "src"], { stdoutTTY: true })).stderr).toBe("");
		await writeFile(join(dir, "existing.env"), "old", { mode: 0o644 });
		await cli(["secret", "export", "src", "--output", "existing.env", "--force"]);
		expect((await stat(join(dir, "existing.env"))).mode & 0o777).toBe(0o600);
		expect(await readFile(join(dir, "existing.env"), "utf8")).toContain("pw=");
	});

	test("import: a map of secrets, names from file names, --update, stdin", async () => {
		const { cli } = inProcess({ cwd: dir });
		await writeFile(
			join(dir, "many.yaml"),
			"db:\n  user: app\n  port: 5432\ncache:\n  url: redis://x\n",
		);
		const many = await cli(["secret", "import", "many.yaml", "--json"]);
		expect(many.code).toBe(0);
		const report = JSON.parse(many.stdout);
		expect(report).toMatchObject({ format: "yaml", shape: "map", updated: [] });
		expect(report.created.map((c: { name: string }) => c.name)).toEqual(["db", "cache"]);
		expect((await cli(["secret", "import", "many.yaml", "--name", "x"])).code).toBe(EXIT.USAGE);
		expect((await cli(["secret", "import", "many.yaml"])).code).toBe(EXIT.CONFLICT);
		await writeFile(join(dir, "many.yaml"), "db:\n  port: 6543\n");
		expect((await cli(["secret", "import", "many.yaml", "--update"])).stderr).toContain(
			"updated `db`",
		);
		expect(
			JSON.parse((await cli(["secret", "get", "db", "--reveal", "--json"])).stdout).values,
		).toEqual({ user: "app", port: "6543" });

		await writeFile(join(dir, "web.env"), "# comment\nexport A=1\nB='two words'\n");
		expect((await cli(["secret", "import", "web.env"])).code).toBe(0);
		expect(
			JSON.parse((await cli(["secret", "get", "web", "--reveal", "--json"])).stdout).values,
		).toEqual({ A: "1", B: "two words" });
		await writeFile(join(dir, ".env"), "A=1\n");
		expect((await cli(["secret", "import", ".env"])).stderr).toContain("--name");
		expect(
			(await cli(["secret", "import", "-", "--name", "piped"], { stdin: "X=1\nY=2\n" })).code,
		).toBe(0);
		expect(JSON.parse((await cli(["secret", "get", "piped", "--json"])).stdout).keys).toEqual([
			"X",
			"Y",
		]);
		expect((await cli(["secret", "import", "-"], { stdin: "X=1\n" })).code).toBe(EXIT.USAGE);
		const exported = (await cli(["secret", "get", "piped", "--reveal", "--json"])).stdout;
		await writeFile(join(dir, "piped.json"), exported);
		expect((await cli(["secret", "import", "piped.json", "--name", "piped2"])).code).toBe(0);
		expect(
			JSON.parse((await cli(["secret", "get", "piped2", "--reveal", "--json"])).stdout).values,
		).toEqual({ X: "1", Y: "2" });
		await writeFile(join(dir, "bad.json"), `{"a": "${CANARY}",}`);
		expect(noCanary(await cli(["secret", "import", "bad.json", "--name", "b"])).code).toBe(
			EXIT.USAGE,
		);
		await writeFile(join(dir, "mixed.json"), JSON.stringify({ a: "x", b: { c: "d" } }));
		expect((await cli(["secret", "import", "mixed.json", "--name", "m"])).code).toBe(EXIT.USAGE);
	});
});

describe("global behaviour", () => {
	test("usage errors: exit 2, sanitised, with a hint", async () => {
		const { cli } = inProcess();
		const unknown = noCanary(await cli(["secret", "get", "db", `--passwd=${CANARY}`]));
		expect(unknown.code).toBe(EXIT.USAGE);
		expect(unknown.stderr).toContain("error: unknown option '--passwd=…'");
		expect(unknown.stderr).toContain("hint: Add --help");
		const short = noCanary(await cli(["secret", "get", "db", `-p${CANARY}`]));
		expect(short.code).toBe(EXIT.USAGE);
		expect(short.stderr).toContain("unknown option '-p…'");
		expect((await cli(["nope"])).code).toBe(EXIT.USAGE);
		expect((await cli(["secret"])).code).toBe(EXIT.USAGE);
		expect((await cli(["secret", "get"])).code).toBe(EXIT.USAGE);
		const help = await cli(["secret", "create", "--help"]);
		expect(help.code).toBe(0);
		expect(help.stdout).toContain("--KEY=@path");
		expect((await cli(["--version"])).stdout).toMatch(/^\d+\.\d+\.\d+/);
		expect((await cli(["secret", "list", "--", "x"])).code).toBe(EXIT.USAGE);
		const json = await cli(["--json", "secret", "get"]);
		expect(JSON.parse(json.stderr).error).toMatchObject({ code: "USAGE", exitCode: 2 });
	});

	test("token commands need a server; whoami in local mode", async () => {
		const { cli } = inProcess();
		const tokens = await cli(["token", "list"]);
		expect(tokens.code).toBe(EXIT.USAGE);
		expect(tokens.stderr).toContain("strongbox login");
		expect(JSON.parse((await cli(["whoami", "--json"])).stdout)).toMatchObject({
			mode: "local",
			user: "local",
			workspace: "default",
		});
	});

	test("-q silences status messages but not data or errors", async () => {
		const { cli } = inProcess();
		expect((await cli(["-q", "secret", "create", "db", "k=v"])).stderr).toBe("");
		expect((await cli(["secret", "create", "db2", "k=v"])).stderr).toContain(
			"Created secret `db2`",
		);
		expect((await cli(["-q", "secret", "get", "nope"])).stderr).toContain("error:");
	});
});

describe("resolve and doctor", () => {
	test("resolve: flags checked before anything is read; text and --json outputs", async () => {
		const { cli } = inProcess({ cwd: dir });
		expect((await cli(["secret", "create", "ref", `--password=${CANARY}`])).code).toBe(0);
		await writeFile(join(dir, "t.json"), JSON.stringify({ a: "{{ref.password}}", b: "\\{{x}}" }));
		expect((await cli(["resolve", "t.json", "--level", "NONE"])).code).toBe(EXIT.USAGE);
		expect((await cli(["resolve", "t.json", "--check", "-o", "x.json"])).code).toBe(EXIT.USAGE);
		expect((await cli(["resolve", "t.json", "--format", "toml"])).code).toBe(EXIT.USAGE);
		expect((await cli(["resolve", "missing.json"])).code).toBe(EXIT.USAGE);
		const resolved = await cli(["resolve", "t.json"]);
		expect(resolved.code, resolved.stderr).toBe(0);
		expect(JSON.parse(resolved.stdout)).toEqual({ a: CANARY, b: "{{x}}" });
		const warned = await cli(["resolve", "t.json"], { stdoutTTY: true });
		expect(warned.stderr).toBe("warning: printing resolved secret values to the terminal.\n");
		const checked = noCanary(await cli(["resolve", "t.json", "--check", "--json"]));
		expect(JSON.parse(checked.stdout)).toEqual({
			valid: true,
			level: "SECRET_AND_KEY_EXISTS",
			references: [{ reference: "{{ref.password}}", name: "ref", key: "password", path: "$.a" }],
		});
	});

	test("doctor: a healthy report is exit 0; --repair reports what it did", async () => {
		const { cli } = inProcess({ cwd: dir });
		const text = await cli(["doctor"]);
		expect(text.code).toBe(0);
		expect(text.stdout).toMatch(/^memory\s+memory\s+primary\s+ok$/m);
		expect(text.stdout).toContain("Everything is fine.");
		const repaired = await cli(["doctor", "--repair", "--json"]);
		expect(JSON.parse(repaired.stdout)).toMatchObject({
			ok: true,
			repair: { reconcile: { completed: 0, rolledBack: 0 }, resync: { repaired: 0, failed: [] } },
		});
	});
});
