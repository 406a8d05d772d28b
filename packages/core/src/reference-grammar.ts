/**
 * The grammar of secret references and the bounded walk over a JSON-like document.
 * Nothing here reads a secret: it finds references, reports malformed ones, and
 * rebuilds a document with substitutions (see `references.ts` for the resolver).
 *
 * Grammar (documented in the core README):
 * - `{{name.key}}` anywhere inside a string; spaces and tabs allowed inside the braces.
 * - `name` follows the secret name rule and `key` the key rule (no `.` in either, so the
 *   first `.` separates them).
 * - Before `{{`, each `\\` stands for one literal backslash, and a single remaining `\`
 *   makes the `{{` literal: `\{{` → `{{`, `\\{{a.b}}` → `\` + the value.
 * - Any other `{{` is an error naming its path and character offset, never left as is.
 */
import { ValidationError, type ValidationIssue } from "./errors.js";
import { KEY_PATTERN, NAME_PATTERN } from "./validation.js";

/** Default bounds of a document scanned for references. */
export const REFERENCE_LIMITS = {
	/** Longest string scanned (and longest string a substitution may produce), in UTF-16 units. */
	maxStringLength: 1_048_576,
	/** Most reference occurrences in one document. */
	maxReferences: 10_000,
	/** Deepest nesting of objects and arrays. */
	maxDepth: 64,
} as const;

/** Bounds of a scan; each defaults to {@link REFERENCE_LIMITS}. */
export interface ReferenceLimits {
	maxStringLength?: number;
	maxReferences?: number;
	maxDepth?: number;
}

/** A reference found in a document. Names and keys are not secret; values never appear here. */
export interface SecretReference {
	/** The canonical form, `{{name.key}}`. */
	reference: string;
	name: string;
	key: string;
	/** Where it first occurs: a JSONPath-like path (`$.services[0].env.DB_URL`). */
	path: string;
}

/** A parsed string: literal text and references, in order. */
export type Segment = string | { name: string; key: string };

/** The result of {@link scanDocument}. */
export interface DocumentScan {
	/** Distinct references by canonical form, in order of first occurrence. */
	references: Map<string, SecretReference>;
	/** Parsed strings that contain references or escapes, by their text. */
	parsed: Map<string, Segment[]>;
}

const MAX_ISSUES = 20;
// `{{` + spaces + 255 + `.` + 255 + spaces + `}}`: a closing brace further away cannot end a valid reference.
const MAX_INNER = 600;
const INNER = /^[ \t]*([^ \t]*?)[ \t]*$/;

type Limits = Required<ReferenceLimits>;

function limitsOf(limits: ReferenceLimits = {}): Limits {
	const out = { ...REFERENCE_LIMITS, ...limits };
	for (const [name, value] of Object.entries(out)) {
		if (!Number.isSafeInteger(value) || value < 1) {
			throw new ValidationError(`Invalid reference limits: ${name} must be a positive integer.`, [
				{ path: name, message: "must be a positive integer" },
			]);
		}
	}
	return out;
}

/** The canonical form of a reference. */
export function formatReference(name: string, key: string): string {
	return `{{${name}.${key}}}`;
}

function innerProblem(inner: string): string | { name: string; key: string } {
	const trimmed = INNER.exec(inner)?.[1];
	if (trimmed === undefined) return "has whitespace inside the name or key";
	if (trimmed.length === 0) return "is empty";
	const dot = trimmed.indexOf(".");
	if (dot < 0) return "has no `.key` (write `{{name.key}}`)";
	const name = trimmed.slice(0, dot);
	const key = trimmed.slice(dot + 1);
	if (!NAME_PATTERN.test(name)) return "has an invalid name (1–255 letters, digits, '-' and '_')";
	if (!KEY_PATTERN.test(key)) {
		return key.includes(".")
			? "has a key containing '.' (keys cannot contain '.')"
			: "has an invalid key (1–255 letters, digits, '_' and '-')";
	}
	return { name, key };
}

/**
 * Parses one string. Returns `undefined` when it holds neither a reference nor an
 * escape (nothing to rewrite). Problems are appended to `issues` without quoting the text.
 */
export function parseTemplate(
	text: string,
	path: string,
	issues: ValidationIssue[],
): Segment[] | undefined {
	if (!text.includes("{{")) return undefined;
	const segments: Segment[] = [];
	let literal = "";
	let i = 0;
	for (;;) {
		const open = text.indexOf("{{", i);
		if (open < 0) break;
		let slashes = 0;
		while (open - slashes - 1 >= i && text[open - slashes - 1] === "\\") slashes++;
		literal += text.slice(i, open - slashes) + "\\".repeat(Math.floor(slashes / 2));
		if (slashes % 2 === 1) {
			literal += "{{";
			i = open + 2;
			continue;
		}
		const close = text.indexOf("}}", open + 2);
		const problem =
			close < 0
				? "is not closed by `}}`"
				: close - open - 2 > MAX_INNER
					? "is not a valid reference (too long)"
					: innerProblem(text.slice(open + 2, close));
		if (typeof problem === "string") {
			issues.push({
				path,
				message: `\`{{\` at character ${open} ${problem}; escape a literal \`{{\` as \`\\{{\``,
			});
			if (issues.length >= MAX_ISSUES) return undefined;
			i = close < 0 || close - open - 2 > MAX_INNER ? open + 2 : close + 2;
			continue;
		}
		if (literal) segments.push(literal);
		literal = "";
		segments.push(problem);
		i = close + 2;
	}
	literal += text.slice(i);
	if (literal) segments.push(literal);
	return segments;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
	const proto = Object.getPrototypeOf(value);
	return proto === Object.prototype || proto === null;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function formatPath(stack: readonly (string | number)[]): string {
	let out = "$";
	for (const part of stack) {
		if (typeof part === "number") out += `[${part}]`;
		else if (IDENTIFIER.test(part) && part.length <= 64) out += `.${part}`;
		else out += `[${JSON.stringify(part.length > 64 ? `${part.slice(0, 64)}…` : part)}]`;
	}
	return out;
}

/**
 * Calls `onString` for every string of a JSON-like value (object and array members,
 * never object keys) and returns a rebuilt copy with what it returned. Values that are
 * not strings, arrays or plain objects (numbers, dates...) are copied as they are.
 */
function mapStrings(
	value: unknown,
	maxDepth: number,
	onString: (text: string, path: () => string) => string,
): unknown {
	const stack: (string | number)[] = [];
	const path = () => formatPath(stack);
	const visit = (node: unknown, depth: number): unknown => {
		if (typeof node === "string") return onString(node, path);
		const isArray = Array.isArray(node);
		if (!isArray && !isPlainObject(node)) return node;
		if (depth >= maxDepth) {
			throw new ValidationError(
				`The document is nested deeper than ${maxDepth} levels at ${path()}.`,
				[{ path: path(), message: `nested deeper than ${maxDepth} levels` }],
			);
		}
		if (isArray) {
			return (node as unknown[]).map((item, index) => {
				stack.push(index);
				const out = visit(item, depth + 1);
				stack.pop();
				return out;
			});
		}
		// `fromEntries` defines own properties, so a `__proto__` member stays a member.
		return Object.fromEntries(
			Object.entries(node as Record<string, unknown>).map(([key, item]) => {
				stack.push(key);
				const out = visit(item, depth + 1);
				stack.pop();
				return [key, out];
			}),
		);
	};
	return visit(value, 0);
}

/**
 * Finds every reference in a document and checks the grammar and the limits. Every
 * problem found (up to 20) is reported in one `ValidationError`.
 */
export function scanDocument(value: unknown, limits?: ReferenceLimits): DocumentScan {
	const bounds = limitsOf(limits);
	const issues: ValidationIssue[] = [];
	const references = new Map<string, SecretReference>();
	const parsed = new Map<string, Segment[]>();
	let occurrences = 0;
	mapStrings(value, bounds.maxDepth, (text, path) => {
		if (issues.length >= MAX_ISSUES) return text;
		if (text.length > bounds.maxStringLength) {
			issues.push({
				path: path(),
				message: `string is ${text.length} characters long; at most ${bounds.maxStringLength} are scanned`,
			});
			return text;
		}
		if (parsed.has(text)) {
			for (const segment of parsed.get(text)!) if (typeof segment !== "string") occurrences++;
		} else {
			const segments = parseTemplate(text, path(), issues);
			if (!segments) return text;
			parsed.set(text, segments);
			for (const segment of segments) {
				if (typeof segment === "string") continue;
				occurrences++;
				const reference = formatReference(segment.name, segment.key);
				if (!references.has(reference)) {
					references.set(reference, { reference, ...segment, path: path() });
				}
			}
		}
		if (occurrences > bounds.maxReferences && issues.length < MAX_ISSUES) {
			issues.push({
				path: path(),
				message: `the document holds more than ${bounds.maxReferences} references`,
			});
		}
		return text;
	});
	if (issues.length > 0) {
		throw new ValidationError(
			issues.length === 1
				? `Invalid secret reference: ${issues[0]!.path}: ${issues[0]!.message}`
				: `Invalid secret references (${issues.length} problems).`,
			issues,
		);
	}
	return { references, parsed };
}

/**
 * Rebuilds a scanned document, replacing each reference with `substitute(name, key)`.
 * A resulting string longer than `maxStringLength` is a `ValidationError`.
 */
export function rebuildDocument(
	value: unknown,
	scan: DocumentScan,
	substitute: (name: string, key: string) => string,
	limits?: ReferenceLimits,
): unknown {
	const bounds = limitsOf(limits);
	return mapStrings(value, bounds.maxDepth, (text, path) => {
		const segments = scan.parsed.get(text);
		if (!segments) return text;
		let out = "";
		for (const segment of segments) {
			out += typeof segment === "string" ? segment : substitute(segment.name, segment.key);
			if (out.length > bounds.maxStringLength) {
				throw new ValidationError(
					`The string at ${path()} would be longer than ${bounds.maxStringLength} characters once resolved.`,
					[
						{
							path: path(),
							message: `longer than ${bounds.maxStringLength} characters once resolved`,
						},
					],
				);
			}
		}
		return out;
	});
}
