/**
 * `@strongbox/store-sql`: the SQL catalog (every secret's metadata) and the SQL values
 * store (values encrypted with AES-256-GCM), on SQLite, PostgreSQL or MySQL/MariaDB
 * through knex. Also the embedded default: both in one SQLite file.
 *
 * Install: `npm install @strongbox/store-sql` (SQLite included); add `pg` for
 * PostgreSQL or `mysql2` for MySQL/MariaDB.
 *
 * @packageDocumentation
 */
import { sqlStore } from "./definition.js";

export { createSqlCatalog, type SqlCatalog, type SqlCatalogOptions } from "./catalog.js";
export {
	type DatabaseTarget,
	type Dialect,
	dialectOf,
	type OpenDatabaseOptions,
	openDatabase,
	parseDatabaseUrl,
	redactUrl,
} from "./database.js";
export { type ReencryptRunOptions, reencrypt, sqlStore } from "./definition.js";
export {
	DEPLOYMENT_ID_SETTING,
	type EmbeddedOptions,
	type EmbeddedStrongbox,
	ensureDatabaseFile,
	ensureKeyFile,
	openEmbedded,
} from "./embedded.js";
export { generateKey, KEY_ID_PATTERN, type KeyInput } from "./keyring.js";
export {
	DEFAULT_MAX_VALUE_BYTES,
	MAX_MAX_VALUE_BYTES,
	type SqlStoreOptions,
	sqlStoreOptionsSchema,
} from "./options.js";
export type { ReencryptOptions, ReencryptProgress, ReencryptReport } from "./reencrypt.js";
export { createSqlValuesStore, type SqlValuesStore } from "./store.js";
export { DEFAULT_TABLE_PREFIX } from "./tables.js";

export default sqlStore;
