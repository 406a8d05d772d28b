/**
 * The runtime a migration runs on: the local configuration with the target as the store
 * of new secrets and every configured store (the source among them) as a secondary
 * store, exactly what core's `migrateSecrets` expects. The backup store, if any, is left
 * out: it pairs with the configured store, not with the target.
 */

import type { Logger } from "@strongbox/core";
import { StoreConfigError } from "@strongbox/core";
import type { Runtime, StrongboxConfig } from "@strongbox/server/runtime";
import { openLocalRuntime } from "../backend/local.js";
import { UsageError } from "../errors.js";
import { entryName, type StoreEntry } from "./target.js";

/** Where the values go and come from. */
export interface MigrationPlan {
	/** The configured store and secondary stores, as they are now. */
	store: StoreEntry;
	secondaryStores: StoreEntry[];
	target: StoreEntry;
	/** Whether the target was named from the configuration (`--to NAME`). */
	configured: boolean;
	from: string;
}

/**
 * Places the target among the configured stores and picks the source: `--from`, else
 * the configured store, else (the target being the configured store already) the one
 * other store there is.
 */
export function planMigration(
	config: StrongboxConfig,
	target: { entry: StoreEntry } | { name: string },
	from: string | undefined,
): MigrationPlan {
	const store = config.store as StoreEntry;
	const secondaryStores = config.secondaryStores as StoreEntry[];
	const all = [store, ...secondaryStores];
	const names = all.map(entryName);
	let entry: StoreEntry;
	if ("name" in target) {
		const found = all.find((s) => entryName(s) === target.name);
		if (!found) {
			throw new StoreConfigError(
				`Your configuration has no store named \`${target.name}\` (it has ${names.map((n) => `\`${n}\``).join(", ")}). Give --to a store as JSON or a file to add one.`,
			);
		}
		entry = found;
	} else {
		entry = target.entry;
		if (names.includes(entryName(entry))) {
			throw new StoreConfigError(
				`Your configuration already has a store named \`${entryName(entry)}\`: pass \`--to ${entryName(entry)}\` to migrate to that store, or give the new store another "name".`,
			);
		}
	}
	const targetName = entryName(entry);
	let source = from;
	if (source === undefined) {
		const others = names.filter((n) => n !== targetName);
		if (entryName(store) !== targetName) source = entryName(store);
		else if (others.length === 1) source = others[0];
		else
			throw new UsageError(
				`\`${targetName}\` is already the configured store: say which store to migrate from with --from (${others.join(", ") || "none configured"}).`,
			);
	}
	if (source === targetName) {
		throw new UsageError(`--from and --to both name \`${targetName}\`: nothing to migrate.`);
	}
	if (!names.includes(source!)) {
		throw new StoreConfigError(
			`--from \`${source}\` is not a store of your configuration (it has ${names.map((n) => `\`${n}\``).join(", ")}): add it to secondaryStores to migrate from it.`,
		);
	}
	return {
		store,
		secondaryStores,
		target: entry,
		configured: "name" in target,
		from: source!,
	};
}

/** Opens the runtime of a plan. */
export async function openMigrationRuntime(
	config: StrongboxConfig,
	plan: MigrationPlan,
	options: { cwd: string; logger: Logger },
): Promise<Runtime> {
	const targetName = entryName(plan.target);
	const rest = [plan.store, ...plan.secondaryStores].filter((s) => entryName(s) !== targetName);
	const migrationConfig = {
		...config,
		store: plan.target,
		secondaryStores: rest,
		// Values read here are only copied: holding them in memory would serve nothing.
		cache: { ...config.cache, ttlMs: 0 },
	} as StrongboxConfig & { backup?: unknown };
	delete migrationConfig.backup;
	return openLocalRuntime(migrationConfig, options);
}
