import { describe, expect, test } from "vitest";
import { progressSink, renderBar } from "./progress.js";

const event = (done: number, total: number, outcome: "moved" | "skipped" | "failed") => ({
	done,
	total,
	id: "00000000-0000-4000-8000-000000000000",
	name: `s${done}`,
	outcome,
});

describe("migration progress", () => {
	test("the bar fills in proportion", () => {
		expect(renderBar(0, 4, { moved: 0, skipped: 0, failed: 0 })).toBe(
			`[${"-".repeat(24)}] 0/4  moved 0  skipped 0  failed 0`,
		);
		expect(renderBar(2, 4, { moved: 1, skipped: 0, failed: 1 })).toBe(
			`[${"#".repeat(12)}${"-".repeat(12)}] 2/4  moved 1  skipped 0  failed 1`,
		);
	});

	test("not a terminal: one line per secret", () => {
		let text = "";
		const sink = progressSink({ write: (t: string) => (text += t), isTTY: false }, true);
		sink.update(event(1, 2, "moved"));
		sink.update(event(2, 2, "failed"));
		sink.finish();
		expect(text).toBe("[1/2] would move s1\n[2/2] failed s2\n");
	});

	test("a terminal: redrawn in place, throttled, the last frame always shown, then a newline", () => {
		let text = "";
		let clock = 0;
		const sink = progressSink(
			{ write: (t: string) => (text += t), isTTY: true },
			false,
			() => clock,
		);
		sink.update(event(1, 3, "moved"));
		clock = 10;
		sink.update(event(2, 3, "skipped"));
		sink.update(event(3, 3, "moved"));
		sink.finish();
		const frames = text.split("\r").filter(Boolean);
		expect(frames[0]).toContain("1/3  moved 1");
		expect(text).not.toContain("2/3");
		expect(frames.at(-1)).toBe(`${renderBar(3, 3, { moved: 2, skipped: 1, failed: 0 })}\u001b[K\n`);
	});
});
