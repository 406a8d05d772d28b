/**
 * Values from the command line: `--KEY=VALUE` and `KEY=VALUE` pairs, `@path` (a file),
 * `@-` (stdin) and `@@...` (a literal `@`), `--values JSON|YAML|@file|@-`, and `-i`
 * prompts. Keys follow core's rules (checked with core's validators before anything is
 * written). Nothing here ever puts a value into a message.
 */
import { LIMITS, validatePatch } from "@strongbox/core";
import { UsageError } from "./errors.js";
import { parseInlineDocument, toValues } from "./formats.js";
import type { Io } from "./io.js";
import { canPrompt, promptLine, withTerminal } from "./prompt.js";
import { readStdin, readTextFile } from "./read.js";

const KEY_LIKE = /^[A-Za-z0-9_-]{1,255}$/;
/** Largest `--values` document (the values themselves are limited by core afterwards). */
const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** One `KEY=VALUE` as typed; `raw` may still be an `@` reference. */
export interface RawPair {
	key: string;
	raw: string;
}

/** The positional arguments and the pairs found among a command's arguments. */
export interface SplitArgs {
	positionals: string[];
	pairs: RawPair[];
}

function safeFlag(flag: string): string {
	return KEY_LIKE.test(flag) ? `--${flag}` : "an option";
}

/**
 * Splits what commander left (operands and unknown options) into positional arguments
 * and pairs. `--KEY=VALUE` and `KEY=VALUE` are pairs; an unknown option without `=` is a
 * usage error (it is either a typo or a value missing its `=`).
 */
export function splitArgs(args: readonly string[], maxPositionals: number): SplitArgs {
	const positionals: string[] = [];
	const pairs: RawPair[] = [];
	for (const arg of args) {
		if (arg.startsWith("--") && arg.length > 2) {
			const eq = arg.indexOf("=");
			if (eq < 0) {
				throw new UsageError(
					`Unknown option ${safeFlag(arg.slice(2))}. To set a key, write --KEY=VALUE (with "=").`,
				);
			}
			pairs.push({ key: arg.slice(2, eq), raw: arg.slice(eq + 1) });
		} else if (arg.startsWith("-") && arg.length > 1) {
			throw new UsageError(
				`Unknown option ${/^-[A-Za-z0-9]$/.test(arg) ? arg : "(a short option)"}.`,
			);
		} else if (arg.includes("=")) {
			const eq = arg.indexOf("=");
			pairs.push({ key: arg.slice(0, eq), raw: arg.slice(eq + 1) });
		} else if (positionals.length < maxPositionals) {
			positionals.push(arg);
		} else {
			// Never echo it: it may be a value typed without its KEY=.
			throw new UsageError(
				"Unexpected argument after the secret name; give values as --KEY=VALUE or KEY=VALUE.",
			);
		}
	}
	return { positionals, pairs };
}

/** Shared state while resolving references: stdin can be read once. */
export interface ResolveContext {
	io: Io;
	stdinUsed: boolean;
}

/** Resolves `@path`, `@-` and `@@`; anything else is the value itself. */
export async function resolveValue(
	raw: string,
	key: string,
	context: ResolveContext,
): Promise<string> {
	if (raw.startsWith("@@")) return raw.slice(1);
	if (!raw.startsWith("@")) return raw;
	const what = KEY_LIKE.test(key) ? `The value of \`${key}\`` : "A value";
	if (raw === "@-") {
		if (context.stdinUsed) throw new UsageError("Standard input (@-) can be read only once.");
		context.stdinUsed = true;
		// On a terminal, @- is a hidden prompt: typed text would otherwise be echoed.
		if (canPrompt(context.io)) {
			return promptLine(
				context.io,
				`${KEY_LIKE.test(key) ? `Value for ${key}` : "Value"} (hidden): `,
				{
					hidden: true,
				},
			);
		}
		return readStdin(context.io.stdin, LIMITS.maxValueBytes, `${what} read from stdin`);
	}
	const path = raw.slice(1);
	if (path.length === 0)
		throw new UsageError(`${what} is "@" without a file name (write @@ for a literal @).`);
	return readTextFile(path, context.io.cwd, LIMITS.maxValueBytes, `${what} (file \`${path}\`)`);
}

/** Reads `--values`: inline JSON/YAML, `@file` or `@-`. */
export async function readValuesOption(
	option: string,
	context: ResolveContext,
	allowNull: boolean,
): Promise<Record<string, string | null>> {
	let text = option;
	if (option === "@-") {
		if (context.stdinUsed) throw new UsageError("Standard input (@-) can be read only once.");
		context.stdinUsed = true;
		if (context.io.stdin.isTTY)
			context.io.stderr.write("Reading --values from the terminal; end with Ctrl-D.\n");
		text = await readStdin(context.io.stdin, MAX_DOCUMENT_BYTES, "--values from stdin");
	} else if (option.startsWith("@@")) {
		text = option.slice(1);
	} else if (option.startsWith("@")) {
		text = await readTextFile(option.slice(1), context.io.cwd, MAX_DOCUMENT_BYTES, "--values file");
	}
	return toValues(parseInlineDocument(text, "--values"), "--values", { allowNull });
}

/** Prompts for keys and values (values hidden) until an empty key. Needs a terminal. */
export async function promptValues(io: Io): Promise<Record<string, string>> {
	if (!canPrompt(io)) {
		throw new UsageError(
			"-i needs an interactive terminal on stdin; use --KEY=@- or --values @file to pass values from a pipe.",
		);
	}
	return withTerminal(io, async (ask) => {
		const values: Record<string, string> = {};
		io.stderr.write("Enter keys and values; an empty key finishes.\n");
		for (;;) {
			const key = (await ask("Key: ", { hidden: false })).trim();
			if (key === "") return values;
			if (!KEY_LIKE.test(key)) {
				io.stderr.write("  A key is 1–255 letters, digits, '_' and '-'; try again.\n");
				continue;
			}
			values[key] = await ask(`Value for ${key} (hidden): `, { hidden: true });
		}
	});
}

/** What the values flags of a command produced. */
export interface CollectedValues {
	/** key → value, or `null` to remove the key (update only). */
	values: Record<string, string | null>;
	/** Whether anything was given at all. */
	given: boolean;
}

/**
 * Builds the values of a create or update from pairs, `--values`, `-i` and (update)
 * `--remove-key`. A key given twice, or both set and removed, is a usage error.
 */
export async function collectValues(
	input: {
		pairs: readonly RawPair[];
		valuesOption?: string | undefined;
		interactive?: boolean | undefined;
		removeKeys?: readonly string[] | undefined;
		/** An update: `null` in `--values` removes a key. */
		update?: boolean;
	},
	io: Io,
): Promise<CollectedValues> {
	const context: ResolveContext = { io, stdinUsed: false };
	const removing = input.removeKeys ?? [];
	const out: Record<string, string | null> = {};
	const seen = new Set<string>();
	const add = (key: string, value: string | null) => {
		if (seen.has(key)) {
			throw new UsageError(
				KEY_LIKE.test(key)
					? `Key \`${key}\` is given more than once.`
					: "A key is given more than once.",
			);
		}
		seen.add(key);
		out[key] = value;
	};
	if (input.valuesOption !== undefined) {
		const doc = await readValuesOption(input.valuesOption, context, input.update === true);
		for (const [key, value] of Object.entries(doc)) add(key, value);
	}
	for (const pair of input.pairs) add(pair.key, await resolveValue(pair.raw, pair.key, context));
	if (input.interactive) {
		if (context.stdinUsed) throw new UsageError("-i cannot be combined with @- (both read stdin).");
		for (const [key, value] of Object.entries(await promptValues(io))) add(key, value);
	}
	for (const key of removing) {
		if (seen.has(key)) {
			throw new UsageError(
				KEY_LIKE.test(key)
					? `Key \`${key}\` is both set and removed.`
					: "A key is both set and removed.",
			);
		}
		add(key, null);
	}
	// Core's rules, checked before anything is written (create re-checks without nulls).
	validatePatch(out);
	return { values: out, given: seen.size > 0 };
}
