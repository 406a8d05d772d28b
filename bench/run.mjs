#!/usr/bin/env node
/**
 * Runs the Strongbox benchmarks: `pnpm bench` (all) or `pnpm bench sql server references`.
 * Every figure is a ratio to a baseline measured in the same run; see README.md.
 */
import { cpus, totalmem } from "node:os";
import { printTable } from "./lib.mjs";

const wanted = new Set(process.argv.slice(2));
const want = (name) => wanted.size === 0 || wanted.has(name);

console.log(
	`Strongbox benchmarks — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${new Date().toISOString()}`,
);

if (want("sql")) {
	const { benchGetSecret, benchFilteredList } = await import("./sql.mjs");
	printTable("SQL (embedded SQLite)", [await benchGetSecret(), ...(await benchFilteredList())]);
}
if (want("server")) {
	const { runServerBench } = await import("./server.mjs");
	const r = await runServerBench({ durationSeconds: 12, rounds: 6 });
	printTable("Server (HTTP, requests per second; ratio = Strongbox / bare)", [
		{
			name: r.name,
			baseline: `${r.bareRps} req/s`,
			subject: `${r.strongboxRps} req/s`,
			ratio: `${r.ratio.toFixed(2)}`,
			goal: `≥ ${r.goal} (${r.ratio >= r.goal ? "met" : "NOT met"})${r.failedRequests ? `, ${r.failedRequests} failed requests` : ""}`,
		},
	]);
}
if (want("references")) {
	const { runReferencesBench } = await import("./references.mjs");
	const rows = await runReferencesBench();
	if (Array.isArray(rows)) printTable("References", rows);
}
