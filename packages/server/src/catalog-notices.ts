/**
 * The catalog as `createSecrets` sees it on PostgreSQL: every committed change to an
 * existing secret (a values write, a rename or scope change, a delete) sends an eviction
 * notice after it commits, whoever made it (a request, reconciliation, the CLI's local
 * mode against the same database). Creates send none: a new id is in no cache.
 */
import type { Catalog } from "@strongbox/core";
import type { Invalidation } from "./invalidation.js";

/** `catalog` with notices on its committed changes; `catalog` itself when notices are off. */
export function withChangeNotices<C extends Catalog>(catalog: C, invalidation: Invalidation): C {
	if (!invalidation.enabled) return catalog;
	const notify = (id: string) => invalidation.publish("secret", id);
	// Everything else (the knex handle, settings, listings) is read through the prototype.
	const wrapped = Object.create(catalog) as C;
	Object.assign(wrapped, {
		async commitWrite(id: string, pendingVersion: number, now: Date) {
			const done = await catalog.commitWrite(id, pendingVersion, now);
			if (done) await notify(id);
			return done;
		},
		async updateMetadata(id: string, change: Parameters<Catalog["updateMetadata"]>[1]) {
			const done = await catalog.updateMetadata(id, change);
			if (done) await notify(id);
			return done;
		},
		async markDeleting(id: string, fromVersion?: number) {
			const done = await catalog.markDeleting(id, fromVersion);
			if (done) await notify(id);
			return done;
		},
	} satisfies Partial<Catalog>);
	return wrapped;
}
