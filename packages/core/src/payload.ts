/**
 * The JSON payload a store writes when its back-end holds a string: the values map plus
 * two reserved entries, `$version` (the catalog version) and `$owner` (the deployment
 * id). `$` can never start a key, so neither can collide with one. Carrying ownership in
 * the payload lets a store check it on every read without a second back-end call.
 * Stores that keep these elsewhere (a column, a version id) need not use this.
 */
import { StoreError } from "./errors.js";
import type { StoredValues } from "./store.js";
import type { SecretValues } from "./types.js";

/** Reserved payload entry holding the catalog version. */
export const VERSION_FIELD = "$version";
/** Reserved payload entry holding the owning deployment id. */
export const OWNER_FIELD = "$owner";

/** Upper bound of the bytes {@link encodePayload} adds to `valuesSize(values)` (with an owner id ≤ 64 characters). */
export const PAYLOAD_OVERHEAD = 128;

/** A decoded payload. `owner` is `undefined` when the payload carries none. */
export interface DecodedPayload extends StoredValues {
	owner: string | undefined;
}

/** `{"$version":"3","$owner":"<deployment>","key":"value",...}` */
export function encodePayload(values: SecretValues, version: number, owner?: string): string {
	return JSON.stringify({
		[VERSION_FIELD]: String(version),
		...(owner === undefined ? {} : { [OWNER_FIELD]: owner }),
		...values,
	});
}

/**
 * Parses a payload written by {@link encodePayload}. A payload without the version
 * entry (written by another tool) reads as version 0. Anything that is not an object of
 * strings is a `StoreError`; the message never quotes the payload.
 */
export function decodePayload(text: string, store?: string): DecodedPayload {
	const options = store ? { store } : {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw new StoreError("Stored secret payload is not valid JSON.", options);
	}
	if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
		throw new StoreError("Stored secret payload is not a JSON object.", options);
	}
	const values: SecretValues = {};
	let version = 0;
	let owner: string | undefined;
	for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
		if (typeof value !== "string") {
			throw new StoreError("Stored secret payload holds a non-string value.", options);
		}
		if (key === VERSION_FIELD) version = Number.parseInt(value, 10) || 0;
		else if (key === OWNER_FIELD) owner = value;
		else values[key] = value;
	}
	return { values, version, owner };
}
