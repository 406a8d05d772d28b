/**
 * `pnpm new-store` (scripts/new-store.mjs), always into temporary directories so the
 * workspace is never touched:
 *
 * - stand-alone (`--dir`): the renamed copy has nothing of the old name left, its
 *   manifests work outside the repository, its sources type-check, and its own tests
 *   pass unchanged under vitest;
 * - in-repository mode, run from a throw-away copy of the repository's skeleton;
 * - the refusals: bad ids, built-in types, existing targets, `--dir` inside the repository.
 *
 * How the copy resolves its dependencies without an install: `<tmp>/node_modules` (next
 * to the copy, never inside it) holds symlinks to the entries of this package's own
 * `node_modules`, which `pnpm install` creates on every checkout; Node and vite find them
 * by walking up from the copy. vitest runs with a config that imports the copy's
 * `vitest.config.ts` and only adds the `strongbox-source` condition, so the workspace's
 * sources of @strongbox/core, testkit and store-sql stand in for the published packages
 * and nothing needs building.
 */
import { randomUUID } from "node:crypto";
import {
	cp,
	mkdir,
	mkdtemp,
	readdir,
	readFile,
	realpath,
	rm,
	symlink,
	writeFile,
} from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, ROOT, run, TEMPLATE } from "./helpers.js";

const SCRIPT = join(ROOT, "scripts", "new-store.mjs");
let tmp: string;

beforeAll(async () => {
	tmp = await realpath(await mkdtemp(join(tmpdir(), "sb-new-store-")));
});

afterAll(async () => {
	if (tmp) await rm(tmp, { recursive: true, force: true });
});

function newStore(args: string[], cwd = tmp, script = SCRIPT) {
	return run(process.execPath, [script, ...args], { cwd, env: cleanEnv() });
}

/** Every file under `dir`, relative, skipping `node_modules`. */
async function filesOf(dir: string, skip: (name: string) => boolean = () => false) {
	const out: string[] = [];
	for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
		if (!entry.isFile()) continue;
		const rel = relative(dir, join(entry.parentPath, entry.name));
		if (rel.split("/").some((part) => part === "node_modules" || skip(part))) continue;
		out.push(rel);
	}
	return out.sort();
}

/** Links each dependency of this package into `<dir>/node_modules` (see the module comment). */
async function linkDependencies(dir: string): Promise<void> {
	const source = join(TEMPLATE, "node_modules");
	const target = join(dir, "node_modules");
	for (const entry of await readdir(source)) {
		if (entry.startsWith(".")) continue;
		if (entry.startsWith("@")) {
			await mkdir(join(target, entry), { recursive: true });
			for (const scoped of await readdir(join(source, entry))) {
				await symlink(await realpath(join(source, entry, scoped)), join(target, entry, scoped));
			}
		} else {
			await mkdir(target, { recursive: true });
			await symlink(await realpath(join(source, entry)), join(target, entry));
		}
	}
}

describe("pnpm new-store --dir (a stand-alone third-party package)", () => {
	let copy: string;

	beforeAll(async () => {
		copy = join(tmp, "strongbox-store-acme-kv");
		const result = await newStore(["acme-kv", "--dir", copy]);
		expect(result.stderr).toBe("");
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('package strongbox-store-acme-kv, store type "acme-kv"');
		expect(result.stdout).toContain('{"store": {"type": "strongbox-store-acme-kv"');
	});

	it("copies every file but build output and the template's own tests, renamed", async () => {
		const expected = (
			await filesOf(TEMPLATE, (part) =>
				["dist", ".turbo", "coverage", "template-only"].includes(part),
			)
		)
			.filter((file) => !file.endsWith(".tsbuildinfo"))
			.map((file) => file.replaceAll("custom-template", "acme-kv"));
		expect(await filesOf(copy)).toEqual(expected);
	});

	it("leaves nothing of the old name anywhere (grep)", async () => {
		const grep = await run("grep", ["-r", "-i", "-l", "-E", "custom[-_ ]?template", "."], {
			cwd: copy,
		});
		// grep exits 1 when nothing matches.
		expect(grep.stdout).toBe("");
		expect(grep.code).toBe(1);
		const index = await readFile(join(copy, "src", "index.ts"), "utf8");
		expect(index).toContain("export const acmeKvStore = defineStore<AcmeKvStoreOptions>({");
		expect(index).toContain("export default acmeKvStore;");
		expect(index).toContain("createAcmeKvStore(options, context)");
		expect(await readFile(join(copy, "src", "errors.ts"), "utf8")).toContain(
			'export const STORE_TYPE = "acme-kv";',
		);
		const readme = await readFile(join(copy, "README.md"), "utf8");
		expect(readme.startsWith("# strongbox-store-acme-kv\n")).toBe(true);
		expect(readme).toContain("## Publish your own Strongbox store");
		expect(readme).not.toContain("template-only");
		expect(readme).not.toContain("new-store");
	});

	it("has manifests that work outside the repository", async () => {
		const pkg = JSON.parse(await readFile(join(copy, "package.json"), "utf8"));
		const core = JSON.parse(await readFile(join(ROOT, "packages/core/package.json"), "utf8"));
		expect(pkg.name).toBe("strongbox-store-acme-kv");
		expect(pkg.strongbox).toEqual({ role: "store", type: "acme-kv" });
		expect(pkg.keywords).toContain("strongbox-store");
		expect(pkg.peerDependencies).toEqual({ "@strongbox/core": `^${core.version}` });
		expect(pkg.dependencies.zod).toMatch(/^\^\d/);
		expect(JSON.stringify(pkg)).not.toMatch(/workspace:|catalog:|strongbox-source/);
		const tsconfig = JSON.parse(await readFile(join(copy, "tsconfig.json"), "utf8"));
		expect(tsconfig.extends).toBeUndefined();
		expect(tsconfig.compilerOptions.module).toBe("NodeNext");
		expect(tsconfig.compilerOptions.customConditions).toBeUndefined();
		const vitestConfig = await readFile(join(copy, "vitest.config.ts"), "utf8");
		expect(vitestConfig).not.toContain("strongbox-source");
		expect(vitestConfig).toContain('name: "store-acme-kv"');
	});

	it("type-checks and passes its own tests, unchanged", async () => {
		await linkDependencies(tmp);
		// tsc: the copy's sources against core's sources (the copy's tests import store-sql
		// and testkit, whose sources other work may be changing: vitest covers those below).
		await writeFile(
			join(tmp, "tsconfig.check.json"),
			JSON.stringify({
				extends: "./strongbox-store-acme-kv/tsconfig.json",
				compilerOptions: { customConditions: ["strongbox-source"] },
				include: ["strongbox-store-acme-kv/src"],
			}),
		);
		const require = createRequire(join(TEMPLATE, "package.json"));
		const tsc = join(dirname(require.resolve("typescript/package.json")), "bin", "tsc");
		const typecheck = await run(process.execPath, [tsc, "-p", "tsconfig.check.json"], {
			cwd: tmp,
			timeoutMs: 120_000,
		});
		expect(typecheck.stdout + typecheck.stderr).toBe("");
		expect(typecheck.code).toBe(0);

		await writeFile(
			join(tmp, "vitest.sources.config.ts"),
			[
				'import { mergeConfig } from "vitest/config";',
				'import copy from "./strongbox-store-acme-kv/vitest.config.ts";',
				"",
				"export default mergeConfig(copy, {",
				'\tresolve: { conditions: ["strongbox-source"] },',
				'\tssr: { resolve: { conditions: ["strongbox-source"] } },',
				"});",
				"",
			].join("\n"),
		);
		const vitest = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
		const report = join(tmp, "vitest-report.json");
		const result = await run(
			process.execPath,
			[vitest, "run", "--root", copy, "--config", join(tmp, "vitest.sources.config.ts")].concat([
				"--reporter=json",
				`--outputFile=${report}`,
			]),
			{ cwd: copy, env: cleanEnv(), timeoutMs: 120_000 },
		);
		const json = JSON.parse(await readFile(report, "utf8").catch(() => "{}"));
		expect(json.numFailedTests, result.stderr.slice(-4000)).toBe(0);
		expect(result.code).toBe(0);
		const files = (json.testResults as { name: string }[])
			.map((r) => relative(copy, r.name))
			.sort();
		expect(files).toEqual([
			"src/crypto.test.ts",
			"src/lock.test.ts",
			"src/options.test.ts",
			"src/store.test.ts",
			"test/conformance.test.ts",
		]);
		// Both suites ran in full: nothing skipped, the renamed store under test.
		expect(json.numPendingTests + json.numTodoTests).toBe(0);
		expect(json.numPassedTests).toBeGreaterThan(70);
		const titles = (json.testResults as { assertionResults: { fullName: string }[] }[]).flatMap(
			(r) => r.assertionResults.map((a) => a.fullName),
		);
		expect(titles.some((t) => t.startsWith("store acme-kv back-end failures"))).toBe(true);
		expect(titles.some((t) => t.startsWith("Secrets API on store-acme-kv"))).toBe(true);
	}, 180_000);
});

describe("pnpm new-store without --dir (a store of this repository)", () => {
	it("creates packages/store-<id> with workspace ranges, in a copy of the repository's skeleton", async () => {
		const repo = join(tmp, `repo-${randomUUID()}`);
		for (const file of ["scripts/new-store.mjs", "pnpm-workspace.yaml", "tsconfig.base.json"]) {
			await cp(join(ROOT, file), join(repo, file));
		}
		await cp(
			join(ROOT, "packages/core/src/registry.ts"),
			join(repo, "packages/core/src/registry.ts"),
		);
		await cp(join(ROOT, "packages/core/package.json"), join(repo, "packages/core/package.json"));
		await cp(TEMPLATE, join(repo, "packages/store-custom-template"), {
			recursive: true,
			filter: (src) => !/[/\\](?:node_modules|dist)$/.test(src),
		});
		const script = join(repo, "scripts/new-store.mjs");

		const made = await newStore(["acme"], repo, script);
		expect(made.stderr).toBe("");
		expect(made.code).toBe(0);
		expect(made.stdout).toContain('Add "acme": "@strongbox/store-acme" to builtinStores');
		const target = join(repo, "packages/store-acme");
		const pkg = JSON.parse(await readFile(join(target, "package.json"), "utf8"));
		expect(pkg.name).toBe("@strongbox/store-acme");
		expect(pkg.strongbox).toEqual({ role: "store", type: "acme" });
		expect(pkg.peerDependencies).toEqual({ "@strongbox/core": "workspace:^" });
		expect(pkg.exports["."]["strongbox-source"]).toBe("./src/index.ts");
		expect(JSON.parse(await readFile(join(target, "tsconfig.json"), "utf8")).extends).toBe(
			"../../tsconfig.base.json",
		);
		expect(await readFile(join(target, "vitest.config.ts"), "utf8")).toContain("strongbox-source");
		expect(await readFile(join(target, "README.md"), "utf8")).toMatch(
			/^# @strongbox\/store-acme\n/,
		);
		expect((await filesOf(target)).some((f) => f.includes("template-only"))).toBe(false);

		const again = await newStore(["acme"], repo, script);
		expect(again.code).toBe(2);
		expect(again.stderr).toContain("packages/store-acme already exists");
	});
});

describe("pnpm new-store refuses", () => {
	it.each([
		["Acme", "Invalid id"],
		["1acme", "Invalid id"],
		["acme--kv", "Invalid id"],
		["acme_kv", "Invalid id"],
		["acme-", "Invalid id"],
		["a".repeat(51), "Invalid id"],
		["store-acme", 'leave out the "strongbox-"/"store-" prefix'],
		["strongbox-acme", 'leave out the "strongbox-"/"store-" prefix'],
		["sql", "clashes with a built-in store type"],
		["vault", "clashes with a built-in store type"],
		["memory", "clashes with a built-in store type"],
		["custom-template", "clashes with a built-in store type"],
	])("the id %j", async (id, message) => {
		const dir = join(tmp, `refused-${randomUUID()}`);
		const result = await newStore([id, "--dir", dir]);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain(message);
		expect(result.stderr).toContain("Usage: pnpm new-store <id>");
		await expect(readdir(dir)).rejects.toMatchObject({ code: "ENOENT" });
	});

	it("a missing id, unknown options and --scope without --dir", async () => {
		expect((await newStore([])).stderr).toContain("Missing <id>");
		expect((await newStore(["acme", "--force"])).stderr).toContain("Unknown option --force");
		expect((await newStore(["acme", "--scope", "@acme"])).stderr).toContain(
			"--scope goes with --dir",
		);
	});

	it("an existing non-empty target, and --dir inside the repository", async () => {
		const taken = join(tmp, `taken-${randomUUID()}`);
		await mkdir(taken);
		await writeFile(join(taken, "keep.txt"), "mine");
		const result = await newStore(["acme", "--dir", taken]);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain("already exists");
		expect(await readdir(taken)).toEqual(["keep.txt"]);

		const inside = join(ROOT, "packages", `store-acme-${randomUUID().slice(0, 8)}`);
		const refused = await newStore(["acme", "--dir", inside]);
		expect(refused.code).toBe(2);
		expect(refused.stderr).toContain("--dir must be outside this repository");
		await expect(readdir(inside)).rejects.toMatchObject({ code: "ENOENT" });
	});

	it("names a scoped stand-alone package with --scope", async () => {
		const dir = join(tmp, `scoped-${randomUUID()}`);
		const result = await newStore(["kv", "--dir", dir, "--scope", "@acme"]);
		expect(result.code).toBe(0);
		const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
		expect(pkg.name).toBe("@acme/strongbox-store-kv");
		expect(await readFile(join(dir, "README.md"), "utf8")).toMatch(
			/^# @acme\/strongbox-store-kv\n/,
		);
	});
});
