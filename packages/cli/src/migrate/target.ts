/**
 * The `--to` of `strongbox migrate`: inline JSON, a JSON/YAML file, or the name of a
 * store the configuration already has. A new store is checked before anything opens:
 * its shape here, its options by the store's own schema through core's registry, every
 * problem listed in one error. No message quotes an option's value.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
	type ImportFn,
	resolveStoreDefinition,
	StoreConfigError,
	type ValidationIssue,
	validateStoreOptions,
} from "@strongbox/core";
import { parse as parseYaml } from "yaml";
import { UsageError } from "../errors.js";
import { readTextFile } from "../read.js";

/** A store entry as a configuration holds it. */
export interface StoreEntry {
	type: string;
	options: Record<string, unknown>;
	name?: string;
}

/** What `--to` holds: a store entry still to check, or the name of a configured store. */
export type TargetInput = { kind: "entry"; raw: unknown } | { kind: "configured"; name: string };

const MAX_TO_BYTES = 256 * 1024;
/** Back-end names, as the server's configuration accepts them. */
export const STORE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const FIELDS = ["type", "options", "name"];

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

function problems(issues: ValidationIssue[]): StoreConfigError {
	const lines = issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join("\n");
	return new StoreConfigError(
		`Invalid --to store (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines}`,
		{ details: { issues } },
	);
}

function parseText(text: string, what: string, json: boolean): unknown {
	try {
		return json ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 50 });
	} catch (error) {
		// Parser messages quote the line, which may hold a credential: keep the position only.
		const pos = (error as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
		throw problems([
			{
				path: what,
				message: `is not valid ${json ? "JSON" : "YAML"}${pos ? ` (line ${pos.line}, column ${pos.col})` : ""}`,
			},
		]);
	}
}

/** Reads `--to`: inline JSON (`{…}`), else an existing file, else a configured store's name. */
export async function readTarget(value: string, cwd: string): Promise<TargetInput> {
	const text = value.trim();
	if (text.startsWith("{")) return { kind: "entry", raw: parseText(text, "--to", true) };
	if (existsSync(resolve(cwd, value))) {
		const content = await readTextFile(value, cwd, MAX_TO_BYTES, `File \`${value}\``);
		const json = /\.json$/i.test(value) || content.trimStart().startsWith("{");
		return { kind: "entry", raw: parseText(content, `file ${value}`, json) };
	}
	if (STORE_NAME.test(text)) return { kind: "configured", name: text };
	throw new UsageError(
		'--to must be a store as inline JSON (\'{"type":"aws","options":{…}}\'), a JSON or YAML file holding one, or the name of a store of your configuration.',
	);
}

/**
 * Checks a store entry: its fields here, then its options with the store's own schema
 * (which needs its package: a missing one is reported with what to install).
 */
export async function checkTarget(raw: unknown, importFn: ImportFn): Promise<StoreEntry> {
	if (!isPlainObject(raw)) {
		throw problems([
			{ path: "(store)", message: 'must be an object { "type", "options", "name" }' },
		]);
	}
	const issues: ValidationIssue[] = [];
	for (const key of Object.keys(raw)) {
		if (!FIELDS.includes(key))
			issues.push({
				path: key.slice(0, 64),
				message: "is not a store field (type, options, name)",
			});
	}
	const { type, options = {}, name } = raw;
	const typeOk = typeof type === "string" && type.length > 0 && type.length <= 214;
	if (!typeOk) {
		issues.push({
			path: "type",
			message: "must be a store type (sql, aws, gcp, azure, vault) or a package name",
		});
	}
	if (!isPlainObject(options)) issues.push({ path: "options", message: "must be an object" });
	if (name !== undefined && (typeof name !== "string" || !STORE_NAME.test(name))) {
		issues.push({ path: "name", message: "must be 1–64 lower-case letters, digits, '-' and '_'" });
	}
	if (typeOk && isPlainObject(options)) {
		try {
			const definition = await resolveStoreDefinition(type as string, importFn);
			await validateStoreOptions(definition, options);
		} catch (error) {
			if (!(error instanceof StoreConfigError)) throw error;
			const found = error.details?.issues;
			if (Array.isArray(found)) {
				for (const issue of found as ValidationIssue[]) {
					issues.push({
						path: issue.path === "(options)" ? "options" : `options.${issue.path}`,
						message: issue.message,
					});
				}
			} else if (issues.length === 0) throw error;
			else issues.push({ path: "type", message: error.message });
		}
	}
	if (issues.length > 0) throw problems(issues);
	return {
		type: type as string,
		options: options as Record<string, unknown>,
		...(name === undefined ? {} : { name: name as string }),
	};
}

/** The back-end name an entry records in the catalog. */
export function entryName(entry: { type: string; name?: string | undefined }): string {
	return entry.name ?? entry.type;
}
