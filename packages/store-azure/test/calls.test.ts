/**
 * How many Key Vault calls each Secrets API call costs, read from the emulator's call log.
 *
 * What is counted: the REST operations the emulator received (`SetSecret`, `GetSecret`,
 * `DeleteSecret`...). `Authenticate` (the SDK's one body-less probe per client, answered
 * with the bearer challenge) is left out: it happens once per client, not per call.
 * An update reads the current values (GetSecret) and writes the merged ones (SetSecret):
 * that is core's merge, and the store adds no ownership read because the same process
 * just read the secret as its own. A delete is one DELETE; the SDK's delete poller always
 * follows it with one status read (GetDeletedSecret) that the store does not wait beyond.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AzureEmulator, openSecrets, openStore, startAzureEmulator } from "./emulator.js";

let emu: AzureEmulator;
beforeAll(async () => {
	emu = await startAzureEmulator();
});
afterAll(async () => {
	await emu.close();
});
beforeEach(() => emu.clearCalls());

function operations(): string[] {
	return emu.calls.map((c) => c.operation).filter((op) => op !== "Authenticate");
}

describe("back-end calls per Secrets API call", () => {
	it("create: one SetSecret; get: one GetSecret; update: GetSecret + SetSecret; delete: one DeleteSecret", async () => {
		const secrets = await openSecrets(emu);
		await secrets.init();
		emu.clearCalls();

		const created = await secrets.createSecret({ name: "db", values: { password: "p1" } });
		expect(operations()).toEqual(["SetSecret"]);

		emu.clearCalls();
		expect((await secrets.getSecret(created.id)).values).toEqual({ password: "p1" });
		expect(operations()).toEqual(["GetSecret"]);

		emu.clearCalls();
		await secrets.getSecretByName("db");
		expect(operations()).toEqual(["GetSecret"]);

		emu.clearCalls();
		const updated = await secrets.updateSecret(created.id, { values: { password: "p2" } });
		expect(updated.version).toBe(2);
		expect(operations()).toEqual(["GetSecret", "SetSecret"]);

		emu.clearCalls();
		await secrets.updateSecret(created.id, { name: "db-renamed" });
		// A rename changes the catalog only; reading the result back costs one GetSecret.
		expect(operations()).toEqual(["GetSecret"]);

		emu.clearCalls();
		await secrets.deleteSecret(created.id);
		expect(operations()).toEqual(["DeleteSecret", "GetDeletedSecret"]);
		expect(emu.count("DeleteSecret")).toBe(1);
		await secrets.close();
	});

	it("a delete in a process that never read the secret checks ownership first (one GetSecret)", async () => {
		const writer = await openSecrets(emu, { deploymentId: "shared-deployment" });
		const created = await writer.createSecret({ name: "x", values: { k: "v" } });
		// A second store of the same deployment (another replica) shares nothing in memory.
		const replica = await openStore(emu, "shared-deployment");
		emu.clearCalls();
		expect(await replica.delete(created.id)).toBe(true);
		expect(operations()).toEqual(["GetSecret", "DeleteSecret", "GetDeletedSecret"]);
		await replica.close();
		await writer.close();
	});

	it("listing, filtering and metadata reads never call Key Vault", async () => {
		const secrets = await openSecrets(emu);
		for (let i = 0; i < 5; i++)
			await secrets.createSecret({ name: `svc-${i}`, values: { k: String(i) } });
		emu.clearCalls();
		const page = await secrets.listSecrets({ name: "startswith:svc-", sortBy: "name", size: 2 });
		expect(page.total).toBe(5);
		await secrets.listSecrets({ name: "contains:3" });
		await secrets.listSecrets({ scope: "workspace", sortBy: "updatedAt", sortOrder: "desc" });
		await secrets.getSecretMetadataByName("svc-1");
		await secrets.getSecretMetadata(page.items[0]!.id);
		expect(emu.count()).toBe(0);
		await secrets.close();
	});
});
