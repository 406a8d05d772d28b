/**
 * Key Vault's soft delete, as the store meets it: bringing back one of its own deleted
 * secrets whose name a write needs again (`ObjectIsDeletedButRecoverable`), and purging
 * after a delete when `purgeOnDelete` is set. A deleted secret is only touched when its
 * tags name this deployment.
 */
import type { DeletedSecret, SecretClient } from "@azure/keyvault-secrets";
import { type Logger, StoreError, StoreUnavailableError } from "@strongbox/core";
import { type Call, pollUntil } from "./call.js";
import { STORE } from "./errors.js";

/** Tag holding the deployment id on every secret the store writes. */
export const DEPLOYMENT_TAG = "strongbox-deployment";
/** Tag holding the secret's Strongbox id. */
export const SECRET_ID_TAG = "strongbox-secret-id";

/** What the soft-delete helpers need from the store. */
export interface SoftDeleteContext {
	client: () => SecretClient;
	call: Call;
	deploymentId: string;
	logger: Logger;
	pollIntervalMs: number;
	pollTimeoutMs: number;
}

function isOurs(deleted: DeletedSecret, ctx: SoftDeleteContext, id: string): boolean {
	const tags = deleted.properties.tags;
	return tags?.[DEPLOYMENT_TAG] === ctx.deploymentId && tags[SECRET_ID_TAG] === id;
}

/** The deleted secret of that name, or `undefined` (404: none, or its deletion is not finished). */
function getDeleted(
	ctx: SoftDeleteContext,
	operation: string,
	name: string,
): Promise<DeletedSecret | undefined> {
	return ctx.call(
		operation,
		(abortSignal) => ctx.client().getDeletedSecret(name, { abortSignal }),
		(f) => (f.status === 404 ? { value: undefined } : undefined),
	);
}

/** Waits until the deletion of `name` shows in `/deletedsecrets` (it takes a few seconds on Azure). */
function waitForDeleted(
	ctx: SoftDeleteContext,
	operation: string,
	name: string,
): Promise<DeletedSecret | undefined> {
	return pollUntil(() => getDeleted(ctx, operation, name), ctx.pollIntervalMs, ctx.pollTimeoutMs);
}

/**
 * Recovers this deployment's own deleted secret `name` and waits until it is live again,
 * so that a write can add a version to it. Another deployment's deleted secret is left
 * alone (`StoreError`).
 */
export async function recoverOwn(ctx: SoftDeleteContext, id: string, name: string): Promise<void> {
	const deleted = await waitForDeleted(ctx, "set", name);
	if (deleted && !isOurs(deleted, ctx, id)) {
		throw new StoreError(
			`[store-${STORE}] The Key Vault name of secret ${id} is held by a deleted secret of another deployment; purge or recover it in Key Vault.`,
			{ store: STORE, details: { reason: "foreign-object", id } },
		);
	}
	// Gone meanwhile (purged, or never finished deleting in time): the caller's write decides.
	if (!deleted) return;
	await ctx.call(
		"set",
		async (abortSignal) => {
			await ctx
				.client()
				.beginRecoverDeletedSecret(name, { abortSignal, intervalInMs: ctx.pollIntervalMs });
		},
		// The poller's first poll sends the recovery, then reads the secret: a failed read
		// (GET) means the recovery was sent, and a 404 on a repeated POST that it already was.
		(f) =>
			f.method === "GET" || (f.method === "POST" && f.status === 404)
				? { value: undefined }
				: undefined,
	);
	const live = await pollUntil(
		() =>
			ctx.call(
				"set",
				async (abortSignal) => (await ctx.client().getSecret(name, { abortSignal })) && true,
				(f) => (f.status === 404 ? { value: undefined } : undefined),
			),
		ctx.pollIntervalMs,
		ctx.pollTimeoutMs,
	);
	if (!live) {
		throw new StoreUnavailableError(
			`[store-${STORE}] Key Vault has not finished recovering secret ${id}; retry later.`,
			{ store: STORE },
		);
	}
}

/**
 * Purges this deployment's deleted secret `name`. `wait` waits for a deletion that just
 * started. A purge that cannot happen (purge protection, no purge permission, time out)
 * is logged, not thrown: the values are deleted either way and stay recoverable only for
 * the vault's retention period.
 */
export async function purgeOwn(
	ctx: SoftDeleteContext,
	id: string,
	name: string,
	wait: boolean,
): Promise<void> {
	try {
		const deleted = wait
			? await waitForDeleted(ctx, "delete", name)
			: await getDeleted(ctx, "delete", name);
		if (!deleted) {
			if (wait)
				ctx.logger.warn("Key Vault did not finish deleting a secret in time; it was not purged.", {
					id,
				});
			return;
		}
		if (!isOurs(deleted, ctx, id)) return;
		await ctx.call(
			"delete",
			(abortSignal) => ctx.client().purgeDeletedSecret(name, { abortSignal }),
			(f) => (f.status === 404 ? { value: undefined } : undefined),
		);
	} catch (error) {
		ctx.logger.warn(
			"Could not purge a deleted Key Vault secret; it stays recoverable until the retention period ends.",
			{
				id,
				error: (error as { code?: unknown }).code ?? "UNKNOWN",
			},
		);
	}
}
