#!/usr/bin/env node
/**
 * `pnpm new-store <id> [--dir <path>] [--scope <@scope>]`: a new store package, copied from
 * packages/store-custom-template and renamed everywhere (package name, store type,
 * exported names, messages, README).
 *
 * - Without `--dir`: packages/store-<id>, named `@strongbox/store-<id>` (a first-party
 *   store of this repository: workspace dependencies, shared tsconfig).
 * - With `--dir`: a stand-alone package outside this repository, named
 *   `strongbox-store-<id>` (or `<@scope>/strongbox-store-<id>`), with version ranges in
 *   place of `workspace:`/`catalog:` and a self-contained tsconfig: what a third party
 *   publishes.
 *
 * No dependencies: runs on a fresh clone before `pnpm install`.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TEMPLATE = join(ROOT, "packages", "store-custom-template");
const OLD = { id: "custom-template", pkg: "@strongbox/store-custom-template" };
// Same rule as core's `defineStore`; shorter, so that the package name stays readable.
const ID_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const MAX_ID = 50;
const SCOPE_PATTERN = /^@[a-z0-9][a-z0-9._~-]*$/;
/** Never copied: build output, installs, caches, and the tests of the template itself. */
const SKIP = new Set(["node_modules", "dist", ".turbo", "coverage", "template-only"]);
const OLD_NAME_ANYWHERE = /custom[-_ ]?template/i;

class UsageError extends Error {}

const USAGE = `Usage: pnpm new-store <id> [--dir <path>] [--scope <@scope>]

  <id>              the store type: lower-case letters, digits and single dashes (acme, acme-kv)
  --dir <path>      create a stand-alone package there (outside this repository), named
                    strongbox-store-<id>; without it: packages/store-<id> in this repository
  --scope <@scope>  with --dir: name it <@scope>/strongbox-store-<id>`;

function parseArgs(argv) {
	const args = { id: undefined, dir: undefined, scope: undefined, help: false };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === "--") continue;
		if (arg === "-h" || arg === "--help") args.help = true;
		else if (arg === "--dir" || arg === "--scope") {
			const value = argv[++i];
			if (value === undefined || value.startsWith("--"))
				throw new UsageError(`${arg} needs a value.`);
			args[arg.slice(2)] = value;
		} else if (arg.startsWith("--dir=")) args.dir = arg.slice("--dir=".length);
		else if (arg.startsWith("--scope=")) args.scope = arg.slice("--scope=".length);
		else if (arg.startsWith("-")) throw new UsageError(`Unknown option ${arg}.`);
		else if (args.id === undefined) args.id = arg;
		else throw new UsageError(`One id only (got ${args.id} and ${arg}).`);
	}
	return args;
}

/** Store types that are taken: core's built-in map (read from its source), memory, the template. */
function reservedTypes() {
	const source = readFileSync(join(ROOT, "packages", "core", "src", "registry.ts"), "utf8");
	const block = /export const builtinStores = \{([\s\S]*?)\}/.exec(source);
	if (!block) throw new Error("Cannot find `builtinStores` in packages/core/src/registry.ts.");
	const builtins = [...block[1].matchAll(/^\s*"?([a-z][a-z0-9-]*)"?\s*:/gm)].map((m) => m[1]);
	if (builtins.length === 0) throw new Error("`builtinStores` in core lists no store.");
	return new Set([...builtins, "memory", OLD.id]);
}

function checkId(id) {
	if (id === undefined) throw new UsageError("Missing <id>.");
	if (!ID_PATTERN.test(id) || id.length > MAX_ID) {
		throw new UsageError(
			`Invalid id ${JSON.stringify(id.slice(0, 80))}: use 1–${MAX_ID} lower-case letters, digits and single dashes, starting with a letter (acme, acme-kv).`,
		);
	}
	if (/^(?:store|strongbox)(?:-|$)/.test(id)) {
		throw new UsageError(
			`Invalid id "${id}": leave out the "strongbox-"/"store-" prefix, it is added to the package name.`,
		);
	}
	const reserved = reservedTypes();
	if (reserved.has(id)) {
		throw new UsageError(
			`The id "${id}" clashes with a built-in store type (${[...reserved].sort().join(", ")}). Pick another.`,
		);
	}
}

const words = (id) => id.split("-");
const cap = (w) => w.charAt(0).toUpperCase() + w.slice(1);

/** Every spelling of the old name and its replacement, longest first. */
function renames(id, pkg) {
	const w = words(id);
	return [
		[OLD.pkg, pkg],
		[`store-${OLD.id}`, `store-${id}`],
		[OLD.id, id],
		["customTemplate", w[0] + w.slice(1).map(cap).join("")],
		["CustomTemplate", w.map(cap).join("")],
		["CUSTOM_TEMPLATE", w.join("_").toUpperCase()],
		["custom_template", w.join("_")],
		["Custom template", cap(w.join(" "))],
		["custom template", w.join(" ")],
	];
}

function renameText(text, pairs) {
	let out = text;
	for (const [from, to] of pairs) out = out.split(from).join(to);
	return out;
}

// README passages about the template itself (how to copy it) do not belong in a copy.
function dropTemplateOnly(markdown) {
	return markdown
		.replace(/<!-- template-only:start -->[\s\S]*?<!-- template-only:end -->\n?/g, "")
		.replace(/\n{3,}/g, "\n\n");
}

async function listFiles(dir, base = dir) {
	const files = [];
	for (const entry of await readdir(dir, { withFileTypes: true })) {
		if (SKIP.has(entry.name) || entry.name.endsWith(".tsbuildinfo")) continue;
		const path = join(dir, entry.name);
		if (entry.isDirectory()) files.push(...(await listFiles(path, base)));
		else if (entry.isFile()) files.push(relative(base, path));
	}
	return files;
}

/** `catalog:` versions of pnpm-workspace.yaml (a flat map; no YAML library needed). */
function workspaceCatalog() {
	const lines = readFileSync(join(ROOT, "pnpm-workspace.yaml"), "utf8").split("\n");
	const catalog = {};
	let inside = false;
	for (const raw of lines) {
		const line = raw.replace(/\s+#.*$/, "");
		if (/^catalog:\s*$/.test(line)) inside = true;
		else if (inside && /^\S/.test(line)) inside = false;
		else if (inside) {
			const m = /^\s+("?)([^":]+)\1:\s*("?)([^"]+)\3\s*$/.exec(line);
			if (m) catalog[m[2]] = m[4];
		}
	}
	return catalog;
}

function workspaceVersion(name) {
	for (const dir of readdirSync(join(ROOT, "packages"))) {
		const manifest = join(ROOT, "packages", dir, "package.json");
		if (!existsSync(manifest)) continue;
		const pkg = JSON.parse(readFileSync(manifest, "utf8"));
		if (pkg.name === name) return pkg.version;
	}
	throw new Error(`No workspace package named ${name}.`);
}

/** Turns `workspace:` and `catalog:` specifiers into the ranges an outside install understands. */
function publishableRanges(deps, catalog) {
	if (!deps) return deps;
	const out = {};
	for (const [name, spec] of Object.entries(deps)) {
		if (spec.startsWith("workspace:")) out[name] = `^${workspaceVersion(name)}`;
		else if (spec === "catalog:") {
			if (!catalog[name]) throw new Error(`${name} is not in the workspace catalog.`);
			out[name] = catalog[name];
		} else out[name] = spec;
	}
	return out;
}

function standalonePackageJson(pkg, id, name) {
	const catalog = workspaceCatalog();
	const out = {
		...pkg,
		name,
		version: "0.1.0",
		description: `A Strongbox values store (type "${id}").`,
		strongbox: { role: "store", type: id },
	};
	delete out.private;
	for (const field of ["dependencies", "peerDependencies", "devDependencies"]) {
		if (out[field]) out[field] = publishableRanges(out[field], catalog);
	}
	// The source condition only serves this repository's own tests.
	for (const target of Object.values(out.exports ?? {})) {
		if (target && typeof target === "object") delete target["strongbox-source"];
	}
	return out;
}

/** Self-contained tsconfigs: the repository's base options inlined, no source condition. */
function standaloneTsconfigs() {
	const base = JSON.parse(readFileSync(join(ROOT, "tsconfig.base.json"), "utf8")).compilerOptions;
	const check = { compilerOptions: { ...base, noEmit: true }, include: ["src", "test"] };
	const build = {
		extends: "./tsconfig.json",
		compilerOptions: { noEmit: false, rootDir: "src", outDir: "dist" },
		include: ["src"],
		exclude: ["src/**/*.test.ts"],
	};
	return { check, build };
}

function standaloneVitestConfig(text) {
	const out = text
		.split("\n")
		.filter(
			(line) => !line.includes("strongbox-source") && !line.includes("In the Strongbox repository"),
		)
		.join("\n");
	if (out.includes("strongbox-source"))
		throw new Error("vitest.config.ts: could not drop the source condition.");
	return out;
}

const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

function isInside(child, parent) {
	const rel = relative(parent, child);
	return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

async function main(argv) {
	const args = parseArgs(argv);
	if (args.help) {
		console.log(USAGE);
		return;
	}
	checkId(args.id);
	const id = args.id;
	const standalone = args.dir !== undefined;
	if (args.scope !== undefined && !standalone) throw new UsageError("--scope goes with --dir.");
	if (args.scope !== undefined && !SCOPE_PATTERN.test(args.scope)) {
		throw new UsageError(`Invalid scope ${JSON.stringify(args.scope)}: like @acme.`);
	}
	const name = standalone
		? `${args.scope ? `${args.scope}/` : ""}strongbox-store-${id}`
		: `@strongbox/store-${id}`;
	const target = standalone ? resolve(args.dir) : join(ROOT, "packages", `store-${id}`);
	if (existsSync(target) && (!standalone || readdirSync(target).length > 0)) {
		throw new UsageError(`${target} already exists. Pick another id or directory.`);
	}
	if (standalone) {
		const parent = existsSync(target) ? realpathSync(target) : resolve(target);
		if (isInside(parent, realpathSync(ROOT))) {
			throw new UsageError(
				`--dir must be outside this repository (${ROOT}); for a store of this repository, leave --dir out.`,
			);
		}
	}

	const existed = existsSync(target);
	await mkdir(target, { recursive: true });
	try {
		await writeCopy(target, id, name, standalone);
	} catch (error) {
		// Leave nothing half-made behind (the target was absent or empty).
		if (existed) {
			for (const entry of await readdir(target)) await rm(join(target, entry), { recursive: true });
		} else await rm(target, { recursive: true, force: true });
		throw error;
	}
	printNextSteps(target, id, name, standalone);
}

async function writeCopy(target, id, name, standalone) {
	const pairs = renames(id, name);
	const files = await listFiles(TEMPLATE);
	const tsconfigs = standalone ? standaloneTsconfigs() : undefined;
	for (const file of files) {
		const from = join(TEMPLATE, file);
		const to = join(target, renameText(file, pairs));
		await mkdir(dirname(to), { recursive: true });
		let text = renameText(await readFile(from, "utf8"), pairs);
		if (file.endsWith(".md")) text = dropTemplateOnly(text);
		if (file === "package.json") {
			const pkg = JSON.parse(text);
			text = json(standalone ? standalonePackageJson(pkg, id, name) : { ...pkg, name });
		} else if (standalone && file === "tsconfig.json") text = json(tsconfigs.check);
		else if (standalone && file === "tsconfig.build.json") text = json(tsconfigs.build);
		else if (standalone && file === "vitest.config.ts") text = standaloneVitestConfig(text);
		await writeFile(to, text);
	}

	// The copy must not mention the template anywhere: a leftover would name the wrong package.
	for (const file of await listFiles(target)) {
		if (
			OLD_NAME_ANYWHERE.test(file) ||
			OLD_NAME_ANYWHERE.test(await readFile(join(target, file), "utf8"))
		) {
			throw new Error(
				`${file} still mentions the template's name; fix the template or this script.`,
			);
		}
	}
}

function printNextSteps(target, id, name, standalone) {
	const where = relative(process.cwd(), target) || ".";
	console.log(`Created ${where}: package ${name}, store type "${id}".\n\nNext:`);
	if (standalone) {
		console.log(`  cd ${where}
  npm install                 # or pnpm install; @strongbox/core is a peer dependency
  npm test                    # the unit tests and both conformance suites
  Replace src/file.ts, src/crypto.ts and src/lock.ts with your back-end; keep test/ passing.
  npm publish                 # see the README, "Publish your own Strongbox store"
  Servers load it by package name: {"store": {"type": "${name}", "options": {...}}}`);
	} else {
		console.log(`  pnpm install                # links the new package into the workspace
  pnpm --filter ${name} test
  Replace src/file.ts, src/crypto.ts and src/lock.ts with your back-end; keep test/ passing.
  Add "${id}": "${name}" to builtinStores in packages/core/src/registry.ts
    (a core test keeps that map and the packages/store-* folders in sync).
  pnpm changeset`);
	}
}

main(process.argv.slice(2)).catch((error) => {
	if (error instanceof UsageError) {
		console.error(`new-store: ${error.message}\n\n${USAGE}`);
		process.exit(2);
	}
	console.error(`new-store: ${error.message}`);
	process.exit(1);
});
