import { StoreConfigError } from "@strongbox/core";
import { describe, expect, it } from "vitest";
import { createClient, loadIdentity, resolveCredential } from "./client.js";
import { configSchema } from "./options.js";

const parse = (options: unknown) => configSchema.parse(options);
const credential = {
	getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 60_000 }),
};

function missingModule(): Promise<never> {
	return Promise.reject(
		Object.assign(new Error("Cannot find package '@azure/identity'"), {
			code: "ERR_MODULE_NOT_FOUND",
		}),
	);
}

describe("credentials", () => {
	it("uses an injected TokenCredential without importing @azure/identity", async () => {
		let imported = false;
		const importer = (s: string) => {
			imported = true;
			return import(s);
		};
		expect(await resolveCredential(parse({ vaultName: "abc", credential }), importer)).toBe(
			credential,
		);
		expect(imported).toBe(false);
	});

	it("says to install @azure/identity when it is needed and missing", async () => {
		for (const options of [
			{},
			{ managedIdentity: {} },
			{ clientSecret: { tenantId: "t", clientId: "c", clientSecret: "s" } },
		]) {
			const error = await resolveCredential(
				parse({ vaultName: "abc", ...options }),
				missingModule,
			).then(
				() => undefined,
				(e: unknown) => e,
			);
			expect(error).toBeInstanceOf(StoreConfigError);
			expect((error as Error).message).toContain("install @azure/identity");
		}
	});

	it("builds the @azure/identity credential each option names", async () => {
		const identity = await import("@azure/identity");
		const viaSecret = await resolveCredential(
			parse({
				vaultName: "abc",
				clientSecret: {
					tenantId: "00000000-0000-0000-0000-000000000001",
					clientId: "c",
					clientSecret: "s",
				},
			}),
		);
		expect(viaSecret).toBeInstanceOf(identity.ClientSecretCredential);
		expect(
			await resolveCredential(parse({ vaultName: "abc", managedIdentity: { clientId: "c" } })),
		).toBeInstanceOf(identity.ManagedIdentityCredential);
		expect(await resolveCredential(parse({ vaultName: "abc" }))).toBeInstanceOf(
			identity.DefaultAzureCredential,
		);
		expect(Object.keys(await loadIdentity())).toContain("DefaultAzureCredential");
	});

	it("returns an injected client as is", async () => {
		const { SecretClient } = await import("@azure/keyvault-secrets");
		const client = new SecretClient("https://abc.vault.azure.net", credential);
		expect(await createClient(parse({ client }))).toBe(client);
		const made = await createClient(parse({ vaultName: "abc", credential }));
		expect(made.vaultUrl).toBe("https://abc.vault.azure.net");
	});
});
