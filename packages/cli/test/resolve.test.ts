/**
 * `strongbox resolve` and `strongbox run --template` as real processes, in local mode (the
 * embedded store) and in remote mode (a real server, `POST /api/v1/resolve`): JSON, YAML
 * and .env templates, escapes, every missing reference listed, another user's private
 * secret reported as missing, and the canary printed only where resolved output was asked.
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createClient } from "@strongbox/client";
import { openRuntime } from "@strongbox/server/runtime";
import { parse as parseDotenv } from "dotenv";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse as parseYaml } from "yaml";
import {
	CANARY,
	cli,
	json,
	type Result,
	type RunOptions,
	requireBuild,
	tempDir,
} from "./helpers.js";
import { startServer, type TestServer } from "./server.js";

const cleanups: (() => Promise<unknown>)[] = [];
let server: TestServer;
let localHome: string;
let remoteHome: string;

/** Creates what every mode reads: `db` (the canary), `api`, and bob's private `bobs`. */
async function seed(sb: (args: string[], o?: RunOptions) => Promise<Result>) {
	const db = await sb(["secret", "create", "db", "--user=app", "--password=@-"], { stdin: CANARY });
	expect(db.code, db.stderr).toBe(0);
	expect((await sb(["secret", "create", "api", "--token=tkn-1", "--url=https://api"])).code).toBe(
		0,
	);
}

beforeAll(async () => {
	requireBuild();
	const local = await tempDir("strongbox-resolve-local-");
	const remote = await tempDir("strongbox-resolve-remote-");
	cleanups.push(local.remove, remote.remove);
	localHome = local.path;
	remoteHome = remote.path;

	await seed((args, o) => cli(args, localHome, o));
	// Another user's private secret, written through the runtime the CLI uses.
	const runtime = await openRuntime({ dataDir: localHome });
	await runtime.secrets
		.as({ user: "bob", workspace: "default" })
		.createSecret({ name: "bobs", scope: "user", values: { token: CANARY } });
	await runtime.close();

	server = await startServer();
	cleanups.push(async () => {
		expect(await server.stop()).toBe(0);
		expect(server.log()).toContain("/api/v1/resolve");
		expect(server.log()).not.toContain(CANARY);
	});
	const login = await cli(["login", server.url], remoteHome, { stdin: server.adminToken });
	expect(login.code, login.stderr).toBe(0);
	await seed((args, o) => cli(args, remoteHome, o));
	const admin = createClient({ url: server.url, token: server.adminToken });
	await admin.createUser({ name: "bob", defaultWorkspace: "default" });
	const { token } = await admin.createToken({ name: "bob", user: "bob" });
	const bob = createClient({ url: server.url, token });
	await bob.createSecret({ name: "bobs", scope: "user", values: { token: CANARY } });
	await Promise.all([admin.close(), bob.close()]);
});

afterAll(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
});

const node = process.execPath;
// The child compares instead of printing, so that no output ever holds the value.
const check = `const want = JSON.parse(process.argv[1]);
const bad = Object.entries(want).filter(([k, v]) => process.env[k] !== v).map(([k]) => k);
process.stdout.write(bad.length === 0 ? "env-ok" : "missing:" + bad.join(","));`;

describe.each(["local", "remote"] as const)("%s mode", (mode) => {
	const home = () => (mode === "local" ? localHome : remoteHome);
	const sb = (args: string[], options?: RunOptions) => cli(args, home(), options);
	const file = async (name: string, text: string) => {
		await writeFile(join(home(), name), text);
		return name;
	};

	test("a JSON template: references anywhere in strings, escapes kept literal, other values untouched", async () => {
		const name = await file(
			"app.json",
			JSON.stringify({
				url: "postgres://{{db.user}}:{{ db.password }}@db:5432/app",
				port: 5432,
				enabled: true,
				nested: [{ token: "{{api.token}}" }, null, "{{api.url}}/v1"],
				literal: "\\{{db.password}}",
				backslash: "\\\\{{db.user}}",
				"{{db.user}}": "object keys are not resolved",
			}),
		);
		const result = await sb(["resolve", name], { reveals: true });
		expect(result.code, result.stderr).toBe(0);
		expect(JSON.parse(result.stdout)).toEqual({
			url: `postgres://app:${CANARY}@db:5432/app`,
			port: 5432,
			enabled: true,
			nested: [{ token: "tkn-1" }, null, "https://api/v1"],
			literal: "{{db.password}}",
			backslash: "\\app",
			"{{db.user}}": "object keys are not resolved",
		});
		expect(result.stderr).toBe("");
	});

	test("a YAML template keeps its comments and layout; -o writes 0600; --json shapes", async () => {
		const name = await file(
			"app.yaml",
			[
				"# deployment settings",
				"database:",
				'  url: "postgres://{{db.user}}:{{db.password}}@db/app" # resolved',
				"  pool: 10",
				"workers:",
				"  - &token '{{api.token}}'",
				"  - *token",
				"literal: '\\{{db.password}}'",
				"",
			].join("\n"),
		);
		const result = await sb(["resolve", name], { reveals: true });
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toContain("# deployment settings");
		expect(result.stdout).toContain("# resolved");
		expect(parseYaml(result.stdout)).toEqual({
			database: { url: `postgres://app:${CANARY}@db/app`, pool: 10 },
			workers: ["tkn-1", "tkn-1"],
			literal: "{{db.password}}",
		});

		const written = await sb(["resolve", name, "-o", "out.yaml", "--json"]);
		expect(written.code, written.stderr).toBe(0);
		const body = json<{ format: string; file: string; references: unknown[] }>(written);
		expect(body.format).toBe("yaml");
		expect(body.references).toEqual([
			{ reference: "{{db.user}}", name: "db", key: "user", path: "$.database.url" },
			{ reference: "{{db.password}}", name: "db", key: "password", path: "$.database.url" },
			{ reference: "{{api.token}}", name: "api", key: "token", path: "$.workers[0]" },
		]);
		expect((await stat(body.file)).mode & 0o777).toBe(0o600);
		expect(await readFile(body.file, "utf8")).toBe(result.stdout);
		expect((await sb(["resolve", name, "-o", "out.yaml"])).code).toBe(2);
	});

	test("a .env template, format from --format on stdin; values quoted so that dotenv reads them back", async () => {
		const template = [
			"DATABASE_URL='postgres://{{db.user}}:{{db.password}}@db/app'",
			"TOKEN={{api.token}}",
			"LITERAL='\\{{db.user}}'",
			"",
		].join("\n");
		const result = await sb(["resolve", "-", "--format", "env"], {
			stdin: template,
			reveals: true,
		});
		expect(result.code, result.stderr).toBe(0);
		expect(parseDotenv(result.stdout)).toEqual({
			DATABASE_URL: `postgres://app:${CANARY}@db/app`,
			TOKEN: "tkn-1",
			LITERAL: "{{db.user}}",
		});
		expect(Object.keys(parseDotenv(result.stdout))).toEqual(["DATABASE_URL", "TOKEN", "LITERAL"]);
	});

	test("every missing reference is listed, exit 3, nothing on stdout, no value anywhere", async () => {
		const missing = Array.from({ length: 12 }, (_, i) => `{{nope${i}.key}}`);
		const name = await file(
			"missing.json",
			JSON.stringify({
				ok: "{{db.password}}",
				missing,
				badKey: "{{db.nokey}}",
				private: "{{bobs.token}}",
			}),
		);
		const result = await sb(["resolve", name]);
		expect(result.code).toBe(3);
		expect(result.stdout).toBe("");
		expect(result.stderr).toContain("14 secret references could not be resolved");
		for (let i = 0; i < 12; i++) {
			expect(result.stderr).toContain(
				`  - {{nope${i}.key}}: secret not found (at $.missing[${i}])`,
			);
		}
		expect(result.stderr).toContain("  - {{db.nokey}}: key not found (at $.badKey)");
		// bob's private secret is invisible to this caller, exactly like a missing one.
		expect(result.stderr).toContain("  - {{bobs.token}}: secret not found (at $.private)");

		const asJson = await sb(["resolve", name, "--json"]);
		expect(asJson.code).toBe(3);
		const error = JSON.parse(asJson.stderr).error;
		expect(error).toMatchObject({ code: "REFERENCE_UNRESOLVED", exitCode: 3 });
		expect(error.details.missing).toHaveLength(14);
		expect(error.details.missing).toContainEqual({
			reference: "{{bobs.token}}",
			name: "bobs",
			key: "token",
			path: "$.private",
			reason: "secret-not-found",
		});

		const malformed = await sb([
			"resolve",
			await file("bad.json", '{"a":"{{db}}","b":"{{db.a.b}}"}'),
		]);
		expect(malformed.code).toBe(2);
		expect(malformed.stderr).toMatch(/\$\.a: `\{\{` at character 0 has no `\.key`/);
		expect(malformed.stderr).toMatch(/\$\.b: .*key containing '\.'/);
	});

	test("--check reads no value; levels from --level or STRONGBOX_SECRET_VALIDATION_LEVEL", async () => {
		const good = await file(
			"good.json",
			JSON.stringify({ a: "{{db.password}}", b: "{{api.token}}" }),
		);
		const ok = await sb(["resolve", good, "--check"]);
		expect(ok.code, ok.stderr).toBe(0);
		expect(ok.stdout).toBe("");
		expect(ok.stderr).toContain("OK: 2 references to 2 secrets checked (SECRET_AND_KEY_EXISTS).");
		expect(json(await sb(["resolve", good, "--check", "--json"]))).toEqual({
			valid: true,
			level: "SECRET_AND_KEY_EXISTS",
			references: [
				{ reference: "{{db.password}}", name: "db", key: "password", path: "$.a" },
				{ reference: "{{api.token}}", name: "api", key: "token", path: "$.b" },
			],
		});

		const badKey = await file("key.json", JSON.stringify({ a: "{{db.nokey}}", b: "{{gone.x}}" }));
		expect((await sb(["resolve", badKey, "--check", "--level", "none"])).code).toBe(0);
		const exists = await sb(["resolve", badKey, "--check", "--level", "SECRET_EXISTS"]);
		expect(exists.code).toBe(3);
		expect(exists.stderr).toContain("{{gone.x}}: secret not found");
		expect(exists.stderr).not.toContain("{{db.nokey}}");
		const full = await sb(["resolve", badKey, "--check"]);
		expect(full.code).toBe(3);
		expect(full.stderr).toContain("{{db.nokey}}: key not found");
		const fromEnv = await sb(["resolve", badKey, "--check"], {
			env: { STRONGBOX_SECRET_VALIDATION_LEVEL: "none" },
		});
		expect(fromEnv.code, fromEnv.stderr).toBe(0);
		expect(fromEnv.stderr).toContain("(NONE)");
		expect(
			(
				await sb(["resolve", good, "--check"], {
					env: { STRONGBOX_SECRET_VALIDATION_LEVEL: "most" },
				})
			).code,
		).toBe(2);
		expect((await sb(["resolve", good, "--level", "NONE"])).code).toBe(2);
		expect((await sb(["resolve", good, "--check", "--level", "ALL"])).code).toBe(2);
	});

	test("run --template: resolved variables injected, templates win over --secret, missing refs stop it", async () => {
		const env = await file(
			"run.env",
			"DATABASE_URL='postgres://{{db.user}}:{{db.password}}@db/app'\nuser=from-template\n",
		);
		const want = {
			DATABASE_URL: `postgres://app:${CANARY}@db/app`,
			user: "from-template",
			token: "tkn-1",
		};
		const result = await sb([
			"run",
			"--secret",
			"api",
			"--template",
			env,
			"--",
			node,
			"-e",
			check,
			JSON.stringify({ ...want, password: undefined }),
		]);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toBe("env-ok");

		const both = await sb([
			"run",
			"-s",
			"db",
			"-t",
			env,
			"--",
			node,
			"-e",
			check,
			JSON.stringify(want),
		]);
		expect(both.stdout).toBe("missing:token");
		expect(both.stderr).toContain("$user from `db` is overridden by template run.env.");

		const yaml = await file("run.yaml", "PASSWORD: '{{db.password}}'\nPORT: 5432\n");
		const fromYaml = await sb([
			"run",
			"-t",
			yaml,
			"--",
			node,
			"-e",
			check,
			JSON.stringify({ PASSWORD: CANARY, PORT: "5432" }),
		]);
		expect(fromYaml.code, fromYaml.stderr).toBe(0);
		expect(fromYaml.stdout).toBe("env-ok");

		const missing = await file("missing.env", "A={{nope.key}}\nB={{bobs.token}}\n");
		const stopped = await sb([
			"run",
			"-t",
			missing,
			"--",
			node,
			"-e",
			"process.stdout.write('started')",
		]);
		expect(stopped.code).toBe(3);
		expect(stopped.stdout).toBe("");
		expect(stopped.stderr).toContain("{{nope.key}}: secret not found (at $.A)");
		expect(stopped.stderr).toContain("{{bobs.token}}: secret not found (at $.B)");

		const nested = await file("nested.json", JSON.stringify({ A: { b: "c" }, "1X": "y" }));
		const invalid = await sb(["run", "-t", nested, "--", node, "-e", "1"]);
		expect(invalid.code).toBe(2);
		expect(invalid.stderr).toContain("has 2 invalid variables");
	});
});
