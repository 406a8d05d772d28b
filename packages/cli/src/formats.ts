/**
 * The three file formats of `export`, `import` and `--values`: dotenv, JSON and YAML.
 *
 * Every writer checks that reading its output back gives exactly the values it was given,
 * so an export can always be imported again without loss; a value that a format cannot
 * carry (a dotenv line cannot hold both quote kinds and a newline) is refused with a
 * typed error naming the key, never the value. Parse errors never quote the input: a
 * YAML or JSON error message would otherwise echo a line of secret text.
 */
import { type SecretValues, ValidationError } from "@strongbox/core";
import { parse as parseDotenv } from "dotenv";
import { parse as parseYamlText, stringify as stringifyYaml } from "yaml";
import { UsageError } from "./errors.js";

/** A file format. */
export type Format = "env" | "json" | "yaml";

/** Every format name accepted by `--format`, with aliases. */
export const FORMAT_NAMES: Record<string, Format> = {
	env: "env",
	dotenv: "env",
	json: "json",
	yaml: "yaml",
	yml: "yaml",
};

/** Parses `--format`. */
export function parseFormat(name: string): Format {
	const format = FORMAT_NAMES[name.toLowerCase()];
	if (!format) {
		throw new UsageError(`Unknown format \`${name.slice(0, 32)}\`: use env, json or yaml.`);
	}
	return format;
}

/** The format a file name implies (`db.env`, `.env.local`, `x.json`, `x.yml`), if any. */
export function formatFromPath(path: string): Format | undefined {
	const base = path.split(/[\\/]/).pop() ?? "";
	if (/\.json$/i.test(base)) return "json";
	if (/\.ya?ml$/i.test(base)) return "yaml";
	if (/\.env$/i.test(base) || /^\.env(\..*)?$/i.test(base)) return "env";
	return undefined;
}

function sameValues(a: Record<string, unknown>, b: SecretValues): boolean {
	const keys = Object.keys(b);
	return (
		Object.keys(a).length === keys.length &&
		keys.every((key) => Object.hasOwn(a, key) && a[key] === b[key])
	);
}

// Unquoted dotenv values end at `#` and are trimmed; this class survives both, and a shell.
const PLAIN_ENV_VALUE = /^[A-Za-z0-9_./:@%+,^~=-]*$/;

/**
 * One `.env` line that dotenv reads back as exactly `value`: plain when safe, else single,
 * double or backtick quoted. A `ValidationError` naming the key when no quoting can carry it.
 */
export function envLine(key: string, value: string): string {
	const candidates = [
		...(PLAIN_ENV_VALUE.test(value) ? [value] : []),
		`'${value}'`,
		`"${value.replace(/\r/g, "\\r").replace(/\n/g, "\\n")}"`,
		`\`${value}\``,
	];
	for (const candidate of candidates) {
		const line = `${key}=${candidate}`;
		if (parseDotenv(`${line}\n`)[key] === value) return line;
	}
	throw new ValidationError(
		`The value of key \`${key}\` cannot be written as a .env line without changing it; use --format json or yaml.`,
		[{ path: `values.${key}`, message: "not representable in .env format" }],
	);
}

/** Serialises values in a format; keys sorted. Throws when the output would not read back identically. */
export function formatValues(values: SecretValues, format: Format): string {
	const sorted = Object.fromEntries(
		Object.keys(values)
			.sort()
			.map((key) => [key, values[key]!]),
	);
	let text: string;
	let back: Record<string, unknown>;
	if (format === "env") {
		text = Object.entries(sorted)
			.map(([key, value]) => `${envLine(key, value)}\n`)
			.join("");
		back = parseDotenv(text);
	} else if (format === "json") {
		text = `${JSON.stringify(sorted, null, 2)}\n`;
		back = JSON.parse(text) as Record<string, unknown>;
	} else {
		text = Object.keys(sorted).length === 0 ? "{}\n" : stringifyYaml(sorted, { lineWidth: 0 });
		back = parseYaml(text, "The YAML export") as Record<string, unknown>;
		if (!sameValues(back, sorted)) {
			// The yaml library's block scalars drop whitespace-only lines (" \n"): fall back to
			// double-quoted scalars, whose escapes carry any string.
			text = stringifyYaml(sorted, {
				lineWidth: 0,
				defaultStringType: "QUOTE_DOUBLE",
				defaultKeyType: "PLAIN",
			});
			back = parseYaml(text, "The YAML export") as Record<string, unknown>;
		}
	}
	if (!sameValues(back, sorted)) {
		throw new ValidationError(
			`These values cannot be written as ${format} without changing them; try another --format.`,
			[{ path: "values", message: `not representable in ${format} format` }],
		);
	}
	return text;
}

function parseYaml(text: string, what: string): unknown {
	try {
		// failsafe: every scalar is a string, so `port: 5432` and `debug: yes` keep their text.
		return parseYamlText(text, { schema: "failsafe", maxAliasCount: 50 });
	} catch (error) {
		const pos = (error as { linePos?: [{ line: number; col: number }] }).linePos?.[0];
		throw new ValidationError(
			`${what} is not valid YAML${pos ? ` (line ${pos.line}, column ${pos.col})` : ""}.`,
			[{ path: what, message: "invalid YAML" }],
		);
	}
}

function parseJson(text: string, what: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		throw new ValidationError(`${what} is not valid JSON.`, [
			{ path: what, message: "invalid JSON" },
		]);
	}
}

/** Parses a document in a format (dotenv gives a flat map of strings). */
export function parseDocument(text: string, format: Format, what: string): unknown {
	if (format === "env") return parseDotenv(text);
	if (format === "json") return parseJson(text, what);
	return parseYaml(text, what);
}

/** `--values` text: JSON when it starts with `{`, YAML otherwise. */
export function parseInlineDocument(text: string, what: string): unknown {
	return text.trimStart().startsWith("{") ? parseJson(text, what) : parseYaml(text, what);
}

/** Whether `value` is a plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
	if (value === null) return "null";
	if (Array.isArray(value)) return "a list";
	return typeof value === "object" ? "a mapping" : `a ${typeof value}`;
}

/**
 * Turns a parsed mapping into values: strings kept, JSON numbers and booleans written
 * as their text, `null` kept only where it means "remove this key" (`allowNull`).
 * Keys that break the key rule are reported by position, never echoed (they may be a
 * pasted value).
 */
export function toValues(
	doc: unknown,
	what: string,
	options: { allowNull?: boolean } = {},
): Record<string, string | null> {
	if (!isRecord(doc)) {
		throw new ValidationError(`${what} must be a mapping of key → value, got ${kind(doc)}.`, [
			{ path: what, message: "must be a mapping" },
		]);
	}
	const out: Record<string, string | null> = {};
	const issues: { path: string; message: string }[] = [];
	Object.entries(doc).forEach(([key, value], index) => {
		const path = /^[A-Za-z0-9_-]{1,255}$/.test(key) ? `values.${key}` : `values[${index}]`;
		if (typeof value === "string") out[key] = value;
		else if (typeof value === "number" || typeof value === "boolean") out[key] = String(value);
		else if (value === null && options.allowNull) out[key] = null;
		else issues.push({ path, message: `must be a string, got ${kind(value)}` });
	});
	if (issues.length > 0) {
		throw new ValidationError(
			issues.length === 1
				? `${what}: ${issues[0]!.path} ${issues[0]!.message}.`
				: `${what} has ${issues.length} invalid values.`,
			issues,
		);
	}
	return out;
}
