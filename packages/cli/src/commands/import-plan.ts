/**
 * What `secret import` reads from a file: one secret (a flat mapping of key → value, or
 * a Strongbox JSON export with `name` and `values`) or a map of secrets (name → mapping).
 * Everything is validated with core's rules before anything is written.
 */
import { basename } from "node:path";
import {
	assertSize,
	LIMITS,
	nameIssues,
	type SecretValues,
	ValidationError,
	validateName,
	validateValues,
} from "@strongbox/core";
import { UsageError } from "../errors.js";
import { type Format, formatFromPath, isRecord, parseDocument, toValues } from "../formats.js";

/** The secrets found in a file. */
export interface ImportPlan {
	format: Format;
	/** `single`: the file is one secret; `map`: the file maps names to secrets. */
	shape: "single" | "map";
	secrets: { name: string; values: SecretValues }[];
}

/** At most this many secrets per import file. */
export const MAX_IMPORT_SECRETS = 1000;

/** Guesses the format of text with no telling file name: JSON, else a YAML mapping, else dotenv. */
export function sniffFormat(text: string): Format {
	const start = text.trimStart();
	if (start.startsWith("{")) return "json";
	try {
		if (isRecord(parseDocument(text, "yaml", "input"))) return "yaml";
	} catch {
		// Not YAML: dotenv.
	}
	return "env";
}

function nameFromPath(path: string): string | undefined {
	if (path === "-") return undefined;
	const stem = basename(path).replace(/\.(env|json|ya?ml)$/i, "");
	return nameIssues(stem).length === 0 ? stem : undefined;
}

function isStrongboxExport(doc: Record<string, unknown>): boolean {
	return (
		typeof doc.name === "string" &&
		isRecord(doc.values) &&
		(typeof doc.id === "string" || Array.isArray(doc.keys))
	);
}

/** Builds the plan of an import. `name` is `--name`. */
export function planImport(
	text: string,
	path: string,
	format: Format | undefined,
	name: string | undefined,
): ImportPlan {
	const chosen = format ?? (path === "-" ? undefined : formatFromPath(path)) ?? sniffFormat(text);
	const what = path === "-" ? "Standard input" : `File \`${path}\``;
	const doc = parseDocument(text, chosen, what);
	if (!isRecord(doc)) {
		throw new ValidationError(`${what} must hold a mapping (key → value, or name → mapping).`, [
			{ path: what, message: "must be a mapping" },
		]);
	}
	const entries = Object.values(doc);
	let plan: ImportPlan;
	if (chosen !== "env" && isStrongboxExport(doc)) {
		plan = {
			format: chosen,
			shape: "single",
			secrets: [
				{ name: name ?? (doc.name as string), values: toValues(doc.values, what) as SecretValues },
			],
		};
	} else if (chosen !== "env" && entries.length > 0 && entries.every(isRecord)) {
		if (name !== undefined) {
			throw new UsageError(
				`${what} holds a map of secrets (name → values); --name applies to a single secret only.`,
			);
		}
		if (entries.length > MAX_IMPORT_SECRETS) {
			throw new ValidationError(
				`${what} holds more than ${MAX_IMPORT_SECRETS} secrets; split it.`,
				[{ path: what, message: `at most ${MAX_IMPORT_SECRETS} secrets` }],
			);
		}
		plan = {
			format: chosen,
			shape: "map",
			secrets: Object.entries(doc).map(([secretName, values]) => ({
				name: secretName,
				values: toValues(
					values,
					nameIssues(secretName).length === 0 ? `Secret \`${secretName}\`` : what,
				) as SecretValues,
			})),
		};
	} else {
		const chosenName = name ?? nameFromPath(path);
		if (chosenName === undefined) {
			throw new UsageError(
				`Give the secret's name with --name (it cannot be taken from ${path === "-" ? "stdin" : `\`${path}\``}).`,
			);
		}
		plan = {
			format: chosen,
			shape: "single",
			secrets: [{ name: chosenName, values: toValues(doc, what) as SecretValues }],
		};
	}
	for (const secret of plan.secrets) {
		validateName(secret.name);
		validateValues(secret.values);
		if (Object.keys(secret.values).length === 0) {
			throw new ValidationError(`Secret \`${secret.name}\` has no values in ${what}.`, [
				{ path: secret.name, message: "no values" },
			]);
		}
		assertSize(secret.values, LIMITS.maxValueBytes);
	}
	return plan;
}
