/**
 * The packing story: `pnpm pack` of this package and of @strongbox/core (not published
 * yet), `npm install` of both tarballs into a temporary project outside the workspace
 * (zod comes from the npm registry), then a real `node` process in that project
 * (fixtures/app/main.mjs) loads the store by package name from a server-style
 * `strongbox.config.json` with core's `loadStore`, writes and reads a secret, runs two
 * writer processes on one file at once, and reports what the registry refuses.
 *
 * Packing needs `dist/`: under `pnpm test` turbo has built it; otherwise the test builds
 * core and this package when `dist/` is missing or older than the sources.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CORE, cleanEnv, needsBuild, ROOT, run, TEMPLATE } from "./helpers.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const NETWORK =
	/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|ENETUNREACH|getaddrinfo|socket hang up|network/i;
const canary = `canary-${randomUUID()}`;
let tmp: string;
let app: string;
/** What fixtures/app/main.mjs printed. */
let report: Record<string, unknown>;

function tail(text: string, lines = 30): string {
	return text.trim().split("\n").slice(-lines).join("\n");
}

async function buildIfNeeded(): Promise<void> {
	if (!needsBuild(CORE) && !needsBuild(TEMPLATE)) return;
	const build = await run(
		"pnpm",
		["--filter", "@strongbox/core", "--filter", "@strongbox/store-custom-template", "run", "build"],
		{ cwd: ROOT, env: cleanEnv(), timeoutMs: 120_000 },
	);
	if (build.code !== 0)
		throw new Error(`Building dist/ failed:\n${tail(build.stdout + build.stderr)}`);
}

async function pack(packageDir: string, destination: string): Promise<string> {
	const before = new Set(await readdir(destination));
	const result = await run("pnpm", ["pack", "--pack-destination", destination], {
		cwd: packageDir,
		env: cleanEnv(),
	});
	if (result.code !== 0)
		throw new Error(`pnpm pack failed:\n${tail(result.stdout + result.stderr)}`);
	const made = (await readdir(destination)).filter((f) => f.endsWith(".tgz") && !before.has(f));
	expect(made).toHaveLength(1);
	return join(destination, made[0]!);
}

async function npmInstall(cwd: string, specs: string[]): Promise<void> {
	const env = cleanEnv();
	const result = await run(
		"npm",
		[
			"install",
			...specs,
			"--prefer-offline",
			"--no-audit",
			"--no-fund",
			"--loglevel=error",
			"--fetch-retries=1",
			"--fetch-retry-mintimeout=1000",
			"--fetch-retry-maxtimeout=5000",
			"--fetch-timeout=30000",
		],
		{ cwd, env, timeoutMs: 120_000 },
	);
	if (result.code === 0) return;
	const output = tail(result.stdout + result.stderr);
	if (NETWORK.test(output)) {
		const registry = (await run("npm", ["config", "get", "registry"], { cwd, env })).stdout.trim();
		throw new Error(
			`npm install could not reach the npm registry (${registry}): this test installs zod from it. Check the network or the registry setting. npm said:\n${output}`,
		);
	}
	throw new Error(`npm install failed:\n${output}`);
}

beforeAll(async () => {
	await buildIfNeeded();
	tmp = await realpath(await mkdtemp(join(tmpdir(), "sb-pack-")));
	const tarballs = join(tmp, "tarballs");
	await mkdir(tarballs);
	const core = await pack(CORE, tarballs);
	const store = await pack(TEMPLATE, tarballs);
	for (const fixture of ["not-a-store", "future-store"]) {
		await cp(join(FIXTURES, fixture), join(tmp, fixture), { recursive: true });
	}
	app = join(tmp, "app");
	await cp(join(FIXTURES, "app"), app, { recursive: true });
	await mkdir(join(app, "data"));
	await writeFile(
		join(app, "package.json"),
		JSON.stringify({ name: "sb-pack-app", private: true, type: "module" }),
	);
	await writeFile(
		join(app, "strongbox.config.json"),
		JSON.stringify({
			store: {
				type: "@strongbox/store-custom-template",
				options: { path: "data/secrets.json", key: randomBytes(32).toString("base64") },
			},
		}),
	);
	await npmInstall(app, [core, store, "../not-a-store", "../future-store"]);

	const main = await run(process.execPath, ["main.mjs"], {
		cwd: app,
		env: cleanEnv({ CANARY: canary }),
	});
	if (main.code !== 0) throw new Error(`main.mjs failed:\n${tail(main.stdout + main.stderr)}`);
	expect(main.stderr).toBe("");
	report = JSON.parse(main.stdout);
}, 240_000);

afterAll(async () => {
	if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("the packed store, installed outside the workspace", () => {
	it("is a normal package: dist and README, ordinary version ranges, core as a peer", async () => {
		const installed = join(app, "node_modules", "@strongbox", "store-custom-template");
		const pkg = JSON.parse(await readFile(join(installed, "package.json"), "utf8"));
		const core = JSON.parse(await readFile(join(CORE, "package.json"), "utf8"));
		expect(pkg.peerDependencies).toEqual({ "@strongbox/core": `^${core.version}` });
		expect(pkg.dependencies.zod).toMatch(/^\^\d/);
		expect(JSON.stringify(pkg)).not.toMatch(/workspace:|catalog:/);
		expect(pkg.strongbox).toEqual({ role: "store", type: "custom-template" });
		expect(pkg.keywords).toContain("strongbox-store");
		const files = await readdir(installed, { recursive: true });
		expect(files).toContain("README.md");
		expect(files).toContain(join("dist", "index.js"));
		expect(files).toContain(join("dist", "index.d.ts"));
		expect(files.some((f) => f.endsWith(".test.ts") || f.startsWith("test"))).toBe(false);
		// One copy of core: the application's, which checks the brand and the error classes.
		await expect(
			readdir(join(installed, "node_modules", "@strongbox")).catch(() => []),
		).resolves.toEqual([]);
	});

	it("loads by package name from strongbox.config.json and round-trips a secret", () => {
		expect(report.store).toEqual({
			type: "custom-template",
			name: "custom-template",
			capabilities: {
				maxValueBytes: 262_144,
				bulkGet: true,
				maxBatchSize: 1000,
				listIds: true,
				encryptsAtRest: true,
			},
		});
		expect(report.secret).toEqual({ version: 1, backend: "custom-template", matches: true });
		expect(report.file).toEqual({
			format: "strongbox-store-custom-template/1",
			holdsCanary: false,
		});
	});

	it("keeps every write of two processes writing to one file at once", () => {
		expect(report.writers).toEqual({ written: 80, found: 80 });
	});

	it("refuses a package whose default export is not a branded store", () => {
		expect(report["strongbox-store-not-a-store"]).toEqual({
			name: "StoreConfigError",
			code: "STORE_CONFIG",
			isStoreConfigError: true,
			message:
				"`strongbox-store-not-a-store` is not a Strongbox store: its default export is not a store made with `defineStore` from @strongbox/core.",
		});
	});

	it("refuses a store built for a contract version this core does not support", () => {
		expect(report["strongbox-store-future"]).toEqual({
			name: "StoreConfigError",
			code: "STORE_CONFIG",
			isStoreConfigError: true,
			message:
				"`strongbox-store-future` is not a Strongbox store: it implements store contract version 99, this @strongbox/core supports 1.",
		});
	});

	it("says what to add when the package is not installed", () => {
		expect(report["strongbox-store-not-installed"]).toMatchObject({
			name: "StoreConfigError",
			code: "STORE_CONFIG",
			isStoreConfigError: true,
		});
		expect((report["strongbox-store-not-installed"] as { message: string }).message).toMatch(
			/^Cannot import `strongbox-store-not-installed`\. Add it to your dependencies/,
		);
	});
});
