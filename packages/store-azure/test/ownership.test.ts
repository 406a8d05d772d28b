/**
 * A vault shared with other tools and other Strongbox deployments: what the store does
 * not own is never listed, read, overwritten or deleted, and never crashes anything.
 */
import { randomUUID } from "node:crypto";
import { createSecrets, type Logger, type ManagedStore, StoreError } from "@strongbox/core";
import { createSqlCatalog } from "@strongbox/store-sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEPLOYMENT_TAG, SECRET_ID_TAG } from "../src/index.js";
import { type AzureEmulator, nameOf, openStore, startAzureEmulator } from "./emulator.js";

let emu: AzureEmulator;
let store: ManagedStore;
const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
const logger: Logger = {
	debug() {},
	info() {},
	warn: (message, fields) => warnings.push({ message, ...(fields ? { fields } : {}) }),
	error() {},
};
const DEPLOYMENT = "dep-mine";

beforeAll(async () => {
	emu = await startAzureEmulator();
	store = await openStore(emu, DEPLOYMENT, {}, logger);
});
afterAll(async () => {
	await store.close();
	await emu.close();
});

/** Secrets other people put in the vault, some of them at names that look like ours. */
function plantForeignSecrets(): string[] {
	const foreignIds = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
	emu.putRaw("database-password", "hunter2");
	emu.putRaw("strongbox-not-a-uuid", "{}", { tags: { [DEPLOYMENT_TAG]: DEPLOYMENT } });
	emu.putRaw(nameOf(foreignIds[0]!), "plain text, no tags");
	emu.putRaw(nameOf(foreignIds[1]!), '{"$version":"1","$owner":"dep-other","k":"v"}', {
		tags: { [DEPLOYMENT_TAG]: "dep-other", [SECRET_ID_TAG]: foreignIds[1]! },
	});
	// Our deployment tag but another id in the tag: copied, not ours.
	emu.putRaw(nameOf(foreignIds[2]!), '{"$version":"1","k":"v"}', {
		tags: { [DEPLOYMENT_TAG]: DEPLOYMENT, [SECRET_ID_TAG]: randomUUID() },
	});
	// Tagged as ours, payload owned by someone else: listIds goes by tags (it reads no
	// values), so it lists this one; every read, write and delete checks the payload.
	emu.putRaw(nameOf(foreignIds[3]!), '{"$version":"1","$owner":"dep-other","k":"v"}', {
		tags: { [DEPLOYMENT_TAG]: DEPLOYMENT, [SECRET_ID_TAG]: foreignIds[3]! },
	});
	for (let i = 0; i < 20; i++) emu.putRaw(`other-app-${i}`, `value-${i}`, { tags: { team: "x" } });
	return foreignIds;
}

describe("foreign secrets in the vault", () => {
	const foreignIds = [] as string[];
	const mine = Array.from({ length: 30 }, () => randomUUID());

	beforeAll(async () => {
		foreignIds.push(...plantForeignSecrets());
		for (const [i, id] of mine.entries()) await store.set(id, { n: String(i) }, { version: 1 });
	});

	const listable = () => [...mine, foreignIds[3]!].sort();

	it("listIds yields exactly the ids tagged for this deployment, across pages", async () => {
		emu.clearCalls();
		const listed: string[] = [];
		for await (const id of store.listIds()) listed.push(id);
		expect(listed.sort()).toEqual(listable());
		// 30 of ours + 26 others: three pages of at most 25.
		expect(emu.count("GetSecrets")).toBe(3);
	});

	it("listIds survives a page that fails mid-listing, without duplicates", async () => {
		const iterator = store.listIds()[Symbol.asyncIterator]();
		const listed = [(await iterator.next()).value as string];
		emu.inject({ kind: "error", operations: ["GetSecrets"], next: 1 });
		for (let r = await iterator.next(); !r.done; r = await iterator.next()) listed.push(r.value);
		expect(emu.calls.some((c) => c.operation === "GetSecrets" && c.fault === "error")).toBe(true);
		expect(listed.sort()).toEqual(listable());
	});

	it("get of a foreign secret at one of our names is undefined, with a value-free warning", async () => {
		warnings.length = 0;
		for (const id of foreignIds) expect(await store.get(id)).toBeUndefined();
		expect(warnings).toHaveLength(foreignIds.length);
		for (const warning of warnings) {
			expect(Object.keys(warning.fields ?? {})).toEqual(["id"]);
			expect(JSON.stringify(warning)).not.toContain("hunter2");
		}
	});

	it("never overwrites a foreign secret", async () => {
		for (const id of foreignIds) {
			const before = emu.rawSecret(nameOf(id));
			const error = await store.set(id, { k: "mine" }, { version: 2 }).then(
				() => undefined,
				(e: unknown) => e,
			);
			expect(error).toBeInstanceOf(StoreError);
			expect(emu.rawSecret(nameOf(id))).toEqual(before);
		}
	});

	it("never deletes a foreign secret", async () => {
		for (const id of foreignIds) {
			expect(await store.delete(id)).toBe(false);
			expect(emu.rawSecret(nameOf(id))).toBeDefined();
		}
		expect(emu.count("DeleteSecret")).toBe(0);
	});

	it("reconciliation with foreign secrets present removes only this deployment's orphans", async () => {
		const secrets = createSecrets({
			catalog: createSqlCatalog({ url: "sqlite::memory:" }),
			store,
			caller: { user: "alice", workspace: "ws-a" },
		});
		const kept = await secrets.createSecret({ name: "kept", values: { k: "v" } });
		const before = emu.rawSecrets().length;
		// The catalog is empty but for `kept`: every other id of ours is an orphan.
		const report = await secrets.reconcile({ staleAfterMs: 0 });
		expect(report.orphansRemoved).toBe(mine.length);
		expect(report.deferred).toBe(0);
		expect(emu.rawSecrets().length).toBe(before - mine.length);
		for (const id of foreignIds) expect(emu.rawSecret(nameOf(id))).toBeDefined();
		expect((await secrets.getSecret(kept.id)).values).toEqual({ k: "v" });
		expect(emu.rawSecret("database-password")?.value).toBe("hunter2");
		// Put the orphans back for the tests that follow.
		for (const [i, id] of mine.entries()) await store.set(id, { n: String(i) }, { version: 1 });
		await store.delete(kept.id);
		await secrets.catalog.close();
	});

	it("reads a secret whatever the letter case of the prefix (Key Vault names are case-insensitive)", async () => {
		const shouting = await openStore(emu, DEPLOYMENT, { prefix: "STRONGBOX-" });
		expect(await shouting.get(mine[0]!)).toEqual({ values: { n: "0" }, version: 1 });
		const listed: string[] = [];
		for await (const id of shouting.listIds()) listed.push(id);
		expect(listed.sort()).toEqual(listable());
		await shouting.close();
	});

	it("writes the documented tags and content type, and the payload names its owner", () => {
		const raw = emu.rawSecret(nameOf(mine[0]!))!;
		expect(raw.tags).toEqual({ [DEPLOYMENT_TAG]: DEPLOYMENT, [SECRET_ID_TAG]: mine[0] });
		expect(raw.contentType).toBe("application/vnd.strongbox.v1+json");
		expect(JSON.parse(raw.value)).toEqual({ $version: "1", $owner: DEPLOYMENT, n: "0" });
	});
});
