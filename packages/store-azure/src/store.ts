/**
 * The store itself: the values of secret `<uuid>` in the Key Vault secret
 * `<prefix><uuid>`, as core's JSON payload (values, catalog version, owning deployment),
 * tagged with the deployment and the id so that listings can tell Strongbox's secrets from
 * anyone else's without reading values.
 */
import type { SecretClient, SecretProperties } from "@azure/keyvault-secrets";
import {
	decodePayload,
	encodePayload,
	isSecretId,
	type SecretsStore,
	StoreConfigError,
	type StoreContext,
	type StoredValues,
	StoreError,
} from "@strongbox/core";
import { createCall, within } from "./call.js";
import { createClient, type Importer } from "./client.js";
import { STORE } from "./errors.js";
import type { ResolvedAzureStoreOptions } from "./options.js";
import { OwnedIds } from "./owned.js";
import {
	DEPLOYMENT_TAG,
	purgeOwn,
	recoverOwn,
	SECRET_ID_TAG,
	type SoftDeleteContext,
} from "./soft-delete.js";

/** Content type of every secret the store writes (a hint for people browsing the vault). */
export const CONTENT_TYPE = "application/vnd.strongbox.v1+json";
/** Largest tag value Key Vault accepts; the deployment id is one. */
const MAX_TAG_VALUE = 256;
/** Largest page Key Vault returns. */
const PAGE_SIZE = 25;

type DeleteOutcome = { kind: "deleted" | "missing"; recoverable: boolean };

type Latest = { kind: "missing" } | { kind: "foreign" } | { kind: "ours"; stored: StoredValues };

/** Creates the store; the SDK client is created on first use (`init`). */
export function createAzureStore(
	options: ResolvedAzureStoreOptions,
	context: StoreContext,
	importer?: Importer,
): SecretsStore {
	const { deploymentId, logger } = context;
	if (deploymentId.length === 0 || deploymentId.length > MAX_TAG_VALUE) {
		throw new StoreConfigError(
			`[store-${STORE}] The deployment id must be 1-${MAX_TAG_VALUE} characters: it is stored as a Key Vault tag.`,
			{ store: STORE },
		);
	}
	const call = createCall(options);
	const owned = new OwnedIds();
	let client: SecretClient | undefined;

	const kv = (): SecretClient => {
		if (!client)
			throw new StoreError(`[store-${STORE}] The store was used before init().`, { store: STORE });
		return client;
	};
	const nameOf = (id: string) => `${options.prefix}${id}`;
	const softDelete: SoftDeleteContext = {
		client: kv,
		call,
		deploymentId,
		logger,
		pollIntervalMs: options.pollIntervalMs,
		pollTimeoutMs: options.pollTimeoutMs,
	};

	/** The latest version of `id`, checked for ownership through its payload. */
	async function latest(id: string, operation: string): Promise<Latest> {
		const secret = await call(
			operation,
			(abortSignal) => kv().getSecret(nameOf(id), { abortSignal }),
			(f) => (f.status === 404 ? { value: undefined } : undefined),
		);
		if (!secret) {
			owned.delete(id);
			return { kind: "missing" };
		}
		let decoded: ReturnType<typeof decodePayload> | undefined;
		try {
			decoded = decodePayload(secret.value ?? "", STORE);
		} catch {
			decoded = undefined;
		}
		if (decoded?.owner !== deploymentId) {
			owned.delete(id);
			// The id only: the payload may belong to someone else and is never quoted.
			logger.warn("A Key Vault secret at a Strongbox name is not this deployment's; ignored.", {
				id,
			});
			return { kind: "foreign" };
		}
		owned.add(id);
		return { kind: "ours", stored: { values: decoded.values, version: decoded.version } };
	}

	/** Adds a version; recovers this deployment's own soft-deleted secret first if needed. */
	async function put(id: string, payload: string): Promise<void> {
		const name = nameOf(id);
		const write = () =>
			call(
				"set",
				async (abortSignal) => {
					await kv().setSecret(name, payload, {
						abortSignal,
						contentType: CONTENT_TYPE,
						tags: { [DEPLOYMENT_TAG]: deploymentId, [SECRET_ID_TAG]: id },
					});
					return "written" as const;
				},
				(f) =>
					f.status === 409 && f.inner?.toLowerCase() === "objectisdeletedbutrecoverable"
						? { value: "deleted" as const }
						: undefined,
			);
		if ((await write()) === "written") return;
		await recoverOwn(softDelete, id, name);
		if ((await write()) === "deleted") {
			throw new StoreError(
				`[store-${STORE}] Secret ${id} was deleted again while being recovered; retry.`,
				{
					store: STORE,
				},
			);
		}
	}

	return {
		async init() {
			client ??= await createClient(options, importer);
		},

		async set(id, values, { version }) {
			// Version 1 is a new UUID: its name is free, and Key Vault has no create-only write
			// to check it atomically anyway. Later versions check ownership first, unless this
			// process just saw the secret as its own.
			if (version > 1 && !owned.has(id)) {
				const current = await latest(id, "set");
				if (current.kind === "foreign") {
					throw new StoreError(
						`[store-${STORE}] The Key Vault secret of ${id} belongs to another deployment or tool; refusing to overwrite it.`,
						{ store: STORE, details: { reason: "foreign-object", id } },
					);
				}
			}
			await put(id, encodePayload(values, version, deploymentId));
			owned.add(id);
		},

		async get(id) {
			const current = await latest(id, "get");
			return current.kind === "ours" ? current.stored : undefined;
		},

		async delete(id) {
			const name = nameOf(id);
			if (!owned.has(id)) {
				const current = await latest(id, "delete");
				if (current.kind === "foreign") return false;
				if (current.kind === "missing") {
					// A delete interrupted before its purge left one behind.
					if (options.purgeOnDelete) await purgeOwn(softDelete, id, name, false);
					return false;
				}
			}
			const outcome = await call<DeleteOutcome>(
				"delete",
				async (abortSignal) => {
					const poller = await kv().beginDeleteSecret(name, {
						abortSignal,
						intervalInMs: options.pollIntervalMs,
					});
					// Not waited for unless purging: the DELETE was accepted, the rest is Azure's.
					return { kind: "deleted", recoverable: poller.getResult()?.recoveryId !== undefined };
				},
				(f) => {
					// The SDK's first poll (GET /deletedsecrets) failed: the DELETE went through.
					if (f.method === "GET") return { value: { kind: "deleted", recoverable: true } };
					if (f.status === 404) return { value: { kind: "missing", recoverable: false } };
					return undefined;
				},
			);
			owned.delete(id);
			if (outcome.kind === "missing") {
				if (options.purgeOnDelete) await purgeOwn(softDelete, id, name, false);
				return false;
			}
			if (options.purgeOnDelete && outcome.recoverable) await purgeOwn(softDelete, id, name, true);
			return true;
		},

		async *listIds() {
			const prefix = options.prefix.toLowerCase();
			let handedOut = 0;
			let pages: AsyncIterator<SecretProperties[]> | undefined;
			for (;;) {
				const page = await call("listIds", async (abortSignal) => {
					try {
						if (!pages) {
							pages = kv().listPropertiesOfSecrets().byPage({ maxPageSize: PAGE_SIZE });
							// A failed page ends the SDK's iterator (and this SDK keeps no continuation
							// token on its pages): a new one re-reads the pages already handed out. Ids
							// shifted by concurrent writes are found by the next reconciliation.
							for (let i = 0; i < handedOut; i++) {
								if ((await within(pages.next(), abortSignal)).done) return undefined;
							}
						}
						const next = await within(pages.next(), abortSignal);
						return next.done ? undefined : next.value;
					} catch (error) {
						pages = undefined;
						throw error;
					}
				});
				if (!page) return;
				handedOut++;
				for (const properties of page) {
					// Anything in the vault that Strongbox did not write for this deployment is skipped.
					const name = properties.name.toLowerCase();
					if (!name.startsWith(prefix)) continue;
					const id = name.slice(prefix.length);
					const tags = properties.tags;
					if (
						!isSecretId(id) ||
						tags?.[DEPLOYMENT_TAG] !== deploymentId ||
						tags[SECRET_ID_TAG] !== id
					)
						continue;
					yield id;
				}
			}
		},

		async verify() {
			// A name the store never writes: 404 proves the vault answers and lets us read.
			await call(
				"verify",
				async (abortSignal) => {
					await kv().getSecret(`${options.prefix}verify-access`, { abortSignal });
				},
				(f) => (f.status === 404 ? { value: undefined } : undefined),
			);
		},

		async close() {
			// SecretClient holds no connection of its own to release (the HTTP agent is shared).
			client = undefined;
		},
	};
}
