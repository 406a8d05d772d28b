/**
 * Where and how the store keeps a secret in Vault: KV v2 key `<mount>/<prefix><uuid>`,
 * one data field holding core's payload string, and two `custom_metadata` entries naming
 * the owning deployment and the secret id.
 *
 * Not a flat map of the values: node-vault's HTTP layer (axios) deep-copies request
 * bodies and silently drops keys named `constructor`, `prototype` and `__proto__`, which
 * are valid secret keys.
 */
import { type DecodedPayload, decodePayload } from "@strongbox/core";
import type { KvRead } from "./client.js";

/** custom_metadata entry naming the deployment that owns a key. */
export const DEPLOYMENT_METADATA = "strongbox-deployment";
/** custom_metadata entry naming the Strongbox secret id of a key. */
export const SECRET_ID_METADATA = "strongbox-secret-id";

/** The one data field of each KV key: core's payload string. */
export const PAYLOAD_FIELD = "payload";

/**
 * Largest payload the store plans for: Consul's 512 KiB entry limit (integrated storage
 * allows 1 MiB), less 1 KiB for Vault's envelope around the data, halved because the
 * payload string is JSON-escaped again inside the data map (a `"` in a value takes 4 bytes).
 */
export const VAULT_MAX_DATA_BYTES = (512 * 1024 - 1024) / 2;

/** Vault paths of the store's keys. */
export interface Layout {
	readonly mount: string;
	/** `""` or a folder ending in `/`. */
	readonly prefix: string;
	data(id: string): string;
	metadata(id: string): string;
	/** The folder listed by `listIds`. */
	readonly folder: string;
}

/** Paths for a mount and a prefix (a missing trailing `/` is added). */
export function makeLayout(mount: string, rawPrefix: string): Layout {
	const prefix = rawPrefix === "" || rawPrefix.endsWith("/") ? rawPrefix : `${rawPrefix}/`;
	return {
		mount,
		prefix,
		data: (id) => `${mount}/data/${prefix}${id}`,
		metadata: (id) => `${mount}/metadata/${prefix}${id}`,
		folder: `${mount}/metadata/${prefix}`,
	};
}

/** The payload of a live key, or `undefined` when the key is not a Strongbox one. */
export function decodeKey(found: Extract<KvRead, { state: "live" }>): DecodedPayload | undefined {
	const text = found.data[PAYLOAD_FIELD];
	if (typeof text !== "string") return undefined;
	try {
		return decodePayload(text, "vault");
	} catch {
		return undefined; // another tool's key
	}
}

/** The owner of a key as far as it can be told: the payload, else the custom metadata. */
export function ownerOf(current: KvRead): string | undefined {
	if (current.state === "missing") return undefined;
	if (current.state === "live") return decodeKey(current)?.owner;
	return current.customMetadata?.[DEPLOYMENT_METADATA];
}
