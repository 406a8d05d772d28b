/**
 * `@strongbox/server/runtime`: the light entry point of the CLI's local mode. Through the
 * package's own `exports` map (the built `dist/`), it exports the runtime functions only
 * and never loads fastify, pino or the HTTP layer; and it runs: load, open, doctor.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { doctor, loadConfig, openRuntime } from "../src/runtime-entry.js";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

it("exports loadConfig, openRuntime and doctor without loading fastify, pino or the HTTP layer", () => {
	// A resolve hook records every module the import graph asks for.
	const script = `
		import { registerHooks } from "node:module";
		const seen = [];
		registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r; } });
		const entry = await import("@strongbox/server/runtime");
		console.log(JSON.stringify({ exports: Object.keys(entry).sort(), seen }));
	`;
	const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
		cwd: PACKAGE_DIR,
		encoding: "utf8",
	});
	const { exports, seen } = JSON.parse(out) as { exports: string[]; seen: string[] };
	expect(exports).toEqual(["DOCTOR_UNSETTLED_LIMIT", "doctor", "loadConfig", "openRuntime"]);
	expect(seen.some((url) => url.endsWith("/dist/runtime-entry.js"))).toBe(true);
	expect(seen.some((url) => url.includes("/store-sql/"))).toBe(true);
	const heavy = seen.filter((url) =>
		/\/(fastify|@fastify|pino|yaml)\/|\/server\/dist\/(http|server|logger|main|metrics)/.test(url),
	);
	expect(heavy).toEqual([]);
});

it("opens the embedded runtime and checks it", async () => {
	const dir = await mkdtemp(path.join(tmpdir(), "strongbox-light-"));
	try {
		const runtime = await openRuntime(await loadConfig({ cwd: dir, env: { HOME: dir } }));
		try {
			await runtime.secrets.createSecret({ name: "db", values: { k: "v" } });
			expect(await doctor(runtime)).toMatchObject({
				ok: true,
				stores: [{ name: "sql", role: "primary", ok: true }],
				unsettled: 0,
			});
			expect(runtime.invalidation.enabled).toBe(false);
		} finally {
			await runtime.close();
		}
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
});
