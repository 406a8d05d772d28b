/**
 * Encryption of one entry: AES-256-GCM with a fresh random 96-bit nonce per write and a
 * 128-bit tag. The associated data binds the ciphertext to the deployment, the secret id,
 * the version and the key id, so an entry copied to another secret or deployment, or
 * relabelled with another version, fails its check instead of decrypting.
 */
import {
	createCipheriv,
	createDecipheriv,
	createHmac,
	createSecretKey,
	type KeyObject,
	randomBytes,
} from "node:crypto";
import { DecryptionError, type SecretValues, StoreError } from "@strongbox/core";
import { PREFIX, STORE_TYPE } from "./errors.js";

const ALGORITHM = "aes-256-gcm";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Names this file format in the associated data and the key id (changes with the store type). */
const LABEL = "strongbox store-custom-template v1";

/** An encrypted entry as the file holds it. */
export interface SealedEntry {
	/** The catalog version the values were written at (in clear: it is part of the AAD). */
	version: number;
	/** Which key sealed it: {@link Cipher.keyId}. */
	keyId: string;
	/** Base64 of the 12-byte nonce. */
	nonce: string;
	/** Base64 of ciphertext ‖ tag. */
	data: string;
}

/** Seals and opens the entries of one deployment with one key. */
export interface Cipher {
	/**
	 * A short public fingerprint of the key (HMAC of a fixed label), stored with each entry
	 * so that "written with another key" (a configuration error) is told apart from
	 * "tampered" (an integrity error).
	 */
	readonly keyId: string;
	seal(id: string, version: number, values: SecretValues): SealedEntry;
	/** The values; `DecryptionError` when the entry fails its integrity check. */
	open(id: string, entry: SealedEntry): SecretValues;
}

/** The key fingerprint stored with each entry. Reveals nothing usable about the key. */
export function keyIdOf(key: Buffer): string {
	return createHmac("sha256", key).update(`${LABEL} key id`).digest("hex").slice(0, 16);
}

function aad(deployment: string, id: string, version: number, keyId: string): Buffer {
	return Buffer.from(`${LABEL}\0${deployment}\0${id}\0${version}\0${keyId}`, "utf8");
}

function parseValues(json: string, id: string): SecretValues {
	let parsed: unknown;
	try {
		parsed = JSON.parse(json);
	} catch {
		parsed = undefined;
	}
	if (
		typeof parsed !== "object" ||
		parsed === null ||
		Array.isArray(parsed) ||
		Object.values(parsed).some((value) => typeof value !== "string")
	) {
		// Authenticated yet malformed: written by a broken writer holding the key.
		throw new StoreError(`${PREFIX} The values of secret ${id} are not a map of strings.`, {
			store: STORE_TYPE,
		});
	}
	return parsed as SecretValues;
}

/** A cipher for `deployment` with the 32-byte `key` (base64 text, as validated by the schema). */
export function createCipher(key: string, deployment: string): Cipher {
	const bytes = Buffer.from(key, "base64");
	const secretKey: KeyObject = createSecretKey(bytes);
	const keyId = keyIdOf(bytes);
	bytes.fill(0);
	return {
		keyId,
		seal(id, version, values) {
			const nonce = randomBytes(NONCE_BYTES);
			const cipher = createCipheriv(ALGORITHM, secretKey, nonce, { authTagLength: TAG_BYTES });
			cipher.setAAD(aad(deployment, id, version, keyId));
			const data = Buffer.concat([
				cipher.update(JSON.stringify(values), "utf8"),
				cipher.final(),
				cipher.getAuthTag(),
			]);
			return { version, keyId, nonce: nonce.toString("base64"), data: data.toString("base64") };
		},
		open(id, entry) {
			const nonce = Buffer.from(entry.nonce, "base64");
			const data = Buffer.from(entry.data, "base64");
			let plain: string;
			try {
				const decipher = createDecipheriv(ALGORITHM, secretKey, nonce, {
					authTagLength: TAG_BYTES,
				});
				decipher.setAAD(aad(deployment, id, entry.version, entry.keyId));
				decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
				plain =
					decipher.update(data.subarray(0, data.length - TAG_BYTES), undefined, "utf8") +
					decipher.final("utf8");
			} catch (error) {
				throw new DecryptionError(
					`${PREFIX} The entry of secret ${id} failed its integrity check (tampered, truncated or moved).`,
					{ store: STORE_TYPE, cause: error, details: { id } },
				);
			}
			return parseValues(plain, id);
		},
	};
}
