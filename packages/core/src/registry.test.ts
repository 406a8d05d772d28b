import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { recordingStore, schema } from "../test/support.js";
import { StoreConfigError } from "./errors.js";
import {
	builtinStores,
	type ImportFn,
	importWithFallback,
	loadStore,
	resolveStoreDefinition,
	storePackageName,
} from "./registry.js";
import { defineStore, STORE_DEFINITION_TYPE } from "./store.js";

function definitionOf(type: string) {
	return defineStore({
		type,
		configSchema: schema((value) => {
			const v = (value ?? {}) as Record<string, unknown>;
			const issues = [];
			if (v.region !== undefined && typeof v.region !== "string")
				issues.push({ message: "Expected a string", path: ["region"] });
			if (v.timeoutMs !== undefined && typeof v.timeoutMs !== "number")
				issues.push({ message: "Expected a number", path: ["timeoutMs"] });
			if (v.secret !== undefined) issues.push({ message: "Unknown option", path: ["secret"] });
			return issues;
		}),
		create: () => recordingStore().raw,
	});
}

/** An import function over a fixed set of modules, recording what was asked for. */
function importer(modules: Record<string, unknown>): ImportFn & { asked: string[] } {
	const asked: string[] = [];
	const fn = async (specifier: string) => {
		asked.push(specifier);
		if (specifier in modules) return modules[specifier];
		throw Object.assign(
			new Error(`Cannot find package '${specifier}' imported from /app/server.js`),
			{
				code: "ERR_MODULE_NOT_FOUND",
			},
		);
	};
	return Object.assign(fn, { asked });
}

async function configError(promise: Promise<unknown>): Promise<StoreConfigError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(StoreConfigError);
	return error as StoreConfigError;
}

describe("storePackageName", () => {
	it("maps every built-in short name to its first-party package", () => {
		for (const [type, pkg] of Object.entries(builtinStores)) {
			expect(storePackageName(type)).toBe(pkg);
			expect(pkg).toBe(`@strongbox/store-${type}`);
		}
	});

	it.each(["strongbox-store-acme", "@acme/strongbox-store-kv", "@acme/kv", "my-store"])(
		"accepts the package name %s",
		(name) => {
			expect(storePackageName(name)).toBe(name);
		},
	);

	it.each([
		"acme",
		"memory",
		"AWS",
		"Strongbox-Store-Acme",
		"store acme",
		"../store",
		"",
		"@/x",
		"x".repeat(215),
	])("refuses %j without guessing a package", async (type) => {
		expect(() => storePackageName(type)).toThrow(StoreConfigError);
	});

	it("explains what a type must be", () => {
		expect(() => storePackageName("acme")).toThrow(
			"Unknown store type `acme`. Built-in types are sql, aws, gcp, azure, vault; a third-party store is named by its full package name (for example `strongbox-store-acme`).",
		);
		expect(() => storePackageName("")).toThrow(/Store `type` is missing/);
	});
});

describe("loadStore", () => {
	it("loads a built-in short name from its package, through the injected import", async () => {
		const imp = importer({ "@strongbox/store-aws": { default: definitionOf("aws") } });
		const store = await loadStore(
			{ type: "aws", options: { region: "eu-west-1" } },
			{ import: imp, deploymentId: "d" },
		);
		expect(imp.asked).toEqual(["@strongbox/store-aws"]);
		expect(store).toMatchObject({ type: "aws", name: "aws" });
		await store.verify();
		await store.close();
	});

	it("never guesses a package for an unknown short name", async () => {
		const imp = importer({ "strongbox-store-acme": { default: definitionOf("acme") } });
		await configError(loadStore({ type: "acme" }, { import: imp }));
		expect(imp.asked).toEqual([]);
	});

	it("accepts a full package name and a back-end name", async () => {
		const imp = importer({ "@acme/strongbox-store-kv": { default: definitionOf("acme-kv") } });
		const store = await loadStore(
			{ type: "@acme/strongbox-store-kv", name: "secondary" },
			{ import: imp },
		);
		expect(store).toMatchObject({ type: "acme-kv", name: "secondary" });
	});

	it("says what to install when the package is missing", async () => {
		const error = await configError(loadStore({ type: "gcp" }, { import: importer({}) }));
		expect(error.message).toBe(
			"Cannot import `@strongbox/store-gcp`. Add it to your dependencies (`pnpm add @strongbox/store-gcp`).",
		);
	});

	it("tells a missing dependency of the store apart from the store itself missing", async () => {
		const imp: ImportFn = async () => {
			throw Object.assign(
				new Error(
					"Cannot find package '@google-cloud/secret-manager' imported from /x/store-gcp/dist/index.js",
				),
				{
					code: "ERR_MODULE_NOT_FOUND",
				},
			);
		};
		const error = await configError(loadStore({ type: "gcp" }, { import: imp }));
		expect(error.message).toBe("Importing `@strongbox/store-gcp` failed.");
		expect((error.cause as Error).message).toMatch(/@google-cloud\/secret-manager/);
	});

	it("really imports with the default import function", async () => {
		const error = await configError(
			loadStore({ type: "strongbox-store-surely-not-installed-4f2a" }),
		);
		expect(error.message).toMatch(
			/^Cannot import `strongbox-store-surely-not-installed-4f2a`\. Add it to your dependencies/,
		);
	});

	it.each([
		["a plain object", { default: { type: "acme", create() {} } }],
		["a bare function", { default: () => recordingStore().raw }],
		["no default export", { acmeStore: definitionOf("acme") }],
		["a null module", null],
	])("refuses a module whose default export is %s", async (_label, mod) => {
		const error = await configError(
			loadStore(
				{ type: "strongbox-store-acme" },
				{ import: importer({ "strongbox-store-acme": mod }) },
			),
		);
		expect(error.message).toBe(
			"`strongbox-store-acme` is not a Strongbox store: its default export is not a store made with `defineStore` from @strongbox/core.",
		);
	});

	it("refuses a store written for another contract version", async () => {
		const future = { ...definitionOf("acme"), $$type: STORE_DEFINITION_TYPE, version: 99 };
		const error = await configError(
			loadStore(
				{ type: "strongbox-store-acme" },
				{ import: importer({ "strongbox-store-acme": { default: future } }) },
			),
		);
		expect(error.message).toMatch(
			/implements store contract version 99, this @strongbox\/core supports 1/,
		);
	});

	it("refuses a built-in package that declares another type", async () => {
		const imp = importer({ "@strongbox/store-sql": { default: definitionOf("aws") } });
		const error = await configError(loadStore({ type: "sql" }, { import: imp }));
		expect(error.message).toBe("`@strongbox/store-sql` declares type `aws`, expected `sql`.");
	});

	it("lists every invalid option in one error, without their values", async () => {
		const imp = importer({ "@strongbox/store-vault": { default: definitionOf("vault") } });
		const error = await configError(
			loadStore(
				{ type: "vault", options: { region: 1, timeoutMs: "5", secret: "sbcanary-opt" } },
				{ import: imp },
			),
		);
		expect(error.message).toBe(
			"[store-vault] Invalid options (3 problems):\n  - region: Expected a string\n  - timeoutMs: Expected a number\n  - secret: Unknown option",
		);
		expect(JSON.stringify(error)).not.toContain("sbcanary-opt");
	});

	it("refuses a config that is not an object", async () => {
		for (const config of [null, "aws", 42]) await configError(loadStore(config as never));
	});

	it("resolveStoreDefinition returns the definition itself", async () => {
		const definition = definitionOf("azure");
		expect(
			await resolveStoreDefinition(
				"azure",
				importer({ "@strongbox/store-azure": { default: definition } }),
			),
		).toBe(definition);
	});
});

describe("builtinStores", () => {
	it("matches the packages/store-* folders (except the template)", () => {
		const packages = new URL("../../", import.meta.url);
		const folders = readdirSync(packages, { withFileTypes: true })
			.filter(
				(d) => d.isDirectory() && d.name.startsWith("store-") && d.name !== "store-custom-template",
			)
			.map((d) => d.name.slice("store-".length))
			.sort();
		expect(folders.length).toBeGreaterThan(0);
		expect(Object.keys(builtinStores).sort()).toEqual(folders);
		for (const type of folders) {
			const manifest = new URL(`store-${type}/package.json`, packages);
			expect(existsSync(manifest), `packages/store-${type}/package.json`).toBe(true);
			expect(JSON.parse(readFileSync(manifest, "utf8")).name).toBe(
				builtinStores[type as keyof typeof builtinStores],
			);
		}
	});
});

describe("importWithFallback", () => {
	const missing = (specifier: string) =>
		Promise.reject(
			Object.assign(new Error(`Cannot find package '${specifier}' imported from here`), {
				code: "ERR_MODULE_NOT_FOUND",
			}),
		);

	it("falls back to a project's node_modules when the package is not among one's own", async () => {
		const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import("node:fs");
		const { tmpdir } = await import("node:os");
		const { join } = await import("node:path");
		const project = mkdtempSync(join(tmpdir(), "strongbox-import-"));
		try {
			const pkg = join(project, "node_modules", "strongbox-store-fake");
			mkdirSync(pkg, { recursive: true });
			writeFileSync(
				join(pkg, "package.json"),
				JSON.stringify({ name: "strongbox-store-fake", main: "index.cjs" }),
			);
			writeFileSync(join(pkg, "index.cjs"), "module.exports = { marker: 42 };");
			const load = importWithFallback(missing, ["/nonexistent-dir", project]);
			const mod = (await load("strongbox-store-fake")) as { default: { marker: number } };
			expect(mod.default.marker).toBe(42);
			await expect(load("strongbox-store-absent")).rejects.toMatchObject({
				code: "ERR_MODULE_NOT_FOUND",
			});
		} finally {
			rmSync(project, { recursive: true, force: true });
		}
	});

	it("does not hide other import failures behind the fallback", async () => {
		const broken = () => Promise.reject(new SyntaxError("Unexpected token in the store package"));
		await expect(importWithFallback(broken, [process.cwd()])("strongbox-store-x")).rejects.toThrow(
			SyntaxError,
		);
	});
});
