/**
 * ListSecrets filter semantics, as the `Filter` reference documents them: every key is
 * a prefix match (case-sensitive except `description` and `all`), a leading `!` negates
 * a value, the values of one filter are OR-ed and separate filters are AND-ed. `tag-key`
 * and `tag-value` filters are NOT bound to the same tag.
 */
import type { Filter, Tag } from "./model.js";

/** What a filter can look at in one secret. */
export interface Filterable {
	name: string;
	description?: string;
	tags: readonly Tag[];
	primaryRegion?: string;
	owningService?: string;
}

function words(text: string): string[] {
	return text
		.toLowerCase()
		.split(/[^\p{L}\p{N}]+/u)
		.filter(Boolean);
}

function matchesPositive(key: string, value: string, secret: Filterable): boolean {
	switch (key) {
		case "name":
			return secret.name.startsWith(value);
		case "description":
			return (secret.description ?? "").toLowerCase().startsWith(value.toLowerCase());
		case "tag-key":
			return secret.tags.some((tag) => tag.Key.startsWith(value));
		case "tag-value":
			return secret.tags.some((tag) => tag.Value.startsWith(value));
		case "primary-region":
			return secret.primaryRegion?.startsWith(value) ?? false;
		case "owning-service":
			return secret.owningService?.startsWith(value) ?? false;
		case "all": {
			const haystack = [
				secret.name,
				secret.description ?? "",
				...secret.tags.flatMap((tag) => [tag.Key, tag.Value]),
			].flatMap(words);
			return words(value).every((word) => haystack.some((candidate) => candidate.startsWith(word)));
		}
		default:
			return false;
	}
}

function matchesValue(key: string, value: string, secret: Filterable): boolean {
	return value.startsWith("!")
		? !matchesPositive(key, value.slice(1), secret)
		: matchesPositive(key, value, secret);
}

/** Whether a secret passes every filter. */
export function matchesFilters(secret: Filterable, list: readonly Filter[] | undefined): boolean {
	if (!list) return true;
	return list.every((filter) =>
		filter.values.some((value) => matchesValue(filter.key, value, secret)),
	);
}
