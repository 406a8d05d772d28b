/**
 * Secrets checks of the write model: create/read/delete, versions, merge updates,
 * renames, scope changes, optimistic concurrency, name uniqueness and lookup order.
 */
import { ConflictError, SecretExistsError, SecretNotFoundError } from "@strongbox/core";
import { expect } from "vitest";
import { plain, type SecretsCheck } from "./secrets-context.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Create, every read, delete. */
export const crud: SecretsCheck = {
	name: "create, get, get by name, metadata and delete",
	async run({ alice, rejects, name, canary, list }) {
		const n = name("crud");
		const values = { user: "app", password: canary() };
		const created = await alice.createSecret({ name: n, values });
		expect(created.id).toMatch(UUID);
		expect(created).toMatchObject({
			name: n,
			scope: "workspace",
			workspace: "ws-a",
			owner: null,
			keys: ["password", "user"],
			version: 1,
			values,
		});
		expect(created.createdAt).toBeInstanceOf(Date);
		expect(created.updatedAt).toBeInstanceOf(Date);
		expect(created.updatedAt.getTime()).toBeGreaterThanOrEqual(created.createdAt.getTime());
		expect(typeof created.backend).toBe("string");
		expect(created.backend.length).toBeGreaterThan(0);
		// Every read returns exactly what the create returned (timestamps included).
		expect(plain(await alice.getSecret(created.id))).toEqual(plain(created));
		expect(plain(await alice.getSecretByName(n))).toEqual(plain(created));
		const { values: _values, ...metadata } = plain(created);
		const byId = await alice.getSecretMetadata(created.id);
		expect("values" in byId, "metadata carries no values").toBe(false);
		expect(plain(byId)).toEqual(metadata);
		expect(plain(await alice.getSecretMetadataByName(n))).toEqual(metadata);

		const mine = await alice.createSecret({
			name: name("mine"),
			values: { k: "v" },
			scope: "user",
		});
		expect(mine).toMatchObject({ scope: "user", owner: "alice", workspace: "ws-a", version: 1 });

		expect(await alice.deleteSecret(created.id)).toBeUndefined();
		await rejects(alice.getSecret(created.id), SecretNotFoundError);
		await rejects(alice.getSecretMetadata(created.id), SecretNotFoundError);
		await rejects(alice.getSecretByName(n), SecretNotFoundError);
		await rejects(alice.getSecretMetadataByName(n), SecretNotFoundError);
		await rejects(alice.updateSecret(created.id, { values: { k: "v" } }), SecretNotFoundError);
		await rejects(alice.deleteSecret(created.id), SecretNotFoundError);
		expect((await list(alice, { name: n })).total).toBe(0);
		// The name is free again.
		expect((await alice.createSecret({ name: n, values: { k: "again" } })).version).toBe(1);
	},
};

/** +1 on every write, nothing on a no-op. */
export const versions: SecretsCheck = {
	name: "version grows by 1 on every write (values, rename, scope change) and not on a no-op",
	async run({ alice, name }) {
		const n = name();
		const s = await alice.createSecret({ name: n, values: { a: "1" } });
		expect(s.version).toBe(1);
		expect((await alice.updateSecret(s.id, { values: { b: "2" } })).version).toBe(2);
		const renamed = name("renamed");
		expect((await alice.updateSecret(s.id, { name: renamed })).version).toBe(3);
		const toUser = await alice.updateSecret(s.id, { scope: "user" });
		expect(toUser).toMatchObject({ version: 4, scope: "user", owner: "alice" });
		const back = await alice.updateSecret(s.id, { scope: "workspace" });
		expect(back).toMatchObject({ version: 5, scope: "workspace", owner: null });
		const noop = await alice.updateSecret(s.id, { name: renamed, scope: "workspace" });
		expect(noop.version).toBe(5);
		expect(noop.updatedAt.getTime()).toBe(back.updatedAt.getTime());
		const both = await alice.updateSecret(s.id, { name: name("both"), values: { c: "3" } });
		expect(both.version).toBe(6);
		const got = await alice.getSecret(s.id);
		expect(got.version).toBe(6);
		expect(got.values).toEqual({ a: "1", b: "2", c: "3" });
		expect(got.createdAt.getTime()).toBe(s.createdAt.getTime());
		expect(got.updatedAt.getTime()).toBeGreaterThanOrEqual(s.updatedAt.getTime());
	},
};

/** Merge semantics of a values update. */
export const mergeUpdate: SecretsCheck = {
	name: "a values update merges: null removes, a given key overwrites, the rest is kept",
	async run({ alice, name }) {
		const s = await alice.createSecret({ name: name(), values: { a: "1", b: "2", c: "3" } });
		const u = await alice.updateSecret(s.id, { values: { a: null, b: "B", d: "4", ghost: null } });
		expect(u.values).toEqual({ b: "B", c: "3", d: "4" });
		expect(u.keys).toEqual(["b", "c", "d"]);
		const got = await alice.getSecret(s.id);
		expect(got.values).toEqual({ b: "B", c: "3", d: "4" });
		expect(got.keys).toEqual(["b", "c", "d"]);
	},
};

/** Rename keeps id and values; a taken name is refused and nothing changes. */
export const rename: SecretsCheck = {
	name: "rename keeps id and values; renaming onto a taken name is SecretExistsError",
	async run({ alice, name, rejects }) {
		const s = await alice.createSecret({ name: name("old"), values: { k: "v" } });
		const n = name("new");
		const r = await alice.updateSecret(s.id, { name: n });
		expect(r).toMatchObject({ id: s.id, name: n, values: { k: "v" }, version: 2 });
		expect((await alice.getSecretByName(n)).id).toBe(s.id);
		await rejects(alice.getSecretByName(s.name), SecretNotFoundError);
		const other = await alice.createSecret({ name: name("other"), values: { o: "1" } });
		await rejects(alice.updateSecret(s.id, { name: other.name }), SecretExistsError);
		expect(await alice.getSecret(s.id)).toMatchObject({ name: n, version: 2 });
		// A user-scoped secret lives in another namespace: the same name is free there.
		const mine = await alice.createSecret({ name: name(), values: { k: "v" }, scope: "user" });
		expect((await alice.updateSecret(mine.id, { name: n })).name).toBe(n);
	},
};

/** Scope moves both ways, with visibility following. */
export const scopeChange: SecretsCheck = {
	name: "scope changes both ways move visibility; a clash in the target scope is SecretExistsError",
	async run({ alice, bob, name, rejects }) {
		const n = name();
		const s = await alice.createSecret({ name: n, values: { k: "v" } });
		expect((await bob.getSecret(s.id)).values).toEqual({ k: "v" });
		await alice.updateSecret(s.id, { scope: "user" });
		await rejects(bob.getSecret(s.id), SecretNotFoundError);
		expect(await alice.getSecretByName(n, { scope: "user" })).toMatchObject({ id: s.id });
		await alice.updateSecret(s.id, { scope: "workspace" });
		expect(await bob.getSecret(s.id)).toMatchObject({
			scope: "workspace",
			owner: null,
			version: 3,
		});
		// The user scope already holds this name: moving there would clash.
		await alice.createSecret({ name: n, values: { mine: "1" }, scope: "user" });
		await rejects(alice.updateSecret(s.id, { scope: "user" }), SecretExistsError);
		expect(await alice.getSecret(s.id)).toMatchObject({ scope: "workspace", version: 3 });
	},
};

/** `expectedVersion` on update and delete. */
export const expectedVersion: SecretsCheck = {
	name: "expectedVersion: a match writes, a mismatch is ConflictError and changes nothing",
	async run({ alice, name, rejects, canary }) {
		const s = await alice.createSecret({ name: name(), values: { k: "1" } });
		expect(
			(await alice.updateSecret(s.id, { values: { k: "2" }, expectedVersion: 1 })).version,
		).toBe(2);
		await rejects(
			alice.updateSecret(s.id, { values: { k: canary() }, expectedVersion: 1 }),
			ConflictError,
		);
		await rejects(alice.updateSecret(s.id, { name: name(), expectedVersion: 5 }), ConflictError);
		await rejects(
			alice.updateSecret(s.id, { values: { k: "x" }, expectedVersion: 0 }),
			ConflictError,
		);
		await rejects(alice.deleteSecret(s.id, { expectedVersion: 1 }), ConflictError);
		const got = await alice.getSecret(s.id);
		expect(got).toMatchObject({ version: 2, name: s.name, values: { k: "2" } });
		await alice.deleteSecret(s.id, { expectedVersion: 2 });
		await rejects(alice.getSecret(s.id), SecretNotFoundError);
	},
};

/** Names are unique per (workspace, scope, owner). */
export const uniqueness: SecretsCheck = {
	name: "names are unique per (workspace, scope, owner); other scopes and workspaces may reuse them",
	async run({ alice, bob, carol, name, rejects, canary, list }) {
		const n = name();
		await alice.createSecret({ name: n, values: { k: "ws" } });
		await rejects(alice.createSecret({ name: n, values: { k: canary() } }), SecretExistsError);
		await rejects(bob.createSecret({ name: n, values: { k: canary() } }), SecretExistsError);
		await alice.createSecret({ name: n, values: { k: "alice" }, scope: "user" });
		await rejects(
			alice.createSecret({ name: n, values: { k: canary() }, scope: "user" }),
			SecretExistsError,
		);
		await bob.createSecret({ name: n, values: { k: "bob" }, scope: "user" });
		await carol.createSecret({ name: n, values: { k: "carol" } });
		expect((await list(alice, { name: n })).total).toBe(2);
		expect((await list(bob, { name: n })).total).toBe(2);
		expect((await list(carol, { name: n })).total).toBe(1);
		expect((await alice.getSecretByName(n, { scope: "workspace" })).values).toEqual({ k: "ws" });
	},
};

/** User scope first, then the workspace. */
export const lookupOrder: SecretsCheck = {
	name: "lookup by name: the caller's user scope first, then the workspace",
	async run({ alice, bob, name }) {
		const n = name();
		const ws = await alice.createSecret({ name: n, values: { from: "workspace" } });
		const mine = await alice.createSecret({ name: n, values: { from: "user" }, scope: "user" });
		expect((await alice.getSecretByName(n)).values).toEqual({ from: "user" });
		expect((await alice.getSecretByName(n, { workspace: "ws-a" })).id).toBe(mine.id);
		expect((await alice.getSecretMetadataByName(n)).scope).toBe("user");
		expect((await alice.getSecretByName(n, { scope: "workspace" })).id).toBe(ws.id);
		expect((await bob.getSecretByName(n)).values).toEqual({ from: "workspace" });
		expect((await bob.getSecretMetadataByName(n)).id).toBe(ws.id);
		await alice.deleteSecret(mine.id);
		expect((await alice.getSecretByName(n)).id).toBe(ws.id);
	},
};
