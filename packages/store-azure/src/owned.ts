/**
 * Ids this store instance recently saw as its own (written by it, or read with its
 * deployment in the payload). Key Vault has no conditional write or delete, so ownership
 * is checked by reading first; this memory spares that read when the same process just
 * proved it, which keeps an update (read, then write) and a delete after a read to one
 * call each. It holds ids only, never values, and forgets after `ttlMs`.
 */
export class OwnedIds {
	private readonly seen = new Map<string, number>();

	constructor(
		private readonly ttlMs = 5 * 60_000,
		private readonly max = 10_000,
	) {}

	add(id: string): void {
		this.seen.delete(id);
		this.seen.set(id, Date.now() + this.ttlMs);
		// Map keeps insertion order: the first key is the least recently confirmed.
		if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value!);
	}

	has(id: string): boolean {
		const until = this.seen.get(id);
		if (until === undefined) return false;
		if (until < Date.now()) {
			this.seen.delete(id);
			return false;
		}
		return true;
	}

	delete(id: string): void {
		this.seen.delete(id);
	}
}
