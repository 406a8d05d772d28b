/**
 * The Azure Key Vault emulator driven by the real SDK (@azure/keyvault-secrets) over
 * HTTPS, trusting only the emulator's generated CA.
 */
import https from "node:https";
import { SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
	AZURE_MAX_VALUE_BYTES,
	type AzureEmulator,
	type AzureEmulatorOptions,
	startAzureEmulator,
} from "../../src/emulators/azure/index.js";

interface SdkError {
	name: string;
	statusCode?: number;
	code?: string;
	details?: { error?: { innerError?: { code?: string } } };
	response?: { headers: { get(name: string): string | undefined } };
}

async function failure(promise: Promise<unknown>): Promise<SdkError> {
	try {
		await promise;
	} catch (error) {
		return error as SdkError;
	}
	throw new Error("expected the call to fail");
}

function clientFor(emu: AzureEmulator, options: SecretClientOptions = {}): SecretClient {
	return new SecretClient(emu.vaultUrl, emu.credential, {
		tlsOptions: { ca: emu.ca },
		disableChallengeResourceVerification: true,
		retryOptions: { maxRetries: 0 },
		...options,
	});
}

/** A request outside the SDK (to send what the SDK never would). */
function rawRequest(
	emu: AzureEmulator,
	method: string,
	path: string,
	body?: string,
): Promise<{ status: number; json: unknown; headers: Record<string, unknown> }> {
	return new Promise((resolve, reject) => {
		const req = https.request(
			`${emu.vaultUrl}${path}`,
			{
				method,
				ca: emu.ca,
				headers: { authorization: "Bearer test", "content-type": "application/json" },
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on("data", (c: Buffer) => chunks.push(c));
				res.on("end", () => {
					const text = Buffer.concat(chunks).toString("utf8");
					resolve({
						status: res.statusCode ?? 0,
						json: text ? JSON.parse(text) : undefined,
						headers: res.headers,
					});
				});
			},
		);
		req.on("error", reject);
		req.end(body);
	});
}

let emu: AzureEmulator;
let client: SecretClient;

async function start(options: AzureEmulatorOptions = {}): Promise<void> {
	await emu?.close();
	emu = await startAzureEmulator(options);
	client = clientFor(emu);
}

beforeEach(async () => {
	emu = await startAzureEmulator();
	client = clientFor(emu);
});

afterEach(async () => {
	await emu.close();
});

describe("transport and authentication", () => {
	it("challenges every request without a bearer token, so the SDK's body-less probe is never processed", async () => {
		const set = await client.setSecret("db-password", "the-value");
		expect(set.value).toBe("the-value");
		expect(emu.rawSecret("db-password")?.value).toBe("the-value");
		const [probe, real] = emu.requests;
		expect(probe).toMatchObject({ method: "PUT", authorized: false });
		expect(real).toMatchObject({ method: "PUT", authorized: true });
		expect(emu.calls[0]).toMatchObject({ operation: "Authenticate", status: 401 });
		expect(emu.tokenRequests).toBe(1);
		// The challenge is cached per client: later calls go straight through.
		await client.getSecret("db-password");
		expect(emu.count("Authenticate")).toBe(1);
	});

	it("answers 401 with the WWW-Authenticate challenge", async () => {
		const res = await new Promise<{ status: number; header: unknown }>((resolve, reject) => {
			https
				.get(`${emu.vaultUrl}/secrets?api-version=7.5`, { ca: emu.ca }, (r) => {
					r.resume();
					resolve({ status: r.statusCode ?? 0, header: r.headers["www-authenticate"] });
				})
				.on("error", reject);
		});
		expect(res.status).toBe(401);
		expect(res.header).toBe(
			`Bearer authorization="https://login.microsoftonline.com/${emu.tenantId}", resource="https://vault.azure.net"`,
		);
	});

	it("refuses clients that do not trust its CA", async () => {
		const untrusting = new SecretClient(emu.vaultUrl, emu.credential, {
			disableChallengeResourceVerification: true,
			retryOptions: { maxRetries: 0 },
		});
		const error = await failure(untrusting.getSecret("x"));
		expect(error.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
	});

	it("reads api-version whether or not its hyphen is percent-encoded", async () => {
		const pinned = clientFor(emu, { serviceVersion: "7.5" });
		await pinned.setSecret("a", "1");
		expect(emu.requests.at(-1)?.apiVersion).toBe("7.5");
		expect((await rawRequest(emu, "GET", "/secrets/a/?api%2Dversion=7.6")).status).toBe(200);
		const missing = await rawRequest(emu, "GET", "/secrets/a/");
		expect(missing.status).toBe(400);
		expect(missing.json).toMatchObject({ error: { code: "BadParameter" } });
		expect((await rawRequest(emu, "GET", "/secrets/a/?api-version=banana")).status).toBe(400);
	});
});

describe("secrets", () => {
	it("creates a new version on every set, each with its own tags and content type", async () => {
		const v1 = await client.setSecret("conn", "one", {
			tags: { team: "a" },
			contentType: "text/plain",
		});
		const v2 = await client.setSecret("conn", "two");
		expect(v1.properties.version).toMatch(/^[0-9a-f]{32}$/);
		expect(v2.properties.version).not.toBe(v1.properties.version);
		const latest = await client.getSecret("conn");
		expect(latest.value).toBe("two");
		expect(latest.properties.tags).toBeUndefined();
		expect(latest.properties.contentType).toBeUndefined();
		const first = await client.getSecret("conn", { version: v1.properties.version! });
		expect(first.value).toBe("one");
		expect(first.properties.tags).toEqual({ team: "a" });
		expect(first.properties.contentType).toBe("text/plain");
		expect(first.properties.recoveryLevel).toBe("Recoverable+Purgeable");
		expect(first.properties.recoverableDays).toBe(90);
		expect(first.properties.createdOn).toBeInstanceOf(Date);
		expect(emu.rawSecret("conn")?.versions).toBe(2);
	});

	it("treats names case-insensitively and keeps the first spelling", async () => {
		await client.setSecret("MixedCase", "v");
		expect((await client.getSecret("mixedcase")).value).toBe("v");
		await client.setSecret("MIXEDCASE", "w");
		expect(emu.rawSecret("mixedCASE")).toMatchObject({
			name: "MixedCase",
			value: "w",
			versions: 2,
		});
		expect((await client.getSecret("MixedCase")).properties.name).toBe("MixedCase");
	});

	it("enforces the name rule: 1-127 characters of 0-9, a-z, A-Z and -", async () => {
		await client.setSecret("a".repeat(127), "v");
		for (const bad of ["a".repeat(128), "has_underscore", "has.dot"]) {
			const error = await failure(client.setSecret(bad, "v"));
			expect(error.statusCode).toBe(400);
			expect(error.code).toBe("BadParameter");
		}
	});

	it("accepts values up to 25,600 bytes and answers SecretTooLarge above", async () => {
		expect(AZURE_MAX_VALUE_BYTES).toBe(25_600);
		await client.setSecret("big", "x".repeat(25_600));
		const error = await failure(client.setSecret("big", "x".repeat(25_601)));
		expect(error.statusCode).toBe(400);
		expect(error.code).toBe("BadParameter");
		expect(error.details?.error?.innerError?.code).toBe("SecretTooLarge");
		// Bytes, not characters: 12,801 two-byte characters are 25,602 bytes.
		const multibyte = await failure(client.setSecret("big", "é".repeat(12_801)));
		expect(multibyte.statusCode).toBe(400);
		expect(emu.rawSecret("big")?.versions).toBe(1);
	});

	it("answers 404 SecretNotFound for an unknown secret or version", async () => {
		const error = await failure(client.getSecret("nope"));
		expect(error.statusCode).toBe(404);
		expect(error.code).toBe("SecretNotFound");
		await client.setSecret("yes", "v");
		const version = await failure(client.getSecret("yes", { version: "0".repeat(32) }));
		expect(version.statusCode).toBe(404);
	});

	it("refuses to read a disabled version with 403 SecretDisabled", async () => {
		const secret = await client.setSecret("off", "v", { enabled: false });
		const error = await failure(client.getSecret("off"));
		expect(error.statusCode).toBe(403);
		expect(error.code).toBe("Forbidden");
		expect(error.details?.error?.innerError?.code).toBe("SecretDisabled");
		await client.updateSecretProperties("off", secret.properties.version!, { enabled: true });
		expect((await client.getSecret("off")).value).toBe("v");
	});

	it("updates properties of one version without its value", async () => {
		const secret = await client.setSecret("p", "v", { tags: { a: "1" } });
		const updated = await client.updateSecretProperties("p", secret.properties.version!, {
			tags: { b: "2" },
			contentType: "application/json",
		});
		expect(updated.tags).toEqual({ b: "2" });
		expect(updated.contentType).toBe("application/json");
		expect((updated as { value?: string }).value).toBeUndefined();
		expect(emu.rawSecret("p")).toMatchObject({ value: "v", tags: { b: "2" }, versions: 1 });
	});

	it("limits tags and content type", async () => {
		const tags = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, "v"]));
		expect((await failure(client.setSecret("t", "v", { tags }))).statusCode).toBe(400);
		expect(
			(await failure(client.setSecret("t", "v", { contentType: "c".repeat(256) }))).statusCode,
		).toBe(400);
	});
});

describe("listing", () => {
	it("pages secrets with maxresults and an absolute nextLink on the emulator's origin", async () => {
		for (let i = 0; i < 17; i++) await client.setSecret(`s-${String(i).padStart(2, "0")}`, `v${i}`);
		const pages: string[][] = [];
		for await (const page of client.listPropertiesOfSecrets().byPage({ maxPageSize: 5 })) {
			pages.push(page.map((p) => p.name));
			for (const p of page) expect((p as { value?: string }).value).toBeUndefined();
		}
		expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 2]);
		expect(pages.flat()).toEqual(
			Array.from({ length: 17 }, (_, i) => `s-${String(i).padStart(2, "0")}`),
		);
		const first = await rawRequest(emu, "GET", "/secrets?api-version=7.5&maxresults=5");
		const nextLink = (first.json as { nextLink: string }).nextLink;
		expect(nextLink.startsWith(`${emu.vaultUrl}/secrets?`)).toBe(true);
		expect(new URL(nextLink).searchParams.get("api-version")).toBe("7.5");
	});

	it("defaults to pages of 25 and refuses maxresults above 25", async () => {
		for (let i = 0; i < 26; i++) emu.putRaw(`n${i}`, "v");
		const first = await rawRequest(emu, "GET", "/secrets?api-version=7.5");
		expect((first.json as { value: unknown[] }).value).toHaveLength(25);
		expect((await rawRequest(emu, "GET", "/secrets?api-version=7.5&maxresults=26")).status).toBe(
			400,
		);
	});

	it("lists the versions of a secret", async () => {
		await client.setSecret("v", "1");
		await client.setSecret("v", "2");
		await client.setSecret("v", "3");
		const versions: string[] = [];
		for await (const page of client
			.listPropertiesOfSecretVersions("v")
			.byPage({ maxPageSize: 2 })) {
			versions.push(...page.map((p) => p.version!));
		}
		expect(versions).toHaveLength(3);
		expect(new Set(versions).size).toBe(3);
	});
});

describe("soft delete", () => {
	it("deletes into a recoverable state that reserves the name in any letter case", async () => {
		await client.setSecret("gone", "v", { tags: { owner: "me" } });
		const poller = await client.beginDeleteSecret("gone");
		const deleted = await poller.pollUntilDone();
		expect(deleted.recoveryId).toBe(`${emu.vaultUrl}/deletedsecrets/gone`);
		expect(deleted.properties.scheduledPurgeDate).toBeInstanceOf(Date);
		expect(emu.rawSecret("gone")).toBeUndefined();
		expect((await client.getDeletedSecret("gone")).properties.tags).toEqual({ owner: "me" });
		const listed: string[] = [];
		for await (const d of client.listDeletedSecrets()) listed.push(d.name);
		expect(listed).toEqual(["gone"]);
		for (const name of ["gone", "GONE"]) {
			const error = await failure(client.setSecret(name, "again"));
			expect(error.statusCode).toBe(409);
			expect(error.code).toBe("Conflict");
			expect(error.details?.error?.innerError?.code).toBe("ObjectIsDeletedButRecoverable");
		}
		expect((await failure(client.getSecret("gone"))).statusCode).toBe(404);
	});

	it("recovers a deleted secret with its versions", async () => {
		await client.setSecret("back", "1");
		await client.setSecret("back", "2");
		await (await client.beginDeleteSecret("back")).pollUntilDone();
		const recovered = await (await client.beginRecoverDeletedSecret("back")).pollUntilDone();
		expect(recovered.name).toBe("back");
		expect((await client.getSecret("back")).value).toBe("2");
		expect(emu.rawSecret("back")?.versions).toBe(2);
		expect(emu.rawDeletedSecret("back")).toBeUndefined();
	});

	it("purges with 204, which frees the name", async () => {
		await client.setSecret("purge-me", "v");
		await (await client.beginDeleteSecret("purge-me")).pollUntilDone();
		await client.purgeDeletedSecret("purge-me");
		expect(emu.count("PurgeDeletedSecret")).toBe(1);
		expect(emu.calls.at(-1)).toMatchObject({ operation: "PurgeDeletedSecret", status: 204 });
		expect(emu.rawDeletedSecret("purge-me")).toBeUndefined();
		await client.setSecret("purge-me", "new");
		expect(emu.rawSecret("purge-me")?.versions).toBe(1);
	});

	it("refuses to purge when purge protection is on", async () => {
		await start({ purgeProtection: true, recoverableDays: 7 });
		await client.setSecret("kept", "v");
		const deleted = await (await client.beginDeleteSecret("kept")).pollUntilDone();
		expect(deleted.properties.recoveryLevel).toBe("Recoverable");
		expect(deleted.properties.recoverableDays).toBe(7);
		const error = await failure(client.purgeDeletedSecret("kept"));
		expect(error.statusCode).toBe(403);
		expect(error.code).toBe("Forbidden");
		expect(emu.rawDeletedSecret("kept")).toBeDefined();
	});

	it("deletes for good at once when soft delete is off", async () => {
		await start({ softDelete: false });
		await client.setSecret("hard", "v");
		const poller = await client.beginDeleteSecret("hard");
		expect(poller.isDone()).toBe(true);
		expect(poller.getResult()?.recoveryId).toBeUndefined();
		expect(emu.count("GetDeletedSecret")).toBe(0);
		await client.setSecret("hard", "again");
		expect(emu.rawSecret("hard")?.versions).toBe(1);
	});

	it("lets the delete poller wait while the deletion is in progress", async () => {
		await start({ transitionMs: 150 });
		await client.setSecret("slow", "v");
		const poller = await client.beginDeleteSecret("slow", { intervalInMs: 20 });
		expect(poller.isDone()).toBe(false);
		expect((await failure(client.setSecret("slow", "v"))).statusCode).toBe(409);
		await poller.pollUntilDone();
		expect(emu.count("GetDeletedSecret")).toBeGreaterThan(1);
	});

	it("answers 404 for unknown deleted secrets", async () => {
		expect((await failure(client.getDeletedSecret("never"))).statusCode).toBe(404);
		expect((await failure(client.purgeDeletedSecret("never"))).statusCode).toBe(404);
	});
});

describe("access policy", () => {
	it("answers 403 Forbidden for an operation the policy does not grant", async () => {
		await client.setSecret("x", "v");
		emu.setPermissions(["get"]);
		expect((await client.getSecret("x")).value).toBe("v");
		const error = await failure(client.setSecret("x", "w"));
		expect(error.statusCode).toBe(403);
		expect(error.code).toBe("Forbidden");
		expect(error.details?.error?.innerError?.code).toBe("AccessDenied");
		emu.setPermissions("all");
		await client.setSecret("x", "w");
	});
});

describe("faults", () => {
	it("throttles with 429 and Retry-After", async () => {
		await start({ retryAfterSeconds: 2 });
		emu.inject({ kind: "throttle", next: 1 });
		const error = await failure(client.getSecret("any"));
		expect(error.statusCode).toBe(429);
		expect(error.code).toBe("Throttled");
		expect(error.response?.headers.get("retry-after")).toBe("2");
		expect(emu.calls.at(-1)).toMatchObject({
			operation: "GetSecret",
			fault: "throttle",
			status: 429,
		});
	});

	it("fails with 5xx (503 by default, or the rule's status)", async () => {
		emu.inject({ kind: "error", next: 1 });
		expect((await failure(client.getSecret("any"))).statusCode).toBe(503);
		emu.inject({ kind: "error", next: 1, status: 500 });
		const error = await failure(client.getSecret("any"));
		expect(error.statusCode).toBe(500);
		expect(error.code).toBe("InternalServerError");
	});

	it("drops connections without an answer", async () => {
		emu.inject({ kind: "drop", next: 1 });
		const error = await failure(client.getSecret("any"));
		expect(error.statusCode).toBeUndefined();
		expect(error.code).toBe("ECONNRESET");
	});

	it("adds latency and still answers", async () => {
		await client.setSecret("slow", "v");
		emu.inject({ kind: "latency", latencyMs: 30, next: 1 });
		expect((await client.getSecret("slow")).value).toBe("v");
		const aborted = await failure(
			(async () => {
				emu.inject({ kind: "latency", latencyMs: 500, next: 1 });
				return client.getSecret("slow", { abortSignal: AbortSignal.timeout(50) });
			})(),
		);
		expect(aborted.name).toBe("AbortError");
	});

	it("applies faults only to the operations named, and nothing is written by a faulted call", async () => {
		emu.inject({ kind: "error", operations: ["SetSecret"], fraction: 1 });
		expect((await failure(client.setSecret("f", "v"))).statusCode).toBe(503);
		expect(emu.rawSecret("f")).toBeUndefined();
		expect((await failure(client.getSecret("f"))).statusCode).toBe(404);
		emu.clearFaults();
		await client.setSecret("f", "v");
		expect(emu.count("SetSecret")).toBe(2);
		emu.clearCalls();
		expect(emu.count()).toBe(0);
		expect(emu.requests).toHaveLength(0);
	});
});
