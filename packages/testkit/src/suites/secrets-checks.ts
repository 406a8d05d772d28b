/**
 * The Secrets checks, grouped. They only use the `Secrets` interface (plus the optional
 * `reconcile`), so the same checks run in-process and through the HTTP client.
 */
import * as access from "./secrets-checks-access.js";
import * as concurrency from "./secrets-checks-concurrency.js";
import * as crud from "./secrets-checks-crud.js";
import * as listing from "./secrets-checks-listing.js";
import * as validation from "./secrets-checks-validation.js";
import type { SecretsCheck } from "./secrets-context.js";

/** A group of Secrets checks. */
export interface SecretsCheckGroup {
	name: string;
	checks: readonly SecretsCheck[];
}

/** Every Secrets check, by group. */
export const secretsCheckGroups: readonly SecretsCheckGroup[] = [
	{
		name: "writes and reads",
		checks: [
			crud.crud,
			crud.versions,
			crud.mergeUpdate,
			crud.rename,
			crud.scopeChange,
			crud.expectedVersion,
			crud.uniqueness,
			crud.lookupOrder,
			concurrency.bulkGet,
		],
	},
	{ name: "visibility", checks: [access.userScopeInvisible, access.otherWorkspaceInvisible] },
	{
		name: "validation",
		checks: [
			validation.invalidNames,
			validation.invalidValues,
			validation.invalidFields,
			validation.invalidIds,
			validation.invalidFilters,
			validation.sizeLimit,
		],
	},
	{
		name: "listing",
		checks: [
			listing.nameOperators,
			listing.literalWildcards,
			listing.scopeFilters,
			listing.dateRanges,
			listing.sorting,
			listing.paging,
			listing.pageSizes,
			listing.listingsHaveNoValues,
		],
	},
	{ name: "no value leaves", checks: [concurrency.maskedSecrets] },
	{
		name: "concurrency",
		checks: [
			concurrency.concurrentCreates,
			concurrency.concurrentVersionedUpdates,
			concurrency.concurrentMerges,
			concurrency.reconcileHealthy,
		],
	},
];

/** Every Secrets check by name, for running one on its own. */
export const secretsChecks = {
	...crud,
	...access,
	...validation,
	...listing,
	...concurrency,
} as const satisfies Record<string, SecretsCheck>;
