/**
 * The write path: one `CreateSecret` for version 1, one `PutSecretValue` for later
 * versions, falling back only when the secret turns out to exist or not. A secret is
 * only overwritten once it is known to be this deployment's (created, read or listed by
 * this store, or its `strongbox:deployment` tag checked with `DescribeSecret`).
 */
import { randomUUID } from "node:crypto";
import {
	CreateSecretCommand,
	DescribeSecretCommand,
	type DescribeSecretCommandOutput,
	PutSecretValueCommand,
} from "@aws-sdk/client-secrets-manager";
import {
	encodePayload,
	type Logger,
	type SecretValues,
	StoreUnavailableError,
} from "@strongbox/core";
import type { Caller, Outcome } from "./client.js";
import {
	classifyAwsError,
	foreignSecretError,
	isPendingDeletion,
	pendingDeletionError,
} from "./errors.js";
import { ownedBy, requestToken, secretTags } from "./naming.js";
import type { AwsStoreOptions } from "./options.js";
import type { OwnedIds } from "./owned.js";

/** What the store's operations share. */
export interface StoreScope {
	call: Caller;
	nameOf(id: string): string;
	deploymentId: string;
	options: AwsStoreOptions;
	owned: OwnedIds;
	logger: Logger;
}

/** Who holds the AWS secret of an id. */
export type Ownership = "owned" | "missing" | "pending-deletion" | "foreign";

/** Throws the typed error of an outcome no branch expected. */
export function unexpected(outcome: Outcome<unknown>, operation: string): never {
	throw classifyAwsError(outcome.ok ? undefined : outcome.error, operation);
}

/** Reads the ownership tag of an id's secret (one `DescribeSecret`). */
export async function ownership(scope: StoreScope, id: string): Promise<Ownership> {
	const described = await scope.call<DescribeSecretCommandOutput>(
		"describe",
		() => new DescribeSecretCommand({ SecretId: scope.nameOf(id) }),
		{ expected: ["ResourceNotFoundException"] },
	);
	if (!described.ok) return "missing";
	if (!ownedBy(described.value.Tags, scope.deploymentId)) return "foreign";
	if (described.value.DeletedDate !== undefined) return "pending-deletion";
	scope.owned.add(id);
	return "owned";
}

async function create(
	scope: StoreScope,
	id: string,
	payload: string,
	token: string,
): Promise<"created" | "exists"> {
	const { options } = scope;
	const outcome = await scope.call(
		"set",
		() =>
			new CreateSecretCommand({
				Name: scope.nameOf(id),
				SecretString: payload,
				ClientRequestToken: token,
				Description: `Values of Strongbox secret ${id}.`,
				Tags: secretTags(scope.deploymentId, id, options.tags),
				...(options.kmsKeyId === undefined ? {} : { KmsKeyId: options.kmsKeyId }),
			}),
		{ expected: ["ResourceExistsException", "InvalidRequestException"] },
	);
	if (outcome.ok) {
		scope.owned.add(id);
		return "created";
	}
	if (outcome.code === "ResourceExistsException") return "exists";
	if (isPendingDeletion(outcome.message))
		throw pendingDeletionError(scope.nameOf(id), outcome.error);
	return unexpected(outcome, "set");
}

async function put(
	scope: StoreScope,
	id: string,
	payload: string,
	token: string,
): Promise<"written" | "missing"> {
	const expected = [
		"ResourceNotFoundException",
		"ResourceExistsException",
		"InvalidRequestException",
	];
	const send = (clientRequestToken: string) =>
		scope.call(
			"set",
			() =>
				new PutSecretValueCommand({
					SecretId: scope.nameOf(id),
					SecretString: payload,
					ClientRequestToken: clientRequestToken,
				}),
			{ expected },
		);
	let outcome = await send(token);
	if (!outcome.ok && outcome.code === "ResourceExistsException") {
		// The version token is taken by other content: an earlier write of this version
		// landed although the catalog undid it. This write supersedes it as a new version.
		scope.logger.debug("Version token already used with other content; writing a new version.", {
			store: "aws",
			id,
		});
		outcome = await send(randomUUID());
	}
	if (outcome.ok) return "written";
	if (outcome.code === "ResourceNotFoundException") return "missing";
	if (outcome.code === "InvalidRequestException" && isPendingDeletion(outcome.message)) {
		throw pendingDeletionError(scope.nameOf(id), outcome.error);
	}
	return unexpected(outcome, "set");
}

/** Before writing over an existing secret: it must be ours and not pending deletion. */
async function assertWritable(scope: StoreScope, id: string): Promise<"owned" | "missing"> {
	const state = await ownership(scope, id);
	if (state === "foreign") throw foreignSecretError(scope.nameOf(id));
	if (state === "pending-deletion") throw pendingDeletionError(scope.nameOf(id));
	return state;
}

/** Writes the values of `id` at `version`; idempotent for the same (id, version, values). */
export async function writeValues(
	scope: StoreScope,
	id: string,
	values: SecretValues,
	version: number,
): Promise<void> {
	const payload = encodePayload(values, version, scope.deploymentId);
	const token = requestToken(scope.deploymentId, id, version);
	if (version === 1) {
		if ((await create(scope, id, payload, token)) === "created") return;
		// A create retried with other values, or an id written before: only ours is overwritten.
		if (
			(await assertWritable(scope, id)) === "owned" &&
			(await put(scope, id, payload, token)) === "written"
		) {
			return;
		}
		throw vanished(scope, id);
	}
	// A later version: the secret normally exists and was read (so proven ours) just before.
	if (!scope.owned.has(id) && (await assertWritable(scope, id)) === "missing") {
		if ((await create(scope, id, payload, token)) === "created") return;
		await assertWritable(scope, id);
	}
	if ((await put(scope, id, payload, token)) === "written") return;
	if ((await create(scope, id, payload, token)) === "created") return;
	throw vanished(scope, id);
}

function vanished(scope: StoreScope, id: string): StoreUnavailableError {
	return new StoreUnavailableError(
		`[store-aws] Secret \`${scope.nameOf(id)}\` was deleted or created by another writer during the write; retry.`,
		{ store: "aws" },
	);
}
