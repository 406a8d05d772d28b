/**
 * The three `Reflect` metadata functions tsyringe (a dependency of @peculiar/x509)
 * insists on at import time. Installed only when absent, so a process that loads the
 * real `reflect-metadata` keeps it. x509's classes take no constructor arguments, so
 * tsyringe never needs more than an empty answer from them.
 */
type MetadataKey = unknown;
type Target = object;

interface ReflectWithMetadata {
	getMetadata?: (key: MetadataKey, target: Target, property?: string | symbol) => unknown;
	getOwnMetadata?: (key: MetadataKey, target: Target, property?: string | symbol) => unknown;
	defineMetadata?: (
		key: MetadataKey,
		value: unknown,
		target: Target,
		property?: string | symbol,
	) => void;
}

/** Installs the minimal metadata API on `Reflect` if nothing provides it yet. */
export function ensureReflectMetadata(): void {
	const reflect = Reflect as unknown as ReflectWithMetadata;
	if (typeof reflect.getMetadata === "function") return;
	const store = new WeakMap<Target, Map<string | symbol | undefined, Map<MetadataKey, unknown>>>();
	const own = (key: MetadataKey, target: Target, property?: string | symbol) =>
		store.get(target)?.get(property)?.get(key);
	reflect.getOwnMetadata = own;
	reflect.defineMetadata = (key, value, target, property) => {
		const byProperty =
			store.get(target) ?? new Map<string | symbol | undefined, Map<MetadataKey, unknown>>();
		store.set(target, byProperty);
		const byKey = byProperty.get(property) ?? new Map<MetadataKey, unknown>();
		byProperty.set(property, byKey);
		byKey.set(key, value);
	};
	reflect.getMetadata = (key, target, property) => {
		for (let t: Target | null = target; t !== null; t = Object.getPrototypeOf(t) as Target | null) {
			const value = own(key, t, property);
			if (value !== undefined) return value;
		}
		return undefined;
	};
}
