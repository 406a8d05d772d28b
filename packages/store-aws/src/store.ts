/**
 * The store: the values of secret `<id>` in the AWS secret `<prefix><id>`, as core's
 * JSON payload (values + `$version` + `$owner`) in `SecretString`, tagged with the
 * deployment and the id. One call per get, per set and per delete in the common case.
 */

import {
	BatchGetSecretValueCommand,
	type BatchGetSecretValueCommandOutput,
	DeleteSecretCommand,
	GetSecretValueCommand,
	type GetSecretValueCommandOutput,
	ListSecretsCommand,
	type ListSecretsCommandOutput,
	type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import {
	decodePayload,
	type SecretsStore,
	type SecretValues,
	StoreConfigError,
	type StoreContext,
	type StoredValues,
} from "@strongbox/core";
import { type Caller, createClient, makeCaller } from "./client.js";
import { classifyAwsError, isPendingDeletion } from "./errors.js";
import { idFromName, ownedBy, secretName } from "./naming.js";
import { type AwsStoreOptions, DEFAULT_PREFIX, DEPLOYMENT_TAG } from "./options.js";
import { OwnedIds } from "./owned.js";
import { ownership, type StoreScope, unexpected, writeValues } from "./writes.js";

// Tag values and ListSecrets filter values share this alphabet; 64 characters keeps the
// payload within core's PAYLOAD_OVERHEAD.
const DEPLOYMENT_ID = /^[A-Za-z0-9 :_@/+=.-]{1,64}$/;
const MAX_PAGES = 10_000;

/** Creates the raw store (core wraps it with `createStore`). */
export function createAwsStore(options: AwsStoreOptions, context: StoreContext): SecretsStore {
	const { deploymentId, logger } = context;
	if (!DEPLOYMENT_ID.test(deploymentId)) {
		throw new StoreConfigError(
			"[store-aws] The deployment id must be 1–64 letters, digits, spaces or `: _ @ / + = . -` (it is stored as an AWS tag).",
			{ store: "aws" },
		);
	}
	const prefix = options.prefix ?? DEFAULT_PREFIX;
	const owned = new OwnedIds();
	let clientPromise: Promise<SecretsManagerClient> | undefined;
	const client = () => {
		clientPromise ??= options.client ? Promise.resolve(options.client) : createClient(options);
		return clientPromise;
	};
	const call: Caller = makeCaller(client, options);
	const nameOf = (id: string) => secretName(prefix, id);
	const scope: StoreScope = { call, nameOf, deploymentId, options, owned, logger };

	/** The values of a read, or `undefined` (with a warning) when the secret is not ours. */
	function decodeOwned(id: string, secretString: string | undefined): StoredValues | undefined {
		let reason: string | undefined;
		if (secretString === undefined) reason = "not-a-strongbox-payload";
		else {
			try {
				const decoded = decodePayload(secretString, "aws");
				if (decoded.owner === deploymentId) {
					owned.add(id);
					return { values: decoded.values, version: decoded.version };
				}
				reason = decoded.owner === undefined ? "not-a-strongbox-payload" : "another-deployment";
			} catch {
				reason = "not-a-strongbox-payload";
			}
		}
		logger.warn("Ignoring an AWS secret that does not belong to this deployment.", {
			store: "aws",
			id,
			reason,
		});
		return undefined;
	}

	return {
		async init() {
			await client();
		},

		async set(id: string, values: SecretValues, meta: { version: number }) {
			await writeValues(scope, id, values, meta.version);
		},

		async get(id: string) {
			const outcome = await call<GetSecretValueCommandOutput>(
				"get",
				() => new GetSecretValueCommand({ SecretId: nameOf(id) }),
				{ expected: ["ResourceNotFoundException", "InvalidRequestException"] },
			);
			if (!outcome.ok) {
				// Only a real "not found" (or "scheduled for deletion") answer is absence.
				if (outcome.code === "ResourceNotFoundException" || isPendingDeletion(outcome.message))
					return undefined;
				return unexpected(outcome, "get");
			}
			return decodeOwned(id, outcome.value.SecretString);
		},

		async getMany(ids: readonly string[]) {
			const found = new Map<string, StoredValues>();
			for (let start = 0; start < ids.length; start += 20) {
				const chunk = ids.slice(start, start + 20);
				let nextToken: string | undefined;
				let pages = 0;
				do {
					const token = nextToken;
					const outcome = await call<BatchGetSecretValueCommandOutput>(
						"getMany",
						() =>
							new BatchGetSecretValueCommand({
								SecretIdList: chunk.map(nameOf),
								...(token === undefined ? {} : { NextToken: token }),
							}),
						{
							// Per-secret errors other than absence fail the batch (retried when transient).
							check: (value) => {
								for (const error of value.Errors ?? []) {
									const code = error.ErrorCode ?? "";
									if (code === "ResourceNotFoundException") continue;
									if (code === "InvalidRequestException" && isPendingDeletion(error.Message ?? ""))
										continue;
									throw classifyAwsError(
										Object.assign(new Error(error.Message ?? code), { name: code }),
										"getMany",
									);
								}
							},
						},
					);
					if (!outcome.ok) return unexpected(outcome, "getMany");
					for (const entry of outcome.value.SecretValues ?? []) {
						const id = idFromName(prefix, entry.Name);
						if (id === undefined || !chunk.includes(id)) continue;
						const stored = decodeOwned(id, entry.SecretString);
						if (stored) found.set(id, stored);
					}
					nextToken = outcome.value.NextToken;
				} while (nextToken !== undefined && ++pages < MAX_PAGES);
			}
			return found;
		},

		async delete(id: string) {
			if (!owned.has(id)) {
				const state = await ownership(scope, id);
				if (state === "foreign") {
					logger.warn("Not deleting an AWS secret that does not belong to this deployment.", {
						store: "aws",
						id,
					});
					return false;
				}
				if (state !== "owned") return false;
			}
			const outcome = await call(
				"delete",
				() =>
					new DeleteSecretCommand({
						SecretId: nameOf(id),
						...(options.recoveryWindowInDays === undefined
							? { ForceDeleteWithoutRecovery: true }
							: { RecoveryWindowInDays: options.recoveryWindowInDays }),
					}),
				{ expected: ["ResourceNotFoundException", "InvalidRequestException"] },
			);
			owned.delete(id);
			if (outcome.ok) return true;
			if (outcome.code === "ResourceNotFoundException" || isPendingDeletion(outcome.message))
				return false;
			return unexpected(outcome, "delete");
		},

		async *listIds() {
			const filters = [
				{ Key: "tag-key" as const, Values: [DEPLOYMENT_TAG] },
				{ Key: "tag-value" as const, Values: [deploymentId] },
				...(prefix === "" ? [] : [{ Key: "name" as const, Values: [prefix] }]),
			];
			let nextToken: string | undefined;
			let pages = 0;
			do {
				const token = nextToken;
				const outcome = await call<ListSecretsCommandOutput>(
					"listIds",
					() =>
						new ListSecretsCommand({
							Filters: filters,
							MaxResults: 100,
							...(token === undefined ? {} : { NextToken: token }),
						}),
				);
				if (!outcome.ok) return unexpected(outcome, "listIds");
				for (const entry of outcome.value.SecretList ?? []) {
					// tag-key and tag-value filters are not bound to the same tag: check the pair.
					if (!ownedBy(entry.Tags, deploymentId)) continue;
					const id = idFromName(prefix, entry.Name);
					if (id === undefined) continue;
					owned.add(id);
					yield id;
				}
				nextToken = outcome.value.NextToken;
			} while (nextToken !== undefined && ++pages < MAX_PAGES);
		},

		async verify() {
			const outcome = await call(
				"verify",
				() =>
					new ListSecretsCommand({
						MaxResults: 1,
						...(prefix === "" ? {} : { Filters: [{ Key: "name", Values: [prefix] }] }),
					}),
			);
			if (!outcome.ok) unexpected(outcome, "verify");
		},

		async close() {
			if (options.client || !clientPromise) return;
			const sdk = await clientPromise.catch(() => undefined);
			sdk?.destroy();
		},
	};
}
