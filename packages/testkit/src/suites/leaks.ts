/**
 * Leak detection: every way an error or a returned object can end up in a log line, an
 * HTTP body or a terminal is rendered, and searched for the canary values a test wrote.
 */
import { inspect } from "node:util";

const MAX_CAUSE_DEPTH = 10;

function attempt(render: () => unknown): string {
	try {
		const out = render();
		return typeof out === "string" ? out : "";
	} catch {
		// A renderer that throws prints nothing, so it cannot leak either.
		return "";
	}
}

/**
 * Every rendering of `value` a user could see: `String()`, template literal, `JSON.stringify`,
 * `util.inspect` (depth Infinity, hidden properties shown) and, for errors, the message,
 * the stack and the same for each `cause` down the chain.
 */
export function renderings(value: unknown): string[] {
	const out: string[] = [];
	const seen = new Set<unknown>();
	let current: unknown = value;
	for (let depth = 0; depth <= MAX_CAUSE_DEPTH; depth++) {
		if (current === undefined || current === null || seen.has(current)) break;
		seen.add(current);
		const v = current;
		out.push(attempt(() => String(v)));
		out.push(attempt(() => `${v as string}`));
		out.push(attempt(() => JSON.stringify(v)));
		out.push(attempt(() => inspect(v, { depth: Number.POSITIVE_INFINITY, showHidden: true })));
		out.push(attempt(() => inspect(v, { depth: Number.POSITIVE_INFINITY, colors: false })));
		if (v instanceof Error || (typeof v === "object" && "message" in (v as object))) {
			const e = v as { message?: unknown; stack?: unknown; details?: unknown; cause?: unknown };
			out.push(attempt(() => String(e.message)));
			out.push(attempt(() => String(e.stack)));
			out.push(attempt(() => JSON.stringify(e.details)));
			current = e.cause;
		} else {
			break;
		}
	}
	return out;
}

/** Throws an `Error` naming the rendering when any canary appears in any rendering of `value`. */
export function assertNoLeak(value: unknown, canaries: Iterable<string>, what = "error"): void {
	const list = [...canaries];
	if (list.length === 0) return;
	for (const [index, text] of renderings(value).entries()) {
		for (const canary of list) {
			if (text.includes(canary)) {
				// The canary itself is test data, never a real secret: naming the rendering is enough.
				throw new Error(
					`A secret value leaked into the ${what} (rendering #${index}: ${describeRendering(index)}).`,
				);
			}
		}
	}
}

function describeRendering(index: number): string {
	const names = [
		"String()",
		"template literal",
		"JSON.stringify",
		"util.inspect showHidden",
		"util.inspect",
		"message",
		"stack",
		"details",
	];
	const level = Math.floor(index / names.length);
	return `${names[index % names.length]}${level > 0 ? ` of cause #${level}` : ""}`;
}

/** The forms under which a store that does not really encrypt may hold a value: clear, hex, base64. */
export function encodingsOf(canary: string): string[] {
	const bytes = Buffer.from(canary, "utf8");
	const hex = bytes.toString("hex");
	const out = new Set([canary, hex, hex.toUpperCase()]);
	// base64 at each of the three byte alignments, keeping only the characters that depend
	// on canary bytes alone.
	for (let shift = 0; shift < 3; shift++) {
		const total = shift + bytes.length;
		const b64 = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64");
		const part = b64.slice(shift === 0 ? 0 : 4, Math.floor(total / 3) * 4);
		if (part.length >= 16) {
			out.add(part);
			out.add(part.replaceAll("+", "-").replaceAll("/", "_"));
		}
	}
	return [...out];
}

/** Raw back-end content as searchable text (bytes read as latin1, so ASCII stays ASCII). */
export function rawText(raw: string | Uint8Array): string {
	return typeof raw === "string" ? raw : Buffer.from(raw).toString("latin1");
}
