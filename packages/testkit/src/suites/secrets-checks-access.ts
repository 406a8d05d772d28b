/**
 * Secrets checks of visibility: a user-scoped secret is its owner's alone, and a
 * workspace's secrets are invisible outside it. Towards outsiders every read, update and
 * delete answers "not found", never "forbidden", so nothing leaks about what exists.
 */
import { ForbiddenError, SecretNotFoundError, type Secrets } from "@strongbox/core";
import { expect } from "vitest";
import type { SecretsCheck, SecretsCheckContext } from "./secrets-context.js";

async function expectInvisible(
	ctx: SecretsCheckContext,
	who: Secrets,
	id: string,
	name: string,
	workspace: string,
): Promise<void> {
	const { rejects, canary, list } = ctx;
	await rejects(who.getSecret(id), SecretNotFoundError);
	await rejects(who.getSecretMetadata(id), SecretNotFoundError);
	await rejects(who.getSecretByName(name), SecretNotFoundError);
	await rejects(who.getSecretByName(name, { workspace }), SecretNotFoundError);
	await rejects(who.getSecretMetadataByName(name, { workspace }), SecretNotFoundError);
	expect(await who.getSecrets([id])).toEqual([]);
	expect((await list(who)).items.map((s) => s.id)).not.toContain(id);
	expect((await list(who, { workspace })).items.map((s) => s.id)).not.toContain(id);
	expect((await list(who, { owner: "alice" })).total).toBe(0);
	await rejects(who.updateSecret(id, { values: { k: canary() } }), SecretNotFoundError);
	await rejects(who.updateSecret(id, { name: ctx.name() }), SecretNotFoundError);
	await rejects(who.updateSecret(id, { scope: "workspace" }), SecretNotFoundError);
	await rejects(who.deleteSecret(id), SecretNotFoundError);
}

/** Alice's user-scoped secret, as seen by bob (same workspace) and carol (other workspace). */
export const userScopeInvisible: SecretsCheck = {
	name: "a user-scoped secret is invisible to everyone but its owner (by id, name, listing, update, delete)",
	async run(ctx) {
		const { alice, bob, carol, name, canary } = ctx;
		const n = name();
		const values = { token: canary() };
		const s = await alice.createSecret({ name: n, values, scope: "user" });
		await expectInvisible(ctx, bob, s.id, n, "ws-a");
		await expectInvisible(ctx, carol, s.id, n, "ws-a");
		expect(await alice.getSecret(s.id)).toMatchObject({ version: 1, values, name: n });
	},
};

/** Carol (ws-b only) and the secrets of ws-a. */
export const otherWorkspaceInvisible: SecretsCheck = {
	name: "a non-member cannot see or touch a workspace's secrets: not found, never forbidden, for reads",
	async run(ctx) {
		const { alice, carol, name, canary, rejects, list } = ctx;
		const n = name();
		const values = { password: canary() };
		const s = await alice.createSecret({ name: n, values });
		await expectInvisible(ctx, carol, s.id, n, "ws-a");
		expect(await alice.getSecret(s.id)).toMatchObject({ version: 1, values });
		// Creating in a workspace one does not belong to is refused, and writes nothing.
		const intruder = name("intruder");
		await rejects(
			carol.createSecret({ name: intruder, values: { k: canary() }, workspace: "ws-a" }),
			ForbiddenError,
		);
		await rejects(alice.getSecretByName(intruder), SecretNotFoundError);
		// The same name in carol's own workspace is another secret.
		const hers = await carol.createSecret({ name: n, values: { k: "carol" } });
		expect(hers.workspace).toBe("ws-b");
		expect((await alice.getSecretByName(n)).id).toBe(s.id);
		expect((await carol.getSecretByName(n)).id).toBe(hers.id);
		expect((await list(alice, { workspace: "ws-b" })).total).toBe(0);
		await rejects(alice.getSecret(hers.id), SecretNotFoundError);
	},
};
