/**
 * What ListSecrets sees: a history of list entries per secret, so that a listing can
 * lag writes by `eventualConsistencyMs` (ListSecrets is eventually consistent on the
 * real service), plus sorting and opaque, cursor-based page tokens.
 */
import { createHash } from "node:crypto";
import { type Filterable, matchesFilters } from "./filters.js";
import { AwsError, type Filter } from "./model.js";

/** A secret as a listing shows it at one moment. */
export interface ListSnapshot {
	name: string;
	seq: number;
	createdAt: number;
	lastChangedAt: number;
	lastAccessedAt?: number;
	deleted: boolean;
	filterable: Filterable;
	/** The `SecretListEntry` JSON. */
	entry: Record<string, unknown>;
}

/** Sort keys of ListSecrets. */
export type SortBy = "created-date" | "last-accessed-date" | "last-changed-date" | "name";

/** A listing query. */
export interface ListQuery {
	filters?: Filter[];
	includePlannedDeletion: boolean;
	sortBy: SortBy;
	sortOrder: "asc" | "desc";
	maxResults: number;
	nextToken?: string;
}

/** History of list entries, read with a lag. */
export class ListingHistory {
	private readonly history = new Map<string, { at: number; snapshot: ListSnapshot | null }[]>();

	constructor(
		private readonly lagMs: number,
		private readonly clock: () => number,
	) {}

	/** Records what a listing will show for `name` from now on (`null`: gone). */
	record(name: string, snapshot: ListSnapshot | null): void {
		const entries = this.history.get(name) ?? [];
		entries.push({ at: this.clock(), snapshot });
		this.history.set(name, entries);
	}

	/** What a listing sees now: the latest snapshot of each secret at least `lagMs` old. */
	visible(): ListSnapshot[] {
		const cutoff = this.clock() - this.lagMs;
		const out: ListSnapshot[] = [];
		for (const [name, entries] of this.history) {
			let index = -1;
			for (let i = entries.length - 1; i >= 0; i--) {
				if (entries[i]!.at <= cutoff) {
					index = i;
					break;
				}
			}
			// Older entries can never be seen again.
			if (index > 0) entries.splice(0, index);
			const current = index >= 0 ? entries[0]!.snapshot : null;
			if (index >= 0 && current === null && entries.length === 1) this.history.delete(name);
			if (current) out.push(current);
		}
		return out;
	}

	/** One page of a listing. */
	page(query: ListQuery): { items: ListSnapshot[]; nextToken?: string } {
		const fingerprint = createHash("sha256")
			.update(
				JSON.stringify([
					query.filters ?? [],
					query.includePlannedDeletion,
					query.sortBy,
					query.sortOrder,
				]),
			)
			.digest("base64url")
			.slice(0, 12);
		const key = (s: ListSnapshot): number | string => {
			switch (query.sortBy) {
				case "name":
					return s.name;
				case "last-changed-date":
					return s.lastChangedAt;
				case "last-accessed-date":
					return s.lastAccessedAt ?? 0;
				default:
					return s.createdAt;
			}
		};
		const direction = query.sortOrder === "desc" ? -1 : 1;
		const compare = (a: [number | string, number], b: [number | string, number]): number => {
			if (a[0] !== b[0]) return (a[0] < b[0] ? -1 : 1) * direction;
			return (a[1] - b[1]) * direction;
		};
		let after: [number | string, number] | undefined;
		if (query.nextToken !== undefined) after = decodeToken(query.nextToken, fingerprint);
		const items = this.visible()
			.filter(
				(s) =>
					(query.includePlannedDeletion || !s.deleted) &&
					matchesFilters(s.filterable, query.filters),
			)
			.map((s) => ({ s, k: [key(s), s.seq] as [number | string, number] }))
			.sort((a, b) => compare(a.k, b.k))
			.filter((item) => after === undefined || compare(item.k, after) > 0);
		const page = items.slice(0, query.maxResults);
		const last = page.at(-1);
		return {
			items: page.map((item) => item.s),
			...(items.length > page.length && last
				? { nextToken: Buffer.from(JSON.stringify([last.k, fingerprint])).toString("base64url") }
				: {}),
		};
	}
}

function decodeToken(token: string, fingerprint: string): [number | string, number] {
	try {
		const [k, f] = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as [
			[number | string, number],
			string,
		];
		if (f === fingerprint && Array.isArray(k) && typeof k[1] === "number") return k;
	} catch {
		// fall through
	}
	throw new AwsError("InvalidNextTokenException", "The NextToken value is invalid.");
}
