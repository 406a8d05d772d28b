/**
 * Templates of `strongbox resolve` and `strongbox run --template`: a JSON, YAML or
 * `.env` document whose strings may hold `{{name.key}}` references.
 *
 * A YAML template is edited as text: each string scalar whose value changed is replaced,
 * where it stands, by a double-quoted scalar (a JSON string is one), so comments, key
 * order, anchors and every other scalar's exact text survive (`1.10` stays `1.10`). The
 * output is parsed back and compared with the resolved document; should they differ,
 * the document is written afresh instead. Parse errors name a line and a column, never
 * the text.
 */
import { isDeepStrictEqual } from "node:util";
import { ValidationError, type ValidationIssue } from "@strongbox/core";
import { parse as parseDotenv } from "dotenv";
import { type Document, isMap, isScalar, isSeq, parseDocument, stringify } from "yaml";
import { envLine, type Format, formatFromPath, isRecord } from "./formats.js";

/** The largest template read (the server's default request body limit). */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;

/** A parsed template. */
export interface Template {
	format: Format;
	/** The document as plain data: what references are resolved in. */
	data: unknown;
	/** The YAML document and its text, kept to write the result with its comments and layout. */
	yaml?: { doc: Document; source: string };
}

function invalid(what: string, message: string): ValidationError {
	return new ValidationError(`${what} ${message}.`, [{ path: what, message }]);
}

/** The format of a template: `--format`, else the file's extension, else JSON/YAML by content. */
export function templateFormat(path: string, text: string, given?: Format): Format {
	if (given) return given;
	const fromPath = path === "-" ? undefined : formatFromPath(path);
	if (fromPath) return fromPath;
	const start = text.trimStart()[0];
	return start === "{" || start === "[" ? "json" : "yaml";
}

/** Parses a template. `what` names it in errors (`Template \`app.yaml\``). */
export function parseTemplateText(text: string, format: Format, what: string): Template {
	if (format === "env") return { format, data: { ...parseDotenv(text) } };
	if (format === "json") {
		try {
			return { format, data: JSON.parse(text) as unknown };
		} catch {
			throw invalid(what, "is not valid JSON");
		}
	}
	const doc = parseDocument(text);
	const error = doc.errors[0];
	if (error) {
		const pos = error.linePos?.[0];
		throw invalid(what, `is not valid YAML${pos ? ` (line ${pos.line}, column ${pos.col})` : ""}`);
	}
	let data: unknown;
	try {
		data = doc.toJS({ maxAliasCount: 100 });
	} catch {
		throw invalid(what, "is not a usable YAML document (too many aliases?)");
	}
	return { format, data, yaml: { doc, source: text } };
}

interface Edit {
	start: number;
	end: number;
	value: string;
}

/** The string scalars whose resolved value differs, with their place in the source. */
function edits(node: unknown, resolved: unknown, out: Edit[]): void {
	if (isScalar(node)) {
		if (
			typeof node.value === "string" &&
			typeof resolved === "string" &&
			node.value !== resolved &&
			node.range
		) {
			out.push({ start: node.range[0], end: node.range[1], value: resolved });
		}
		return;
	}
	if (isMap(node) && isRecord(resolved)) {
		for (const pair of node.items) {
			const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
			if (key !== undefined && Object.hasOwn(resolved, key)) edits(pair.value, resolved[key], out);
		}
		return;
	}
	if (isSeq(node) && Array.isArray(resolved)) {
		node.items.forEach((item, index) => {
			edits(item, resolved[index], out);
		});
	}
}

function yamlText(template: Template, resolved: unknown): string {
	if (template.yaml) {
		const list: Edit[] = [];
		edits(template.yaml.doc.contents, resolved, list);
		let text = template.yaml.source;
		for (const edit of list.sort((a, b) => b.start - a.start)) {
			// A block scalar's range holds its last line break; the line must still end.
			const newline = text.slice(edit.start, edit.end).endsWith("\n") ? "\n" : "";
			text = `${text.slice(0, edit.start)}${JSON.stringify(edit.value)}${newline}${text.slice(edit.end)}`;
		}
		const back = parseDocument(text);
		if (
			back.errors.length === 0 &&
			isDeepStrictEqual(back.toJS({ maxAliasCount: 100 }), resolved)
		) {
			return text;
		}
	}
	return stringify(resolved, { lineWidth: 0 });
}

/** Writes a resolved template in its own format. */
export function renderTemplate(template: Template, resolved: unknown): string {
	if (template.format === "json") return `${JSON.stringify(resolved, null, 2)}\n`;
	if (template.format === "yaml") return yamlText(template, resolved);
	const values = resolved as Record<string, string>;
	// dotenv keeps the file's order; so does the output.
	return Object.entries(values)
		.map(([key, value]) => `${envLine(key, value)}\n`)
		.join("");
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

function kind(value: unknown): string {
	if (value === null) return "null";
	if (Array.isArray(value)) return "a list";
	return typeof value === "object" ? "a mapping" : `a ${typeof value}`;
}

/**
 * The variables of a `run --template` document: a flat mapping of variable name → text
 * (numbers and booleans as their text). Names are shell variable names; an invalid one
 * is named by position, since it may be a pasted value.
 */
export function templateVariables(data: unknown, what: string): Record<string, string> {
	if (!isRecord(data)) {
		throw invalid(what, `must be a mapping of variable → value, got ${kind(data)}`);
	}
	const out: Record<string, string> = {};
	const issues: ValidationIssue[] = [];
	Object.entries(data).forEach(([name, value], index) => {
		const path = ENV_NAME.test(name) ? name : `[${index}]`;
		if (!ENV_NAME.test(name)) {
			issues.push({
				path,
				message:
					"variable names are letters, digits and '_', not starting with a digit (at most 255)",
			});
		} else if (typeof value === "string") out[name] = value;
		else if (typeof value === "number" || typeof value === "boolean") out[name] = String(value);
		else issues.push({ path, message: `must be a string, got ${kind(value)}` });
	});
	if (issues.length > 0) {
		throw new ValidationError(
			issues.length === 1
				? `${what}: ${issues[0]!.path} ${issues[0]!.message}.`
				: `${what} has ${issues.length} invalid variables.`,
			issues,
		);
	}
	return out;
}
