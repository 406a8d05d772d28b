/**
 * What to change in the configuration after a migration: the target becomes `store`,
 * the source stays a secondary store (so the values still there stay readable) until
 * its copies are deleted. Credentials are masked: the snippet is printed.
 */
import { entryName, type StoreEntry } from "./target.js";

const MASK = "********";
// Option names that suggest a credential, masked besides those the store declares secret.
const SECRET_OPTION = /key|secret|token|password|credential|auth|cert|private/i;

/** A copy of store options safe to print: credentials masked, URL passwords masked. */
export function maskOptions(
	options: Record<string, unknown>,
	secretOptions: readonly string[],
): Record<string, unknown> {
	return Object.fromEntries(
		Object.entries(options).map(([key, value]) => {
			if (secretOptions.includes(key) || SECRET_OPTION.test(key)) return [key, MASK];
			if (typeof value === "string" && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
				try {
					const url = new URL(value);
					if (!url.password && !url.username) return [key, value];
					if (url.password) url.password = MASK;
					if (url.username) url.username = MASK;
					return [key, url.toString()];
				} catch {
					return [key, MASK];
				}
			}
			return [key, value];
		}),
	);
}

/** The store entries the configuration should hold after the migration. */
export interface NextConfig {
	store: StoreEntry;
	secondaryStores: StoreEntry[];
}

/** Inputs of {@link nextConfig}. */
export interface AdviceInput {
	/** The configuration's store and secondary stores now. */
	store: StoreEntry;
	secondaryStores: readonly StoreEntry[];
	/** The migration target (already one of the above, or new). */
	target: StoreEntry;
	/** The source back-end name. */
	from: string;
	/** Whether any secret still names the source. */
	sourceStillUsed: boolean;
	/** Whether this run deleted the source copies (`--delete-source`, nothing failed). */
	deletedSource: boolean;
	/** Secret option names per store type, to mask. */
	secretOptions: (type: string) => readonly string[];
}

function masked(entry: StoreEntry, secretOptions: (type: string) => readonly string[]): StoreEntry {
	return {
		type: entry.type,
		...(entry.name === undefined ? {} : { name: entry.name }),
		options: maskOptions(entry.options, secretOptions(entry.type)),
	};
}

/**
 * The target as `store`; the previous store and the other secondary stores kept as
 * secondary stores, except the source once no secret names it and its copies are deleted.
 */
export function nextConfig(input: AdviceInput): NextConfig {
	const targetName = entryName(input.target);
	const others = [input.store, ...input.secondaryStores].filter((entry) => {
		const name = entryName(entry);
		if (name === targetName) return false;
		return name !== input.from || input.sourceStillUsed || !input.deletedSource;
	});
	return {
		store: masked(input.target, input.secretOptions),
		secondaryStores: others.map((entry) => masked(entry, input.secretOptions)),
	};
}

/** Whether the configuration already matches `next` by store names. */
export function configMatches(input: AdviceInput, next: NextConfig): boolean {
	const names = (entries: readonly StoreEntry[]) => entries.map(entryName).join(",");
	return (
		entryName(input.store) === entryName(next.store) &&
		names(input.secondaryStores) === names(next.secondaryStores)
	);
}

/** The advice as text for people. */
export function adviceText(input: AdviceInput, next: NextConfig): string {
	const to = entryName(input.target);
	const lines: string[] = [];
	const storeIsTarget = entryName(input.store) === to;
	if (configMatches(input, next)) {
		lines.push("Your configuration already matches: nothing to change.");
	} else {
		lines.push(
			storeIsTarget
				? `Your configuration already writes new secrets to \`${to}\`. In your configuration file, set:`
				: `Next: make \`${to}\` the store of new secrets. In your configuration file (strongbox.config.json or .yaml), set:`,
			"",
			...(storeIsTarget ? [] : [`  "store": ${JSON.stringify(next.store)},`]),
			`  "secondaryStores": ${JSON.stringify(next.secondaryStores)}`,
			"",
		);
		if (JSON.stringify(next).includes(MASK)) {
			lines.push(`(${MASK} stands for the credentials you gave; they are never printed.)`);
		}
		lines.push(
			"Then restart the server and every other program that uses this catalog.",
			storeIsTarget
				? `With environment variables instead: STRONGBOX_SECONDARY_STORES='${JSON.stringify(next.secondaryStores)}'.`
				: `With environment variables instead: STRONGBOX_STORE_TYPE=${next.store.type}${next.store.name ? `, STRONGBOX_STORE_NAME=${next.store.name}` : ""}, STRONGBOX_STORE_OPTIONS_<OPTION>=… and STRONGBOX_SECONDARY_STORES='${JSON.stringify(next.secondaryStores)}'.`,
		);
	}
	if (input.sourceStillUsed) {
		lines.push(
			`Keep \`${input.from}\` among the secondary stores: some secrets still have their values there.`,
		);
	} else if (!input.deletedSource) {
		lines.push(
			`\`${input.from}\` still holds copies of the migrated values. Once you have checked the new store, delete them with:`,
			`  strongbox migrate --to ${to} --from ${input.from} --delete-source`,
		);
	} else {
		lines.push(
			`No secret uses \`${input.from}\` any more and its copies are deleted: it is left out above.`,
		);
	}
	return `${lines.join("\n")}\n`;
}
