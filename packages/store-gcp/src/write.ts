/**
 * The write path: AddSecretVersion for a secret that exists (one call), and the create
 * path (CreateSecret, then AddSecretVersion) that deletes the empty secret again when the
 * second call fails, so a half-done create leaves nothing behind.
 */
import { type Logger, StoreError, StoreUnavailableError } from "@strongbox/core";
import { type Caller, Code } from "./client.js";
import { crc32c } from "./crc32c.js";
import type { Naming } from "./naming.js";

/** The version number at the end of a version resource name (0 when there is none). */
export function versionNumber(name: string | null | undefined): number {
	const n = Number(String(name ?? "").split("/versions/")[1]);
	return Number.isSafeInteger(n) ? n : 0;
}

/** The code of a failure, for value-free log fields. */
export function errorCode(error: unknown): string {
	return (error as { code?: unknown } | null)?.code?.toString() ?? "UNKNOWN";
}

/** The two ways of writing a payload. */
export interface Writer {
	/** AddSecretVersion; the new version number, or `undefined` when the secret does not exist. */
	addVersion(id: string, data: Buffer): Promise<number | undefined>;
	/** CreateSecret (or finish our own interrupted create), then AddSecretVersion; the new version number. */
	createAndAdd(id: string, data: Buffer): Promise<{ version: number; created: boolean }>;
}

/** Makes the writer of a store. */
export function makeWriter(call: Caller, naming: Naming, logger: Logger): Writer {
	const addVersion = (id: string, data: Buffer) =>
		call(
			"set",
			async (client, o) => {
				const [version] = await client.addSecretVersion(
					{ parent: naming.secretName(id), payload: { data, dataCrc32c: crc32c(data) } },
					o,
				);
				return versionNumber(version.name);
			},
			{ [Code.NOT_FOUND]: undefined },
		);

	async function create(id: string): Promise<boolean> {
		const created = await call(
			"set",
			async (client, o) => {
				await client.createSecret(
					{
						parent: naming.parent,
						secretId: naming.secretId(id),
						secret: { replication: { automatic: {} }, labels: naming.labels(id) },
					},
					o,
				);
				return true;
			},
			{ [Code.ALREADY_EXISTS]: false },
		);
		if (!created) {
			// Ours from an earlier, interrupted attempt, or somebody else's: never write into the latter.
			const [secret] = await call("set", (client, o) =>
				client.getSecret({ name: naming.secretName(id) }, o),
			);
			if (!naming.owns(id, secret.labels)) {
				throw new StoreError(
					`[store-gcp] Back-end secret \`${naming.secretId(id)}\` exists and is not this deployment's; it was left untouched.`,
					{ store: "gcp", details: { reason: "foreign-object", id } },
				);
			}
		}
		return created;
	}

	async function removeEmpty(id: string): Promise<void> {
		await call("set", (client, o) => client.deleteSecret({ name: naming.secretName(id) }, o), {
			[Code.NOT_FOUND]: undefined,
		}).catch((error: unknown) => {
			logger.warn(
				"Could not delete an empty secret left by a failed create; reconciliation will.",
				{
					id,
					error: errorCode(error),
				},
			);
		});
	}

	return {
		addVersion,
		async createAndAdd(id, data) {
			const created = await create(id);
			try {
				const version = await addVersion(id, data);
				if (version === undefined) {
					throw new StoreUnavailableError(
						"[store-gcp] The secret disappeared while its first version was written.",
						{
							store: "gcp",
						},
					);
				}
				return { version, created };
			} catch (error) {
				if (created) await removeEmpty(id);
				throw error;
			}
		},
	};
}
