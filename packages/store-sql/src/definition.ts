/**
 * The `sql` store definition, and re-encryption as a one-off operation.
 */
import { defineStore, type Logger, silentLogger, validateStoreOptions } from "@strongbox/core";
import type { Knex } from "knex";
import { DEFAULT_MAX_VALUE_BYTES, type SqlStoreOptions, sqlStoreOptionsSchema } from "./options.js";
import type { ReencryptOptions, ReencryptReport } from "./reencrypt.js";
import { createSqlValuesStore } from "./store.js";

/**
 * The SQL values store (`type: "sql"`): values encrypted with AES-256-GCM in a table on
 * the catalog's database (or the one at `url`).
 */
export const sqlStore = defineStore<SqlStoreOptions>({
	type: "sql",
	configSchema: sqlStoreOptionsSchema,
	secretOptions: ["keys", "url"],
	capabilities: {
		encryptsAtRest: true,
		bulkGet: true,
		listIds: true,
		maxBatchSize: 500,
		maxValueBytes: DEFAULT_MAX_VALUE_BYTES,
	},
	create: (options, context) => createSqlValuesStore(options, context),
});

/** Where {@link reencrypt} runs. */
export interface ReencryptRunOptions extends ReencryptOptions {
	/** The database, when `options` has no `url` (for example the SQL catalog's `knex`). */
	connection?: Knex;
	/** The deployment whose values are re-encrypted (the catalog's `deployment_id` setting). @default "strongbox" */
	deploymentId?: string;
	/** @default silent */
	logger?: Logger;
}

/**
 * Re-encrypts every stored value that is not under the active (first) key of
 * `options.keys`/`options.keyFile`, in batches, while the store stays in use. Run it
 * after putting a new key first in the ring; then the old key can be dropped.
 *
 * @example
 * await reencrypt({ url, keys: "k2:<new>,k1:<old>" }, { onProgress: ({ done, total }) => console.log(done, total) });
 */
export async function reencrypt(
	options: SqlStoreOptions,
	run: ReencryptRunOptions = {},
): Promise<ReencryptReport> {
	const validated = await validateStoreOptions(sqlStore, options);
	const store = await createSqlValuesStore(validated, {
		deploymentId: run.deploymentId ?? "strongbox",
		logger: run.logger ?? silentLogger,
		...(run.connection ? { catalogConnection: run.connection } : {}),
	});
	try {
		await store.init?.();
		return await store.reencrypt({
			...(run.onProgress ? { onProgress: run.onProgress } : {}),
			...(run.batchSize === undefined ? {} : { batchSize: run.batchSize }),
		});
	} finally {
		await store.close();
	}
}
