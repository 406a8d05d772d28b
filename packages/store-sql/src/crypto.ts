/**
 * Envelope encryption of a secret's values: AES-256-GCM, a fresh random 96-bit nonce per
 * write, 128-bit tag, and associated data binding the ciphertext to the deployment, the
 * secret id, the version and the key id, so a ciphertext copied to another secret or
 * deployment, replayed under another version or relabelled with another key fails its
 * check.
 *
 * Envelope: `v1.<keyId>.<base64url(nonce ‖ ciphertext ‖ tag)>`; plaintext = JSON of the
 * values. Without a key (explicit insecure mode) rows hold `v0.<JSON>` under key id `""`.
 */
import {
	createCipheriv,
	createDecipheriv,
	createSecretKey,
	type KeyObject,
	randomBytes,
} from "node:crypto";
import { DecryptionError, type SecretValues, StoreError } from "@strongbox/core";
import type { RingKey } from "./keyring.js";

const ALGORITHM = "aes-256-gcm";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Key id recorded for values stored without encryption. */
export const PLAINTEXT_KEY_ID = "";

/** A sealed value as stored: the envelope and the key id (also a column, for re-encryption). */
export interface Sealed {
	keyId: string;
	envelope: string;
}

/** Encrypts and decrypts with a key ring. */
export interface Cipher {
	/** Id of the key new writes use; `undefined` in insecure mode. */
	readonly activeKeyId: string | undefined;
	/** Whether a key with this id is configured. */
	has(keyId: string): boolean;
	seal(id: string, version: number, values: SecretValues): Sealed;
	/** Decrypts; `DecryptionError` naming the secret and key ids on any failure. */
	open(id: string, version: number, envelope: string): SecretValues;
	/** The key id an envelope names (`""` for plaintext), or `undefined` when malformed. */
	keyIdOf(envelope: string): string | undefined;
}

function aad(deployment: string, id: string, version: number, keyId: string): Buffer {
	return Buffer.from(
		`strongbox store-sql values v1\0${deployment}\0${id}\0${version}\0${keyId}`,
		"utf8",
	);
}

function failed(id: string, keyId: string | undefined, reason: string): DecryptionError {
	return new DecryptionError(
		keyId === undefined
			? `[store-sql] The stored values of secret ${id} are not a valid envelope (${reason}).`
			: `[store-sql] The stored values of secret ${id} failed their integrity check under key \`${keyId}\` (${reason}).`,
		{ store: "sql", details: { id, ...(keyId === undefined ? {} : { keyId }), reason } },
	);
}

function parseValues(json: string, id: string): SecretValues {
	let parsed: unknown;
	try {
		parsed = JSON.parse(json);
	} catch {
		throw new StoreError(`[store-sql] The stored values of secret ${id} are not valid JSON.`, {
			store: "sql",
		});
	}
	if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
		throw new StoreError(`[store-sql] The stored values of secret ${id} are not an object.`, {
			store: "sql",
		});
	}
	for (const value of Object.values(parsed)) {
		if (typeof value !== "string") {
			throw new StoreError(
				`[store-sql] The stored values of secret ${id} hold a non-string value.`,
				{
					store: "sql",
				},
			);
		}
	}
	return parsed as SecretValues;
}

/**
 * A cipher over a key ring (first key = active). `allowPlaintext` lets it read and
 * write `v0` rows: only in explicit insecure mode, since anyone with write access to the
 * table could plant such a row.
 */
export function createCipher(
	ring: readonly RingKey[],
	allowPlaintext: boolean,
	deployment: string,
): Cipher {
	const keys = new Map<string, KeyObject>(ring.map((k) => [k.id, createSecretKey(k.key)]));
	const active = ring[0];
	const activeKey = active ? keys.get(active.id) : undefined;

	function keyIdOf(envelope: string): string | undefined {
		if (envelope.startsWith("v0.")) return PLAINTEXT_KEY_ID;
		if (!envelope.startsWith("v1.")) return undefined;
		const dot = envelope.indexOf(".", 3);
		return dot > 3 ? envelope.slice(3, dot) : undefined;
	}

	return {
		activeKeyId: active?.id,
		has: (keyId) => keys.has(keyId),
		keyIdOf,
		seal(id, version, values) {
			const json = JSON.stringify(values);
			if (!active || !activeKey) return { keyId: PLAINTEXT_KEY_ID, envelope: `v0.${json}` };
			const nonce = randomBytes(NONCE_BYTES);
			const cipher = createCipheriv(ALGORITHM, activeKey, nonce, { authTagLength: TAG_BYTES });
			cipher.setAAD(aad(deployment, id, version, active.id));
			const head = cipher.update(json, "utf8");
			const tail = cipher.final();
			const sealed = Buffer.concat([nonce, head, tail, cipher.getAuthTag()]);
			return { keyId: active.id, envelope: `v1.${active.id}.${sealed.toString("base64url")}` };
		},
		open(id, version, envelope) {
			const keyId = keyIdOf(envelope);
			if (keyId === undefined) throw failed(id, undefined, "unknown format");
			if (keyId === PLAINTEXT_KEY_ID) {
				if (!allowPlaintext) {
					throw failed(id, undefined, "stored without encryption; run `reencrypt` to encrypt it");
				}
				return parseValues(envelope.slice(3), id);
			}
			const key = keys.get(keyId);
			if (!key) throw failed(id, keyId, "that key is not in the key ring");
			// "base64" decodes the URL-safe alphabet too, and faster than "base64url".
			const sealed = Buffer.from(envelope.slice(4 + keyId.length), "base64");
			if (sealed.length < NONCE_BYTES + TAG_BYTES) throw failed(id, keyId, "truncated");
			let json: string;
			try {
				const decipher = createDecipheriv(ALGORITHM, key, sealed.subarray(0, NONCE_BYTES), {
					authTagLength: TAG_BYTES,
				});
				decipher.setAAD(aad(deployment, id, version, keyId));
				decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
				json =
					decipher.update(
						sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES),
						undefined,
						"utf8",
					) + decipher.final("utf8");
			} catch {
				throw failed(
					id,
					keyId,
					"tampered, moved from another secret or version, or written with another key",
				);
			}
			// Authenticated: written by `seal` from validated values, so no shape check needed.
			return JSON.parse(json) as SecretValues;
		},
	};
}
