/**
 * Progress of `strongbox migrate` on stderr: a bar redrawn in place on a terminal, one
 * line per secret otherwise (logs, CI), nothing with `--json` or `-q`. Names and
 * outcomes only, never a value.
 */
import type { MigrationProgress } from "@strongbox/core";
import type { OutStream } from "../io.js";

/** Receives each settled secret, then the end of the run. */
export interface ProgressSink {
	update(progress: MigrationProgress): void;
	finish(): void;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 80;

/** Counts by outcome, as the bar shows them. */
interface Tally {
	moved: number;
	skipped: number;
	failed: number;
}

/** One frame of the bar: `[#########---------------] 12/32  moved 11  skipped 0  failed 1`. */
export function renderBar(done: number, total: number, tally: Tally, verb = "moved"): string {
	const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
	const bar = `${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}`;
	return `[${bar}] ${done}/${total}  ${verb} ${tally.moved}  skipped ${tally.skipped}  failed ${tally.failed}`;
}

/** A sink that draws nothing. */
export const silentProgress: ProgressSink = { update() {}, finish() {} };

/**
 * A sink on `stream`: a bar when it is a terminal, else a line per secret.
 * `verb` is "moved", or "would move" in a dry run.
 */
export function progressSink(stream: OutStream, dryRun: boolean, now = Date.now): ProgressSink {
	const tally: Tally = { moved: 0, skipped: 0, failed: 0 };
	const verb = dryRun ? "would move" : "moved";
	if (stream.isTTY !== true) {
		return {
			update(p) {
				tally[p.outcome]++;
				const what = p.outcome === "moved" ? verb : p.outcome;
				stream.write(`[${p.done}/${p.total}] ${what} ${p.name}\n`);
			},
			finish() {},
		};
	}
	let last = Number.NEGATIVE_INFINITY;
	let drawn = false;
	let frame = "";
	return {
		update(p) {
			tally[p.outcome]++;
			frame = renderBar(p.done, p.total, tally, verb);
			// Redrawing on every secret would flood a slow terminal; the last frame always shows.
			if (p.done === p.total || now() - last >= REDRAW_MS) {
				last = now();
				stream.write(`\r${frame}\u001b[K`);
				drawn = true;
			}
		},
		finish() {
			if (frame !== "") stream.write(`\r${frame}\u001b[K\n`);
			else if (drawn) stream.write("\n");
		},
	};
}
