/**
 * Shared pieces of the store tests: a logger that records, a Secrets runtime over the
 * SQL catalog and store on a fixture, and a raw dump of every table of a fixture.
 */
import { readFile } from "node:fs/promises";
import { createSecrets, createStore, type Logger, type SecretsService } from "@strongbox/core";
import { createSqlCatalog, type SqlCatalog } from "../src/catalog.js";
import { sqlStore } from "../src/definition.js";
import type { SqlStoreOptions } from "../src/options.js";
import type { DatabaseFixture } from "./databases.js";

/** One recorded log call. */
export interface LogLine {
	level: keyof Logger;
	message: string;
	fields?: Record<string, unknown>;
}

/** A logger that keeps every line. */
export function recordingLogger(): Logger & { lines: LogLine[] } {
	const lines: LogLine[] = [];
	const log = (level: keyof Logger) => (message: string, fields?: Record<string, unknown>) => {
		lines.push({ level, message, ...(fields ? { fields } : {}) });
	};
	return { lines, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/** A Secrets runtime over the SQL catalog and the SQL store of `fixture`. */
export async function sqlSecrets(
	fixture: DatabaseFixture,
	storeOptions: Partial<SqlStoreOptions>,
	extra: {
		prefix?: string;
		deploymentId?: string;
		logger?: Logger;
		reconcileOnStart?: boolean;
	} = {},
): Promise<{ secrets: SecretsService; catalog: SqlCatalog }> {
	const prefix = extra.prefix ?? fixture.prefix;
	const catalog = createSqlCatalog({ knex: fixture.knex, tablePrefix: prefix });
	const store = await createStore(
		sqlStore,
		{ tablePrefix: prefix, ...storeOptions },
		{
			catalogConnection: fixture.knex,
			deploymentId: extra.deploymentId ?? "test",
			...(extra.logger ? { logger: extra.logger } : {}),
		},
	);
	const secrets = createSecrets({
		catalog,
		store,
		...(extra.logger ? { logger: extra.logger } : {}),
		...(extra.reconcileOnStart === undefined ? {} : { reconcileOnStart: extra.reconcileOnStart }),
	});
	await secrets.init();
	return { secrets, catalog };
}

/**
 * Everything the database holds for this fixture, as text: the SQLite file and its WAL
 * (bytes, as latin1), or every row of every table of the fixture's prefix on a server.
 */
export async function rawDump(fixture: DatabaseFixture): Promise<string> {
	if (fixture.file) {
		const parts: string[] = [];
		for (const suffix of ["", "-wal", "-journal"]) {
			try {
				parts.push((await readFile(`${fixture.file}${suffix}`)).toString("latin1"));
			} catch {
				// That file does not exist (no WAL yet, or no rollback journal): nothing to read.
			}
		}
		return parts.join("\n");
	}
	const knex = fixture.knex;
	const tables: string[] =
		fixture.name === "postgres"
			? (
					await knex.raw(
						"SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()",
					)
				).rows.map((r: { name: string }) => r.name)
			: (
					await knex.raw(
						"SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()",
					)
				)[0].map((r: { name: string }) => r.name);
	const out: string[] = [];
	for (const table of tables.filter((name) => name.startsWith(fixture.prefix))) {
		out.push(JSON.stringify(await knex(table).select("*")));
	}
	return out.join("\n");
}
