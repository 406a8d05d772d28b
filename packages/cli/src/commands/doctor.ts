/**
 * `strongbox doctor [--repair]`: every store (the backup included) and the catalog
 * checked, writes left unsettled, backup divergences waiting for a resync, and (local
 * mode) the encryption keys. `--repair` settles interrupted writes (local mode) and
 * repairs the divergences, then checks again. Names, ids and error codes only.
 */
import type { Command } from "commander";
import type { DoctorOutcome, RepairOutcome } from "../backend/types.js";
import { EXIT } from "../errors.js";
import { fields, formatDate, plural, table } from "../table.js";
import { noPassthrough, type Runner } from "./shared.js";

const EXAMPLES = `
Examples:
  $ strongbox doctor
  $ strongbox doctor --repair
  $ strongbox doctor --json | jq .divergences

Exit code 0 when every check passes and no divergence is recorded, 1 otherwise.
Remotely it needs an admin token; there --repair repairs backup divergences only (the
server settles interrupted writes itself, every reconcile.intervalSeconds).
`;

const MAX_LISTED = 50;

function check(ok: boolean, error?: string, message?: string): string {
	if (ok) return "ok";
	return `FAILED ${error ?? ""}${message ? `: ${message}` : ""}`.trim();
}

/** The problems a doctor outcome holds, one line each (empty when healthy). */
export function problemsOf(outcome: DoctorOutcome): string[] {
	const { report, encryption } = outcome;
	const problems: string[] = [];
	if (!report.catalog.ok) problems.push(`the catalog cannot be read (${report.catalog.error})`);
	for (const store of report.stores) {
		if (!store.ok)
			problems.push(`store \`${store.name}\` (${store.role}) failed its check (${store.error})`);
	}
	if (report.divergences && report.divergences.length > 0) {
		problems.push(
			`${plural(report.divergences.length, "backup divergence")} to repair (strongbox doctor --repair)`,
		);
	}
	if (encryption) problems.push(...encryption.problems);
	return problems;
}

function render(outcome: DoctorOutcome, mode: "local" | "remote"): string {
	const { report, encryption } = outcome;
	const out: string[] = [];
	out.push(
		fields([
			["catalog", check(report.catalog.ok, report.catalog.error, report.catalog.message)],
			[
				"unsettled writes",
				report.unsettled === null
					? "unknown"
					: report.unsettled === 0
						? "0"
						: `${report.unsettled} (pending or deleting; reconciliation settles those left by a crash)`,
			],
			[
				"backup divergences",
				report.divergences === null ? "unknown" : String(report.divergences.length),
			],
			[
				"encryption",
				encryption === undefined
					? mode === "remote"
						? "checked by the server when it starts"
						: "unknown"
					: !encryption.used
						? "not used (no sql store)"
						: `${encryption.source === "keyFile" ? `key file ${encryption.keyFile}${encryption.fileMode ? ` (mode ${encryption.fileMode})` : ""}` : encryption.source === "keys" ? "key ring from the configuration" : encryption.source === "store-options" ? "key ring in the store's options" : "no key ring"}${encryption.keyIds.length > 0 ? `, ${plural(encryption.keyIds.length, "key")}, active \`${encryption.activeKeyId}\`` : ""}`,
			],
		]).trimEnd(),
	);
	out.push(
		"",
		table(
			["STORE", "TYPE", "ROLE", "STATUS"],
			report.stores.map((s) => [s.name, s.type, s.role, check(s.ok, s.error, s.message)]),
		).trimEnd(),
	);
	const divergences = report.divergences ?? [];
	if (divergences.length > 0) {
		out.push(
			"",
			table(
				["DIVERGENCE", "SECRET ID", "OP", "MISSED BY", "VERSION", "AT"],
				divergences
					.slice(0, MAX_LISTED)
					.map((d) => [
						d.store,
						d.id,
						d.op,
						d.side,
						d.version === null ? "-" : String(d.version),
						formatDate(d.at),
					]),
			).trimEnd(),
		);
		if (divergences.length > MAX_LISTED) {
			out.push(`… and ${divergences.length - MAX_LISTED} more (--json lists them all).`);
		}
	}
	const problems = problemsOf(outcome);
	out.push(
		"",
		problems.length === 0
			? "Everything is fine."
			: `${plural(problems.length, "problem")}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
	);
	return `${out.join("\n")}\n`;
}

function repairText(repair: RepairOutcome): string {
	const lines: string[] = [];
	const r = repair.reconcile;
	if (r) {
		lines.push(
			`Reconciled: ${r.completed} completed, ${r.rolledBack} rolled back, ${r.deleted} deletes finished, ${r.orphansRemoved} orphaned values removed, ${r.deferred} deferred.`,
		);
	} else {
		lines.push("Reconciliation: the server runs it on its own schedule.");
	}
	lines.push(
		`Resync: ${plural(repair.resync.repaired, "divergence")} repaired, ${repair.resync.failed.length} left.`,
	);
	for (const f of repair.resync.failed.slice(0, MAX_LISTED)) {
		lines.push(`  - ${f.store} ${f.id}: ${f.reason}`);
	}
	return `${lines.join("\n")}\n\n`;
}

/** Registers `doctor`. */
export function registerDoctor(program: Command, run: Runner): void {
	program
		.command("doctor")
		.description("check the stores, the catalog, unsettled writes, backup divergences and keys")
		.option("--repair", "settle interrupted writes and repair backup divergences, then check again")
		.addHelpText("after", EXAMPLES)
		.action(
			run(async (context, command) => {
				noPassthrough(context);
				const repairAsked = command.opts<{ repair?: boolean }>().repair === true;
				const backend = await context.backend();
				const repair = repairAsked ? await backend.repair() : undefined;
				const outcome = await backend.doctor();
				const healthy = problemsOf(outcome).length === 0;
				if (context.out.json) {
					context.out.result({
						mode: backend.mode,
						...outcome.report,
						...(outcome.encryption ? { encryption: outcome.encryption } : {}),
						...(repair ? { repair } : {}),
					});
				} else {
					if (repair) context.out.data(repairText(repair));
					context.out.data(render(outcome, backend.mode));
				}
				return healthy ? EXIT.OK : EXIT.ERROR;
			}),
		);
}
