/**
 * The Vault values store: the values of Strongbox secret `<uuid>` are KV v2 key
 * `<mount>/<prefix><uuid>` (see `layout.ts`). Calls per operation:
 *
 * - `get`: one read of `data/` (the payload's `$owner` must be this deployment).
 * - `set` at version 1: a write with `cas: 0` (create-only), then one metadata write that
 *   tags the key with `strongbox-deployment` and `strongbox-secret-id` (two calls).
 * - `set` at version > 1: one write with `cas` = the KV version this store last saw for
 *   the key (from its own `get` or `set`). Without one, or when the check-and-set fails,
 *   the fallback reads `data/` once (KV version, owner, catalog version in one answer)
 *   and writes with that version; the same (owner, version, values) already stored is
 *   an idempotent success, a foreign key is never overwritten.
 * - `delete`: `DELETE metadata/` (every version, permanent), one call when this store
 *   wrote or read the key; otherwise one read first proves the key is this deployment's
 *   (Vault's delete answers 204 whether or not anything was there).
 * - `listIds`: one list of the prefix folder, then one metadata read per UUID key to keep
 *   only this deployment's keys (deployments may share a prefix). Reconciliation only.
 */
import {
	ConflictError,
	encodePayload,
	isSecretId,
	type SecretsStore,
	type SecretValues,
	StoreConfigError,
	type StoreContext,
	type StoredValues,
	StoreError,
	type WriteMeta,
} from "@strongbox/core";
import { appRoleToken, staticToken, type TokenSource } from "./auth.js";
import { createVaultApi, type VaultApi, VaultRequestError } from "./client.js";
import { type Attempt, isCasMismatch, makeAttempt } from "./errors.js";
import {
	DEPLOYMENT_METADATA,
	decodeKey,
	makeLayout,
	ownerOf,
	PAYLOAD_FIELD,
	SECRET_ID_METADATA,
} from "./layout.js";
import type { VaultStoreOptions } from "./options.js";
import { type Authed, verifyAccess } from "./verify.js";

const KNOWN_VERSIONS_LIMIT = 10_000;
const FALLBACK_ROUNDS = 3;
const LIST_CONCURRENCY = 8;

/** Test hooks: the clock used for token renewal. */
export interface VaultStoreInternals {
	now?: () => number;
}

function sameValues(a: SecretValues, b: SecretValues): boolean {
	const keys = Object.keys(a);
	return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/** Creates a Vault store from validated options. */
export function createVaultStore(
	options: VaultStoreOptions,
	context: StoreContext,
	internals: VaultStoreInternals = {},
): SecretsStore {
	const env = options.fromEnv ? process.env : {};
	const address = options.address ?? env.VAULT_ADDR;
	const token = options.token ?? (options.appRole ? undefined : env.VAULT_TOKEN);
	const namespace = options.namespace ?? env.VAULT_NAMESPACE;
	const layout = makeLayout(options.mount ?? "secret", options.prefix ?? "strongbox/");
	const owner = context.deploymentId;
	const logger = context.logger;
	const timeoutMs = options.timeoutMs ?? 10_000;
	const attempt: Attempt = makeAttempt({
		attempts: options.retry?.attempts ?? 4,
		baseDelayMs: options.retry?.baseDelayMs ?? 100,
		maxDelayMs: options.retry?.maxDelayMs ?? 2000,
	});

	let api: VaultApi | undefined;
	let tokens: TokenSource | undefined;
	// KV versions of keys this store wrote or read and found to be its own.
	const known = new Map<string, number>();

	function remember(id: string, version: number): void {
		known.delete(id);
		known.set(id, version);
		if (known.size > KNOWN_VERSIONS_LIMIT) known.delete(known.keys().next().value!);
	}

	function ready(): { api: VaultApi; tokens: TokenSource } {
		if (!api || !tokens) {
			if (!options.client && !address) {
				throw new StoreConfigError(
					"[store-vault] No Vault address: set `address` (or VAULT_ADDR with `fromEnv: true`).",
					{ store: "vault" },
				);
			}
			const created = createVaultApi({
				...(options.client ? { client: options.client } : {}),
				...(address
					? {
							connection: {
								address,
								...(namespace ? { namespace } : {}),
								...(options.caCert ? { caCert: options.caCert } : {}),
								...(options.clientCert
									? { clientCert: options.clientCert, clientKey: options.clientKey! }
									: {}),
								rejectUnauthorized: options.rejectUnauthorized ?? true,
							},
						}
					: {}),
				...(namespace ? { namespace } : {}),
				timeoutMs,
			});
			api = created;
			tokens = options.appRole
				? appRoleToken({
						api: created,
						call: attempt,
						mountPath: options.appRole.mountPath ?? "approle",
						roleId: options.appRole.roleId,
						secretId: options.appRole.secretId,
						now: internals.now ?? Date.now,
					})
				: staticToken(token);
		}
		return { api, tokens };
	}

	const refused = (e: unknown) => e instanceof VaultRequestError && e.status === 403;

	/** One authenticated call; a refused AppRole token is replaced by one fresh login. */
	const authed: Authed = async (operation, fn, keep) => {
		const { api, tokens } = ready();
		for (let relogin = 0; ; relogin++) {
			const current = await tokens.token();
			const mayRelogin = tokens.canLogin && relogin === 0;
			try {
				return await attempt(
					operation,
					() => fn(api, current),
					(e) => keep?.(e) === true || (mayRelogin && refused(e)),
				);
			} catch (error) {
				if (mayRelogin && refused(error)) {
					tokens.invalidate(current);
					continue;
				}
				throw error;
			}
		}
	};

	const read = (id: string) => authed("get", (a, t) => a.kvRead(t, layout.data(id)));

	function foreign(id: string): StoreError {
		logger.warn(
			"Vault holds a key of another deployment (or tool) at this secret's path; left untouched.",
			{ id },
		);
		return new StoreError(
			`[store-vault] The Vault key of secret ${id} belongs to another deployment or tool; it was not overwritten.`,
			{ store: "vault", details: { reason: "foreign-object", id } },
		);
	}

	async function listedOwner(id: string): Promise<string | undefined> {
		const metadata = await authed("listIds", (a, t) => a.kvReadMetadata(t, layout.metadata(id)));
		if (!metadata) return undefined;
		return metadata.customMetadata?.[DEPLOYMENT_METADATA] ?? ownerOf(await read(id));
	}

	async function tagOwnership(id: string, current?: Record<string, string> | null): Promise<void> {
		if (current?.[DEPLOYMENT_METADATA] === owner && current?.[SECRET_ID_METADATA] === id) return;
		await authed("set", (a, t) =>
			a.kvWriteMetadata(
				t,
				layout.metadata(id),
				{ ...current, [DEPLOYMENT_METADATA]: owner, [SECRET_ID_METADATA]: id },
				options.maxVersions,
			),
		);
	}

	/** A write with check-and-set; `undefined` when the check failed. */
	async function write(
		id: string,
		data: Record<string, string>,
		cas: number,
	): Promise<number | undefined> {
		try {
			return await authed("set", (a, t) => a.kvWrite(t, layout.data(id), data, cas), isCasMismatch);
		} catch (error) {
			if (isCasMismatch(error)) return undefined;
			throw error;
		}
	}

	return {
		async init() {
			ready();
		},

		async set(id: string, values: SecretValues, meta: WriteMeta): Promise<void> {
			const data = { [PAYLOAD_FIELD]: encodePayload(values, meta.version, owner) };
			const first = meta.version === 1 ? 0 : known.get(id);
			if (first !== undefined) {
				const version = await write(id, data, first);
				if (version !== undefined) {
					remember(id, version);
					if (first === 0) await tagOwnership(id);
					return;
				}
			}
			for (let round = 0; round < FALLBACK_ROUNDS; round++) {
				const current = await read(id);
				let cas = 0;
				if (current.state !== "missing") {
					if (ownerOf(current) !== owner) throw foreign(id);
					const stored = current.state === "live" ? decodeKey(current) : undefined;
					if (stored && stored.version === meta.version && sameValues(stored.values, values)) {
						remember(id, current.version);
						await tagOwnership(id, current.customMetadata);
						return;
					}
					if (stored && stored.version > meta.version) {
						throw new ConflictError(
							`[store-vault] Vault already holds version ${stored.version} of secret ${id}; version ${meta.version} was not written.`,
							{
								store: "vault",
								details: { id, storedVersion: stored.version, version: meta.version },
							},
						);
					}
					cas = current.version;
				}
				const version = await write(id, data, cas);
				if (version !== undefined) {
					remember(id, version);
					if (cas === 0) await tagOwnership(id);
					else if (current.state !== "missing") await tagOwnership(id, current.customMetadata);
					return;
				}
			}
			throw new ConflictError(
				`[store-vault] Secret ${id} kept changing in Vault while being written; retry.`,
				{
					store: "vault",
					details: { id },
				},
			);
		},

		async get(id: string): Promise<StoredValues | undefined> {
			const current = await read(id);
			if (current.state !== "live") {
				known.delete(id);
				return undefined;
			}
			const payload = decodeKey(current);
			if (payload?.owner !== owner) {
				known.delete(id);
				logger.warn(
					"Vault holds a key of another deployment (or tool) at this secret's path; ignored.",
					{ id },
				);
				return undefined;
			}
			remember(id, current.version);
			return { values: payload.values, version: payload.version };
		},

		async delete(id: string): Promise<boolean> {
			if (!known.has(id)) {
				const current = await read(id);
				if (current.state === "missing") return false;
				if (ownerOf(current) !== owner) {
					logger.warn(
						"Vault holds a key of another deployment (or tool) at this secret's path; not deleted.",
						{
							id,
						},
					);
					return false;
				}
			}
			await authed("delete", (a, t) => a.kvDeleteMetadata(t, layout.metadata(id)));
			known.delete(id);
			return true;
		},

		async *listIds(): AsyncIterable<string> {
			const keys = await authed("listIds", (a, t) => a.kvList(t, layout.folder));
			const ids = keys.filter(isSecretId);
			// Deployments may share a prefix: only keys tagged (or, untagged, holding a
			// payload) of this deployment are listed. One metadata read per key, 8 at a time.
			for (let i = 0; i < ids.length; i += LIST_CONCURRENCY) {
				const chunk = ids.slice(i, i + LIST_CONCURRENCY);
				const owners = await Promise.all(chunk.map((id) => listedOwner(id)));
				for (const [j, id] of chunk.entries()) if (owners[j] === owner) yield id;
			}
		},

		verify: () => verifyAccess(authed, layout, refused),

		async close(): Promise<void> {
			api?.close();
			known.clear();
		},
	};
}
