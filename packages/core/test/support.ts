/**
 * Small helpers shared by core's tests: a Standard Schema without a schema library, and a
 * recording raw store.
 */
import type { SecretsStore, StandardSchemaV1, StoredValues } from "../src/index.js";

/** A Standard Schema that accepts objects and reports the given issues for others. */
export function schema<T = Record<string, unknown>>(
	check: (value: unknown) => StandardSchemaV1.Issue[] = () => [],
): StandardSchemaV1<unknown, T> {
	return {
		"~standard": {
			version: 1,
			vendor: "test",
			validate(value) {
				const issues = check(value);
				return issues.length > 0 ? { issues } : { value: (value ?? {}) as T };
			},
		},
	};
}

/** Calls a raw store received, by method. */
export type Calls = Record<string, number>;

/** A raw store over a plain map that counts its calls; `overrides` replace methods. */
export function recordingStore(overrides: Partial<SecretsStore> = {}): {
	raw: SecretsStore;
	calls: Calls;
	data: Map<string, StoredValues>;
} {
	const calls: Calls = {};
	const data = new Map<string, StoredValues>();
	const count = (name: string) => {
		calls[name] = (calls[name] ?? 0) + 1;
	};
	const base: SecretsStore = {
		async init() {
			count("init");
		},
		async set(id, values, meta) {
			count("set");
			data.set(id, { values: { ...values }, version: meta.version });
		},
		async get(id) {
			count("get");
			return data.get(id);
		},
		async getMany(ids) {
			count("getMany");
			return new Map(ids.flatMap((id) => (data.has(id) ? [[id, data.get(id)!] as const] : [])));
		},
		async delete(id) {
			count("delete");
			return data.delete(id);
		},
		async *listIds() {
			count("listIds");
			yield* data.keys();
		},
		async verify() {
			count("verify");
		},
		async close() {
			count("close");
		},
	};
	const raw: SecretsStore = { ...base };
	for (const [name, fn] of Object.entries(overrides)) {
		(raw as unknown as Record<string, unknown>)[name] =
			typeof fn === "function"
				? (...args: unknown[]) => {
						count(name);
						return (fn as (...a: unknown[]) => unknown).apply(raw, args);
					}
				: fn;
	}
	return { raw, calls, data };
}
