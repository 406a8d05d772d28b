import { createStore, StoreConfigError } from "@strongbox/core";
import { describe, expect, it } from "vitest";
import { vaultUrlOf } from "./client.js";
import azureStore from "./index.js";
import { configSchema } from "./options.js";

const credential = {
	getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 60_000 }),
};

async function configError(options: unknown): Promise<StoreConfigError> {
	try {
		await createStore(azureStore, options);
	} catch (error) {
		expect(error).toBeInstanceOf(StoreConfigError);
		return error as StoreConfigError;
	}
	throw new Error("expected a StoreConfigError");
}

function parse(options: unknown) {
	const result = configSchema.safeParse(options);
	if (!result.success) throw new Error(result.error.message);
	return result.data;
}

describe("options", () => {
	it("fills the documented defaults", () => {
		expect(parse({ vaultName: "my-vault", credential })).toMatchObject({
			prefix: "strongbox-",
			purgeOnDelete: false,
			disableChallengeResourceVerification: false,
			retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 2000 },
			timeoutMs: 10_000,
			pollIntervalMs: 1000,
			pollTimeoutMs: 60_000,
		});
	});

	it("turns a vault name into its public-cloud URL and accepts any https vault URL", () => {
		expect(vaultUrlOf(parse({ vaultName: "My-Vault1" }))).toBe("https://my-vault1.vault.azure.net");
		for (const url of [
			"https://contoso.vault.azure.cn",
			"https://contoso.vault.usgovcloudapi.net/",
			"https://kv.privatelink.example.com:8443",
		]) {
			expect(vaultUrlOf(parse({ vaultUrl: url }))).toBe(url.replace(/\/$/, ""));
		}
	});

	it("refuses vault URLs that are not plain https origins", async () => {
		for (const vaultUrl of [
			"http://contoso.vault.azure.net",
			"https://contoso.vault.azure.net/secrets",
			"https://contoso.vault.azure.net?x=1",
			"https://user:pw@contoso.vault.azure.net",
			"not a url",
		]) {
			const error = await configError({ vaultUrl, credential });
			expect(error.message).toContain("vaultUrl");
		}
	});

	it("needs exactly one of vaultUrl and vaultName, and at most one credential option", async () => {
		expect((await configError({ credential })).message).toContain(
			"exactly one of `vaultUrl` or `vaultName`",
		);
		await configError({ vaultName: "abc", vaultUrl: "https://abc.vault.azure.net" });
		const error = await configError({
			vaultName: "abc",
			credential,
			managedIdentity: {},
		});
		expect(error.message).toContain("at most one of");
		// An injected client needs neither.
		expect(() => parse({ client: { getSecret() {}, setSecret() {} } })).not.toThrow();
	});

	it("checks vault names and the prefix against Key Vault's alphabet and the 127-character limit", async () => {
		for (const vaultName of ["ab", "a".repeat(25), "1vault", "my--vault", "vault-"]) {
			await configError({ vaultName, credential });
		}
		expect(parse({ vaultName: "abc", prefix: `p${"x".repeat(90)}` }).prefix).toHaveLength(91);
		for (const prefix of [`p${"x".repeat(91)}`, "sb_", "sb.", "1sb-", ""]) {
			const error = await configError({ vaultName: "abc", credential, prefix });
			expect(error.message).toContain("prefix");
		}
	});

	it("refuses unknown options and lists every problem at once", async () => {
		const error = await configError({
			vaultName: "x",
			credential,
			region: "westeurope",
			timeoutMs: 0,
		});
		expect(error.message).toContain("3 problems");
	});

	it("never quotes a credential in a configuration error", async () => {
		const canary = "canary-client-secret-0f9e8d";
		const error = await configError({
			vaultUrl: "http://insecure.example",
			clientSecret: { tenantId: "t", clientId: "c", clientSecret: canary },
		});
		expect(JSON.stringify(error)).not.toContain(canary);
		expect(String(error)).not.toContain(canary);
		expect(azureStore.secretOptions).toEqual([
			"credential",
			"clientSecret",
			"client",
			"tlsOptions",
		]);
	});

	it("declares Key Vault's 25,600-byte limit minus the payload overhead", () => {
		expect(azureStore.capabilities).toMatchObject({
			maxValueBytes: 25_600 - 128,
			bulkGet: false,
			listIds: true,
			encryptsAtRest: false,
		});
	});

	it("refuses a deployment id Key Vault cannot hold in a tag", async () => {
		const error = await createStore(
			azureStore,
			{ vaultName: "abc", credential },
			{ deploymentId: "d".repeat(257) },
		).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(StoreConfigError);
	});
});
