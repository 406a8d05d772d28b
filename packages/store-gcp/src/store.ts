/**
 * The GCP values store: the values of Strongbox secret `<uuid>` live in Secret Manager
 * secret `<prefix><deployment tag>-<uuid>` (see `naming.ts`), one secret version per
 * write, whose payload is core's `encodePayload` JSON (values + `$version` + `$owner`).
 * Calls per operation:
 *
 * - `get`: AccessSecretVersion `latest` (one call); the payload's `$owner` must be this deployment.
 * - `set` at version 1: CreateSecret + AddSecretVersion (two calls: Secret Manager has no
 *   "create with a value"). If AddSecretVersion fails after CreateSecret succeeded, the
 *   empty secret is deleted again so a half-done create leaves nothing behind.
 * - `set` at version > 1: AddSecretVersion (one call); NOT_FOUND falls back to the create path.
 *   Older versions beyond `keepVersions` are then destroyed (or disabled) in the
 *   background: ListSecretVersions + one call per old version, off the write's latency
 *   path; a failed clean-up is logged and redone by the next write; `close()` waits for it.
 * - `delete`: DeleteSecret (one call, every version goes with it; no soft delete).
 * - `listIds`: ListSecrets filtered by this deployment's label.
 */
import {
	decodePayload,
	encodePayload,
	type Logger,
	PayloadTooLargeError,
	type SecretsStore,
	type SecretValues,
	type StoreContext,
	type StoredValues,
	StoreError,
	type WriteMeta,
} from "@strongbox/core";
import { makeVersionCleaner } from "./cleanup.js";
import {
	type Caller,
	Code,
	createSdkClient,
	makeCaller,
	type SecretManagerClient,
} from "./client.js";
import { crc32c } from "./crc32c.js";
import { makeNaming, type Naming } from "./naming.js";
import type { GcpStoreOptions } from "./options.js";
import { makeWriter } from "./write.js";

/** Secret Manager's payload limit: 64 KiB of `SecretPayload.data`. */
export const GCP_MAX_PAYLOAD_BYTES = 64 * 1024;

const PAGE_SIZE = 250;
const NOT_ENABLED = Symbol("not-enabled");

/** Creates a GCP store from validated options. */
export function createGcpStore(options: GcpStoreOptions, context: StoreContext): SecretsStore {
	const logger: Logger = context.logger;
	const keepVersions = options.keepVersions ?? 1;
	const oldVersions = options.oldVersions ?? "destroy";
	const naming: Naming = makeNaming(
		options.projectId,
		options.prefix ?? "strongbox-",
		context.deploymentId,
		options.labels ?? {},
	);
	const owned = options.client === undefined;
	let clientPromise: Promise<SecretManagerClient> | undefined;
	const getClient = (): Promise<SecretManagerClient> => {
		if (options.client) return Promise.resolve(options.client);
		clientPromise ??= createSdkClient(options).catch((error: unknown) => {
			clientPromise = undefined; // a failed load is retried by the next call
			throw error;
		});
		return clientPromise;
	};
	const call: Caller = makeCaller(getClient, {
		attempts: options.retry?.attempts ?? 4,
		baseDelayMs: options.retry?.baseDelayMs ?? 100,
		maxDelayMs: options.retry?.maxDelayMs ?? 2000,
		timeoutMs: options.timeoutMs ?? 10_000,
	});
	const writer = makeWriter(call, naming, logger);
	const cleaner = makeVersionCleaner(call, naming, logger, keepVersions, oldVersions);

	return {
		async set(id: string, values: SecretValues, meta: WriteMeta): Promise<void> {
			const data = Buffer.from(encodePayload(values, meta.version, context.deploymentId), "utf8");
			if (data.length > GCP_MAX_PAYLOAD_BYTES) {
				throw new PayloadTooLargeError(
					`[store-gcp] The stored payload would be ${data.length} bytes; Secret Manager accepts ${GCP_MAX_PAYLOAD_BYTES}.`,
					{ store: "gcp", details: { size: data.length, limit: GCP_MAX_PAYLOAD_BYTES } },
				);
			}
			// A retried AddSecretVersion may add the same payload twice; harmless, since the
			// payload carries its catalog version and the older copy is cleaned up.
			const added = meta.version > 1 ? await writer.addVersion(id, data) : undefined;
			if (added !== undefined) return cleaner.schedule(id, added);
			const { version, created } = await writer.createAndAdd(id, data);
			// A secret this call created has one version: nothing to clean up.
			if (!created) cleaner.schedule(id, version);
		},

		async get(id: string): Promise<StoredValues | undefined> {
			const text = await call<string, typeof NOT_ENABLED | undefined>(
				"get",
				async (client, o) => {
					const [response] = await client.accessSecretVersion(
						{ name: `${naming.secretName(id)}/versions/latest` },
						o,
					);
					const data = Buffer.from((response.payload?.data as Uint8Array | null | undefined) ?? []);
					const sent = response.payload?.dataCrc32c;
					if (sent !== null && sent !== undefined && Number(sent) !== crc32c(data)) {
						// Damaged on the way: an INTERNAL-like failure, retried like one.
						throw Object.assign(new Error("Payload checksum mismatch."), { code: Code.INTERNAL });
					}
					return data.toString("utf8");
				},
				{ [Code.NOT_FOUND]: undefined, [Code.FAILED_PRECONDITION]: NOT_ENABLED },
			);
			if (text === NOT_ENABLED) {
				// Somebody disabled or destroyed the newest version: the values exist but cannot
				// be read. Never reported as "not found", which would let reconciliation drop them.
				throw new StoreError(
					`[store-gcp] The newest version of back-end secret \`${naming.secretId(id)}\` is disabled or destroyed; enable it or write the secret again.`,
					{ store: "gcp", details: { reason: "version-not-enabled", id } },
				);
			}
			if (text === undefined) return undefined;
			const decoded = decodePayload(text, "gcp");
			if (decoded.owner !== context.deploymentId) {
				logger.warn("Ignoring a back-end secret that belongs to another deployment.", { id });
				return undefined;
			}
			return { values: decoded.values, version: decoded.version };
		},

		async delete(id: string): Promise<boolean> {
			return call(
				"delete",
				async (client, o) => {
					await client.deleteSecret({ name: naming.secretName(id) }, o);
					return true;
				},
				{ [Code.NOT_FOUND]: false },
			);
		},

		async *listIds(): AsyncIterable<string> {
			let pageToken = "";
			do {
				const page = await call("listIds", async (client, o) => {
					const [secrets, next] = await client.listSecrets(
						{ parent: naming.parent, filter: naming.listFilter, pageSize: PAGE_SIZE, pageToken },
						o,
					);
					return { secrets, next: next?.pageToken ?? "" };
				});
				for (const secret of page.secrets) {
					const id = naming.idOf(secret.name ?? "", secret.labels);
					if (id !== undefined) yield id;
				}
				pageToken = page.next;
			} while (pageToken);
		},

		async verify(): Promise<void> {
			await call(
				"verify",
				async (client, o) => {
					await client.listSecrets(
						{ parent: naming.parent, filter: naming.listFilter, pageSize: 1 },
						o,
					);
				},
				{},
				{ notFoundIsConfig: true },
			);
		},

		async close(): Promise<void> {
			await cleaner.drain();
			if (owned && clientPromise) {
				const client = await clientPromise.catch(() => undefined);
				await client?.close();
			}
		},
	};
}
