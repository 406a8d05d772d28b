/**
 * Terminal prompts: lines (echoed or hidden) and yes/no confirmations. The terminal is
 * put in raw mode once, before the first prompt is shown, and kept there until the last
 * answer: input typed ahead of a prompt is then never echoed by the terminal itself, so a
 * hidden value cannot appear on screen even briefly. It is restored whatever happens.
 * Prompts go to stderr so stdout stays clean for data.
 */
import { InterruptedError, UsageError } from "./errors.js";
import type { Io } from "./io.js";

/** Whether prompts can be shown (stdin is a terminal). */
export function canPrompt(io: Io): boolean {
	return io.stdin.isTTY === true && typeof io.stdin.setRawMode === "function";
}

/** Asks one question and resolves with the line typed. */
export type Ask = (question: string, options: { hidden: boolean }) => Promise<string>;

const MAX_LINE = 64 * 1024;

/** Runs `fn` with the terminal in raw mode; `ask` reads one line per question. */
export async function withTerminal<T>(io: Io, fn: (ask: Ask) => Promise<T>): Promise<T> {
	const { stdin, stderr } = io;
	if (!canPrompt(io)) throw new UsageError("This prompt needs an interactive terminal.");
	const pending: string[] = [];
	let ended = false;
	let wake: (() => void) | undefined;
	const onData = (chunk: string) => {
		pending.push(...chunk);
		wake?.();
	};
	const onEnd = () => {
		ended = true;
		wake?.();
	};
	stdin.setRawMode!(true);
	stdin.setEncoding("utf8");
	stdin.on("data", onData);
	stdin.on("end", onEnd);
	stdin.resume();

	async function next(): Promise<string | undefined> {
		while (pending.length === 0) {
			if (ended) return undefined;
			await new Promise<void>((resolve) => {
				wake = resolve;
			});
			wake = undefined;
		}
		return pending.shift();
	}

	let afterCarriageReturn = false;
	const ask: Ask = async (question, options) => {
		stderr.write(question);
		let line = "";
		// 0: normal; 1: after ESC; 2: inside a CSI/SS3 sequence (arrow keys and the like).
		let escapeState = 0;
		for (;;) {
			const char = await next();
			if (char === undefined) throw new InterruptedError("Input ended at a prompt.");
			// A pasted "\r\n" ends one line, not two.
			const skip = afterCarriageReturn && char === "\n";
			afterCarriageReturn = char === "\r";
			if (skip) continue;
			if (escapeState === 1) {
				escapeState = char === "[" || char === "O" ? 2 : 0;
				continue;
			}
			if (escapeState === 2) {
				if (/[A-Za-z~]/.test(char)) escapeState = 0;
				continue;
			}
			if (char === "\u001b") {
				escapeState = 1;
				continue;
			}
			if (char === "\r" || char === "\n") {
				stderr.write("\n");
				return line;
			}
			if (char === "\u0003") {
				stderr.write("\n");
				throw new InterruptedError();
			}
			if (char === "\u0004") {
				if (line === "") {
					stderr.write("\n");
					throw new InterruptedError("Input ended at a prompt.");
				}
				continue;
			}
			if (char === "\u007f" || char === "\b") {
				if (line.length > 0) {
					line = [...line].slice(0, -1).join("");
					if (!options.hidden) stderr.write("\b \b");
				}
				continue;
			}
			if (char === "\u0015") {
				if (!options.hidden) stderr.write("\b \b".repeat([...line].length));
				line = "";
				continue;
			}
			if (char < " " || line.length >= MAX_LINE) continue;
			line += char;
			if (!options.hidden) stderr.write(char);
		}
	};

	try {
		return await fn(ask);
	} finally {
		stdin.off("data", onData);
		stdin.off("end", onEnd);
		stdin.setRawMode!(false);
		stdin.pause();
	}
}

/** Asks one line (see {@link withTerminal}). */
export function promptLine(
	io: Io,
	question: string,
	options: { hidden: boolean },
): Promise<string> {
	return withTerminal(io, (ask) => ask(question, options));
}

/** Asks a yes/no question; only `y` or `yes` means yes. */
export async function confirm(io: Io, question: string): Promise<boolean> {
	const answer = (await promptLine(io, `${question} [y/N] `, { hidden: false }))
		.trim()
		.toLowerCase();
	return answer === "y" || answer === "yes";
}
