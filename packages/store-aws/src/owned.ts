/**
 * The ids this store has seen to be its own (created them, read a payload carrying its
 * `$owner`, or listed them by its deployment tag). Writes and deletes of these skip the
 * ownership check, so the common case stays one call; others are checked first.
 * Bounded, least recently used out first.
 */
export class OwnedIds {
	private readonly ids = new Set<string>();

	constructor(private readonly max = 10_000) {}

	has(id: string): boolean {
		if (!this.ids.has(id)) return false;
		// Refresh: a Set iterates in insertion order, so the first entry is the oldest.
		this.ids.delete(id);
		this.ids.add(id);
		return true;
	}

	add(id: string): void {
		this.ids.delete(id);
		this.ids.add(id);
		if (this.ids.size > this.max) {
			const oldest = this.ids.values().next().value;
			if (oldest !== undefined) this.ids.delete(oldest);
		}
	}

	delete(id: string): void {
		this.ids.delete(id);
	}
}
