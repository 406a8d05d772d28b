/**
 * The JSON shapes of Key Vault's secrets API (SecretBundle, SecretItem,
 * DeletedSecretBundle, DeletedSecretItem). Times are epoch seconds; every bundle carries
 * an `id` URL because the SDK parses the vault URL, name and version out of it.
 */
import type { DeletedEntry, SecretVersion, StoredSecret, Vault } from "./vault.js";

type Json = Record<string, unknown>;

function attributes(vault: Vault, version: SecretVersion): Json {
	return {
		enabled: version.enabled,
		...(version.notBefore === undefined ? {} : { nbf: version.notBefore }),
		...(version.expires === undefined ? {} : { exp: version.expires }),
		created: version.created,
		updated: version.updated,
		recoveryLevel: vault.recoveryLevel,
		...(vault.settings.softDelete ? { recoverableDays: vault.settings.recoverableDays } : {}),
	};
}

function common(vault: Vault, version: SecretVersion): Json {
	return {
		...(version.contentType === undefined ? {} : { contentType: version.contentType }),
		...(version.tags === undefined ? {} : { tags: { ...version.tags } }),
		attributes: attributes(vault, version),
	};
}

/** SecretBundle; `value` only where the service returns it (set and get). */
export function secretBundle(
	origin: string,
	vault: Vault,
	secret: StoredSecret,
	version: SecretVersion,
	withValue: boolean,
): Json {
	return {
		...(withValue ? { value: version.value } : {}),
		id: `${origin}/secrets/${secret.name}/${version.version}`,
		...common(vault, version),
	};
}

/** SecretItem of a listing: no value; the id names a version only in a versions listing. */
export function secretItem(
	origin: string,
	vault: Vault,
	secret: StoredSecret,
	version: SecretVersion,
	withVersion: boolean,
): Json {
	return {
		id: `${origin}/secrets/${secret.name}${withVersion ? `/${version.version}` : ""}`,
		...common(vault, version),
	};
}

function deletion(origin: string, entry: DeletedEntry): Json {
	return {
		recoveryId: `${origin}/deletedsecrets/${entry.secret.name}`,
		deletedDate: entry.deletedDate,
		scheduledPurgeDate: entry.scheduledPurgeDate,
	};
}

/** DeletedSecretBundle (the answer of DELETE and of GET /deletedsecrets/{name}); no value. */
export function deletedBundle(
	origin: string,
	vault: Vault,
	entry: DeletedEntry | undefined,
	secret: StoredSecret,
	version: SecretVersion,
): Json {
	return {
		...secretBundle(origin, vault, secret, version, false),
		...(entry ? deletion(origin, entry) : {}),
	};
}

/** DeletedSecretItem of GET /deletedsecrets. */
export function deletedItem(origin: string, vault: Vault, entry: DeletedEntry): Json {
	const version = entry.secret.versions.at(-1)!;
	return { ...secretItem(origin, vault, entry.secret, version, false), ...deletion(origin, entry) };
}
