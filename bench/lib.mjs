/**
 * The one way every Strongbox benchmark measures: the subject and its baseline run in
 * the same process, interleaved round by round, and each figure is printed as a ratio to
 * the baseline. Shared machines are noisy; absolute times alone mean little.
 */
import { Bench } from "tinybench";

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Measures `subject` against `baseline`: `rounds` rounds, each running both tasks for
 * `timeMs`, in alternating order. Returns median p50 latencies (ms) and their ratio.
 */
export async function compare({ baseline, subject, rounds = 5, timeMs = 400, warmupMs = 100 }) {
	const base = [];
	const subj = [];
	for (let round = 0; round < rounds; round++) {
		const bench = new Bench({ time: timeMs, warmupTime: warmupMs, throws: true });
		const order = round % 2 === 0 ? ["baseline", "subject"] : ["subject", "baseline"];
		for (const name of order) bench.add(name, name === "baseline" ? baseline : subject);
		await bench.run();
		for (const task of bench.tasks) {
			const p50 = task.result.latency.p50;
			(task.name === "baseline" ? base : subj).push(p50);
		}
	}
	const baselineMs = median(base);
	const subjectMs = median(subj);
	return { baselineMs, subjectMs, ratio: subjectMs / baselineMs };
}

/** Formats milliseconds for a table. */
export function ms(value) {
	return value >= 1 ? `${value.toFixed(2)} ms` : `${(value * 1000).toFixed(1)} µs`;
}

/** One printed result row. */
export function row(name, result, goal) {
	const ok = goal ? (goal.check(result) ? "met" : "NOT met") : "";
	return {
		name,
		baseline: ms(result.baselineMs),
		subject: ms(result.subjectMs),
		ratio: `${result.ratio.toFixed(2)}×`,
		goal: goal ? `${goal.text} (${ok})` : "",
	};
}

/** Prints rows as an aligned table. */
export function printTable(title, rows) {
	const columns = ["name", "baseline", "subject", "ratio", "goal"];
	const widths = columns.map((c) =>
		Math.max(c.length, ...rows.map((r) => String(r[c] ?? "").length)),
	);
	const line = (cells) => cells.map((cell, i) => String(cell).padEnd(widths[i])).join("  ");
	console.log(`\n${title}`);
	console.log(line(columns));
	console.log(line(widths.map((w) => "-".repeat(w))));
	for (const r of rows) console.log(line(columns.map((c) => r[c] ?? "")));
}
