/**
 * The report `strongbox migrate` prints when it ends: counts, and each failed secret by
 * name, id and reason. Never a value.
 */
import type { MigrationReport } from "@strongbox/core";
import { plural, table } from "../table.js";

/** The `--json` report (no value: names, ids, reasons and counts). */
export function reportJson(report: MigrationReport, from: string, to: string, total: number) {
	return {
		from,
		to,
		dryRun: report.dryRun,
		aborted: report.aborted,
		total,
		moved: report.moved,
		skipped: report.skipped,
		failed: report.failed,
		sourceDeleted: report.sourceDeleted,
	};
}

/** The report for people. */
export function reportText(
	report: MigrationReport,
	from: string,
	to: string,
	total: number,
): string {
	const lines: string[] = [];
	if (total === 0 && report.failed.length === 0) {
		lines.push(
			`Nothing to migrate: no secret${report.dryRun ? "" : " left"} has its values in \`${from}\`.`,
		);
	} else if (report.dryRun) {
		lines.push(
			`Dry run: ${plural(report.moved, "secret")} would move from \`${from}\` to \`${to}\`, ${report.skipped} skipped, ${report.failed.length} would fail. Nothing was written.`,
		);
	} else {
		lines.push(
			`Moved ${plural(report.moved, "secret")} from \`${from}\` to \`${to}\` (each verified by checksum), ${report.skipped} skipped, ${report.failed.length} failed.`,
		);
	}
	if (report.sourceDeleted > 0) {
		const copies =
			report.sourceDeleted === 1 ? "1 source copy" : `${report.sourceDeleted} source copies`;
		lines.push(`Deleted ${copies} in \`${from}\`.`);
	}
	if (report.failed.length > 0) {
		lines.push(
			"",
			table(
				["FAILED", "ID", "REASON"],
				report.failed.map((f) => [f.name, f.id, f.reason]),
			).trimEnd(),
		);
	}
	return `${lines.join("\n")}\n`;
}
