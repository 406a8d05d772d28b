/**
 * The catalog's small key/value settings table (deployment id, key fingerprints...).
 */
import { type Catalog, ValidationError } from "@strongbox/core";
import { prefixUpperBound } from "./catalog-query.js";
import type { Dialect } from "./database.js";
import type { Sql } from "./sql.js";

const MAX_SETTING_KEY = 255;
const MAX_SETTING_VALUE = 16 * 1024;

function checkSetting(key: string, value?: string): void {
	const issues = [];
	if (typeof key !== "string" || key.length === 0 || key.length > MAX_SETTING_KEY) {
		issues.push({ path: "key", message: `must be 1–${MAX_SETTING_KEY} characters` });
	}
	if (value !== undefined && (typeof value !== "string" || value.length > MAX_SETTING_VALUE)) {
		issues.push({
			path: "value",
			message: `must be a string of at most ${MAX_SETTING_VALUE} characters`,
		});
	}
	if (issues.length > 0) throw new ValidationError("Invalid catalog setting.", issues);
}

/** The settings methods of the catalog, over the quoted settings table `S`. */
export function settingsMethods(
	db: () => Promise<Sql>,
	dialect: Dialect,
	S: string,
): Pick<Catalog, "getSetting" | "initSetting" | "setSetting" | "listSettings" | "deleteSetting"> {
	const insertIfAbsent = {
		sqlite: `INSERT INTO ${S} (setting_key, setting_value) VALUES (?, ?) ON CONFLICT (setting_key) DO NOTHING`,
		postgres: `INSERT INTO ${S} (setting_key, setting_value) VALUES (?, ?) ON CONFLICT (setting_key) DO NOTHING`,
		mysql: `INSERT INTO ${S} (setting_key, setting_value) VALUES (?, ?) ON DUPLICATE KEY UPDATE setting_key = setting_key`,
	}[dialect];
	const upsert = {
		sqlite: `INSERT INTO ${S} (setting_key, setting_value) VALUES (?, ?) ON CONFLICT (setting_key) DO UPDATE SET setting_value = excluded.setting_value`,
		postgres: `INSERT INTO ${S} (setting_key, setting_value) VALUES (?, ?) ON CONFLICT (setting_key) DO UPDATE SET setting_value = excluded.setting_value`,
		mysql: `INSERT INTO ${S} (setting_key, setting_value) VALUES (?, ?) ON DUPLICATE KEY UPDATE setting_value = VALUES(setting_value)`,
	}[dialect];
	return {
		async getSetting(key) {
			checkSetting(key);
			const s = await db();
			const r = await s.first(
				`SELECT setting_value FROM ${S} WHERE setting_key = ?`,
				[key],
				"getSetting",
			);
			return r ? (r.setting_value as string) : undefined;
		},

		async initSetting(key, value) {
			checkSetting(key, value);
			const s = await db();
			await s.run(insertIfAbsent, [key, value], "initSetting");
			const r = await s.first(
				`SELECT setting_value FROM ${S} WHERE setting_key = ?`,
				[key],
				"initSetting",
			);
			return r ? (r.setting_value as string) : value;
		},

		async setSetting(key, value) {
			checkSetting(key, value);
			const s = await db();
			await s.run(upsert, [key, value], "setSetting");
		},

		async listSettings(prefix) {
			if (typeof prefix !== "string" || prefix.length > MAX_SETTING_KEY) {
				throw new ValidationError("Invalid settings prefix.", [
					{ path: "prefix", message: `must be a string of at most ${MAX_SETTING_KEY} characters` },
				]);
			}
			const s = await db();
			// A key range on the primary key (no LIKE, so nothing to escape), checked exactly below.
			const upper = prefixUpperBound(prefix);
			const rows = await s.all(
				`SELECT setting_key, setting_value FROM ${S} WHERE setting_key >= ?${upper === undefined ? "" : " AND setting_key < ?"} ORDER BY setting_key`,
				upper === undefined ? [prefix] : [prefix, upper],
				"listSettings",
			);
			const out: Record<string, string> = {};
			for (const r of rows) {
				const key = r.setting_key as string;
				if (key.startsWith(prefix)) out[key] = r.setting_value as string;
			}
			return out;
		},

		async deleteSetting(key) {
			checkSetting(key);
			const s = await db();
			await s.run(`DELETE FROM ${S} WHERE setting_key = ?`, [key], "deleteSetting");
		},
	};
}
