/**
 * Key Vault's soft delete as the store meets it: a write to a name that is deleted but
 * recoverable (recover, then write), purgeOnDelete (wait, then purge), purge protection,
 * and a delete that does not wait for Azure when not purging.
 */
import { randomUUID } from "node:crypto";
import { type Logger, StoreError } from "@strongbox/core";
import { afterEach, describe, expect, it } from "vitest";
import { type AzureEmulator, nameOf, openStore, startAzureEmulator } from "./emulator.js";

let emu: AzureEmulator | undefined;
afterEach(async () => {
	await emu?.close();
	emu = undefined;
});

function recordingLogger(lines: { message: string; fields?: Record<string, unknown> }[]): Logger {
	const log = (message: string, fields?: Record<string, unknown>) =>
		lines.push({ message, ...(fields ? { fields } : {}) });
	return { debug: log, info: log, warn: log, error: log };
}

describe("writing a name that is deleted but recoverable", () => {
	it("recovers this deployment's own deleted secret, then writes the new version", async () => {
		emu = await startAzureEmulator({ transitionMs: 40 });
		const store = await openStore(emu, "dep-a");
		const id = randomUUID();
		await store.set(id, { k: "old" }, { version: 1 });
		expect(await store.delete(id)).toBe(true);
		// Values coming back under the same id (a migration back to Azure, a restore).
		await store.set(id, { k: "new" }, { version: 3 });
		expect(await store.get(id)).toEqual({ values: { k: "new" }, version: 3 });
		expect(emu.count("RecoverDeletedSecret")).toBe(1);
		expect(emu.rawSecret(nameOf(id))?.versions).toBe(2);
		expect(emu.rawDeletedSecret(nameOf(id))).toBeUndefined();
		await store.close();
	});

	it("matches the conflict in any letter case of the name", async () => {
		emu = await startAzureEmulator();
		const upper = await openStore(emu, "dep-a", { prefix: "STRONGBOX-" });
		const lower = await openStore(emu, "dep-a");
		const id = randomUUID();
		await lower.set(id, { k: "v1" }, { version: 1 });
		expect(await lower.delete(id)).toBe(true);
		await upper.set(id, { k: "v2" }, { version: 2 });
		expect(await lower.get(id)).toEqual({ values: { k: "v2" }, version: 2 });
		await upper.close();
		await lower.close();
	});

	it("leaves another deployment's deleted secret alone", async () => {
		emu = await startAzureEmulator();
		const mine = await openStore(emu, "dep-a");
		const theirs = await openStore(emu, "dep-b");
		const id = randomUUID();
		await theirs.set(id, { k: "theirs" }, { version: 1 });
		await theirs.delete(id);
		const error = await mine.set(id, { k: "mine" }, { version: 1 }).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(StoreError);
		expect((error as StoreError).details).toMatchObject({ reason: "foreign-object" });
		expect(emu.count("RecoverDeletedSecret")).toBe(0);
		expect(emu.rawDeletedSecret(nameOf(id))).toBeDefined();
		await mine.close();
		await theirs.close();
	});
});

describe("delete", () => {
	it("does not wait for Azure to finish a soft delete when not purging", async () => {
		emu = await startAzureEmulator({ transitionMs: 60_000 });
		const store = await openStore(emu);
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		emu.clearCalls();
		expect(await store.delete(id)).toBe(true);
		// The DELETE and the SDK's single first poll; no waiting for the deletion to show.
		expect(emu.calls.map((c) => c.operation)).toEqual(["DeleteSecret", "GetDeletedSecret"]);
		expect(emu.calls.at(-1)?.status).toBe(404);
		expect(emu.rawSecret(nameOf(id))).toBeUndefined();
		await store.close();
	});

	it("with purgeOnDelete, waits for the deletion to finish, then purges", async () => {
		emu = await startAzureEmulator({ transitionMs: 50 });
		const store = await openStore(emu, undefined, { purgeOnDelete: true });
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(await store.delete(id)).toBe(true);
		expect(emu.count("PurgeDeletedSecret")).toBe(1);
		expect(emu.calls.find((c) => c.operation === "PurgeDeletedSecret")?.status).toBe(204);
		expect(emu.rawDeletedSecret(nameOf(id))).toBeUndefined();
		// The name is free: writing it again needs no recovery.
		await store.set(id, { k: "again" }, { version: 2 });
		expect(emu.count("RecoverDeletedSecret")).toBe(0);
		await store.close();
	});

	it("with purgeOnDelete, finishes the purge an interrupted delete left", async () => {
		emu = await startAzureEmulator();
		const plain = await openStore(emu, "dep-a");
		const purging = await openStore(emu, "dep-a", { purgeOnDelete: true });
		const id = randomUUID();
		await plain.set(id, { k: "v" }, { version: 1 });
		await plain.delete(id);
		expect(await purging.delete(id)).toBe(false);
		expect(emu.rawDeletedSecret(nameOf(id))).toBeUndefined();
		await plain.close();
		await purging.close();
	});

	it("with purge protection, deletes, logs that it could not purge, and does not fail", async () => {
		emu = await startAzureEmulator({ purgeProtection: true });
		const lines: { message: string; fields?: Record<string, unknown> }[] = [];
		const store = await openStore(emu, undefined, { purgeOnDelete: true }, recordingLogger(lines));
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(await store.delete(id)).toBe(true);
		expect(emu.calls.find((c) => c.operation === "PurgeDeletedSecret")?.status).toBe(403);
		expect(emu.rawDeletedSecret(nameOf(id))).toBeDefined();
		expect(lines.some((l) => l.message.includes("Could not purge"))).toBe(true);
		await store.close();
	});

	it("on a vault without soft delete, deletes for good and never polls", async () => {
		emu = await startAzureEmulator({ softDelete: false });
		const store = await openStore(emu, undefined, { purgeOnDelete: true });
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(await store.delete(id)).toBe(true);
		expect(emu.count("GetDeletedSecret")).toBe(0);
		expect(emu.count("PurgeDeletedSecret")).toBe(0);
		await store.set(id, { k: "v2" }, { version: 2 });
		expect(emu.count("RecoverDeletedSecret")).toBe(0);
		await store.close();
	});
});
