/**
 * `strongbox migrate --to STORE [--from NAME] [--dry-run] [--only FILTER] [--delete-source]`:
 * moves secrets' values from one store to another with core's `migrateSecrets`
 * (verified by read-back checksum, resumable, one secret at a time while everything
 * keeps working), on the local runtime: it needs the catalog and both stores directly.
 * Prints progress, a report and what to change in the configuration; never a value.
 */
import {
	type MigrationFilter,
	type MigrationReport,
	migrateSecrets,
	resolveStoreDefinition,
	type SecretScope,
} from "@strongbox/core";
import type { Command } from "commander";
import { loadLocalConfig } from "../backend/local.js";
import { cliImport } from "../backend/runtime-module.js";
import type { Context } from "../context.js";
import { resolveRemote } from "../credentials.js";
import { EXIT, LocalOnlyError } from "../errors.js";
import { type AdviceInput, adviceText, nextConfig } from "../migrate/advice.js";
import { progressSink, silentProgress } from "../migrate/progress.js";
import { reportJson, reportText } from "../migrate/report.js";
import { openMigrationRuntime, planMigration } from "../migrate/runtime.js";
import { checkTarget, entryName, readTarget } from "../migrate/target.js";
import { noPassthrough, type Runner, scopeOption } from "./shared.js";

const EXAMPLES = `
Examples:
  $ strongbox migrate --to '{"type":"aws","options":{"region":"eu-west-1"}}' --dry-run
  $ strongbox migrate --to aws-store.yaml                  # a file holding { type, options, name }
  $ strongbox migrate --to aws --from sql --delete-source  # a store your configuration already has
  $ strongbox migrate --to vault.json --only startswith:prod- --scope workspace

Per secret: read from the source, write to the target at the same version, read back and
compare checksums, then switch the catalog row to the target; only then (with
--delete-source) delete the source copy. Reads and writes keep working throughout. An
interrupted run (Ctrl-C, crash) is finished by running the same command again; a finished
one re-runs as a no-op. Runs where the configuration lives (local mode): a live server must
have the target among its secondaryStores before you start, so it can read what moves.
`;

interface MigrateFlags {
	to: string;
	from?: string;
	dryRun?: boolean;
	only?: string;
	scope?: SecretScope;
	deleteSource?: boolean;
}

async function migrate(context: Context, flags: MigrateFlags): Promise<number> {
	if (await resolveRemote(context.home, context.io.env)) {
		throw new LocalOnlyError(
			"`strongbox migrate` moves values between stores directly, so it runs where the server's configuration lives, not through a server.",
		);
	}
	const importFn = cliImport(context.io.cwd);
	const input = await readTarget(flags.to, context.io.cwd);
	const target =
		input.kind === "configured"
			? { name: input.name }
			: { entry: await checkTarget(input.raw, importFn) };
	const only: MigrationFilter = {
		...(flags.only === undefined ? {} : { name: flags.only }),
		...(flags.scope === undefined ? {} : { scope: flags.scope }),
		...(context.workspace === undefined ? {} : { workspace: context.workspace }),
	};
	const local = {
		home: context.home,
		homeFromFlag: context.homeFromFlag,
		configFile: context.configFile,
		env: context.io.env,
		cwd: context.io.cwd,
		logger: context.logger,
	};
	const config = await loadLocalConfig(local);
	const plan = planMigration(config, target, flags.from);
	const to = entryName(plan.target);
	const runtime = await openMigrationRuntime(config, plan, local);
	const controller = new AbortController();
	const stop = () => controller.abort();
	const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"];
	for (const signal of signals) process.on(signal, stop);
	const dryRun = flags.dryRun === true;
	const progress =
		context.out.json || context.out.quiet
			? silentProgress
			: progressSink(context.io.stderr, dryRun);
	let total = 0;
	let report: MigrationReport;
	let sourceStillUsed = true;
	try {
		context.out.status(
			`${dryRun ? "Dry run: checking what would move" : "Moving values"} from \`${plan.from}\` to \`${to}\`…`,
		);
		report = await migrateSecrets(runtime.secrets, {
			from: plan.from,
			to: runtime.secrets.store,
			only,
			dryRun,
			deleteSource: flags.deleteSource === true,
			signal: controller.signal,
			onProgress: (p) => {
				total = p.total;
				progress.update(p);
			},
		});
		sourceStillUsed = (await runtime.catalog.listByBackend(plan.from, null, 1)).length > 0;
	} finally {
		progress.finish();
		for (const signal of signals) process.off(signal, stop);
		await runtime.close();
	}
	total = Math.max(total, report.moved + report.skipped + report.failed.length);
	const complete = !report.dryRun && !report.aborted && report.failed.length === 0;
	const advice: AdviceInput = {
		store: plan.store,
		secondaryStores: plan.secondaryStores,
		target: plan.target,
		from: plan.from,
		sourceStillUsed,
		deletedSource: flags.deleteSource === true && complete,
		secretOptions: () => [],
	};
	if (complete) {
		const definitions = new Map<string, readonly string[]>();
		for (const entry of [plan.store, ...plan.secondaryStores, plan.target]) {
			if (definitions.has(entry.type)) continue;
			const definition = await resolveStoreDefinition(entry.type, importFn).catch(() => undefined);
			definitions.set(entry.type, definition?.secretOptions ?? []);
		}
		advice.secretOptions = (type) => definitions.get(type) ?? [];
	}
	const next = complete ? nextConfig(advice) : undefined;
	if (context.out.json) {
		context.out.result({ ...reportJson(report, plan.from, to, total), nextConfig: next ?? null });
	} else {
		context.out.data(reportText(report, plan.from, to, total));
		if (report.aborted) {
			context.out.data("Interrupted: run the same command again to finish; nothing is lost.\n");
		} else if (report.failed.length > 0 && !report.dryRun) {
			context.out.data(
				"The failed secrets stay readable where they were. Fix the cause, then run the same command again.\n",
			);
		} else if (next) {
			context.out.data(`\n${adviceText(advice, next)}`);
		}
	}
	if (report.aborted) return EXIT.INTERRUPTED;
	return report.failed.length > 0 ? EXIT.ERROR : EXIT.OK;
}

/** Registers `migrate`. */
export function registerMigrate(program: Command, run: Runner): void {
	program
		.command("migrate")
		.description("move secrets' values to another store (verified, resumable; local mode)")
		.requiredOption(
			"--to <store>",
			'the target store: JSON {"type","options","name"}, a JSON/YAML file, or a configured store name',
		)
		.option("--from <name>", "the store to move from (default: the configured store)")
		.option("--dry-run", "read and check every secret; write nothing")
		.option(
			"--only <filter>",
			"only secrets whose name matches: NAME, or equals:|contains:|startswith:|endswith: TEXT",
		)
		.addOption(scopeOption("only secrets of this scope"))
		.option("--delete-source", "delete each source copy once its move is verified")
		.addHelpText("after", EXAMPLES)
		.action(
			run(async (context, command) => {
				noPassthrough(context);
				return migrate(context, command.opts<MigrateFlags>());
			}),
		);
}
