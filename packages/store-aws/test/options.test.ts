/**
 * Options and credentials: schema errors (all at once, no secret printed), the SDK's
 * usual region and credential resolution (environment, shared profile files), an
 * assumed role refreshed through STS (the emulator answers AssumeRole), an injected
 * client, and configuration problems surfacing as StoreConfigError.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createStore, StoreConfigError, StorePermissionError } from "@strongbox/core";
import { type AwsEmulator, startAwsEmulator } from "@strongbox/testkit";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import awsStore, { type AwsStoreOptions } from "../src/index.js";
import { emulatorOptions } from "./helpers.js";

const AWS_VARIABLES = [
	"AWS_REGION",
	"AWS_DEFAULT_REGION",
	"AWS_PROFILE",
	"AWS_ACCESS_KEY_ID",
	"AWS_SECRET_ACCESS_KEY",
	"AWS_SESSION_TOKEN",
	"AWS_CONFIG_FILE",
	"AWS_SHARED_CREDENTIALS_FILE",
	"AWS_ENDPOINT_URL",
	"AWS_ENDPOINT_URL_STS",
	"AWS_ENDPOINT_URL_SECRETS_MANAGER",
	"AWS_EC2_METADATA_DISABLED",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_ROLE_ARN",
];

let aws: AwsEmulator;
let dir: string;
const saved = new Map<string, string | undefined>();

function open(options: AwsStoreOptions, deploymentId = `sbtest-${crypto.randomUUID()}`) {
	return createStore(awsStore, options, { deploymentId });
}

beforeAll(async () => {
	aws = await startAwsEmulator({ roleCredentialTtlSeconds: 60 });
	dir = mkdtempSync(join(tmpdir(), "strongbox-aws-"));
});

beforeEach(() => {
	// A clean AWS environment: no ambient credentials, no shared files, no instance metadata.
	for (const name of AWS_VARIABLES) {
		saved.set(name, process.env[name]);
		delete process.env[name];
	}
	process.env.AWS_CONFIG_FILE = join(dir, "missing-config");
	process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, "missing-credentials");
	process.env.AWS_EC2_METADATA_DISABLED = "true";
});

afterEach(() => {
	aws.clearFaults();
	for (const [name, value] of saved) {
		if (value === undefined) delete process.env[name];
		else process.env[name] = value;
	}
});

afterAll(async () => {
	rmSync(dir, { recursive: true, force: true });
	await aws.close();
});

describe("option validation", () => {
	it("lists every problem at once and never prints a credential", async () => {
		const secret = `very-secret-${crypto.randomUUID()}`;
		const error = await open({
			region: "Mars",
			credentials: { accessKeyId: "AKIA TEST", secretAccessKey: secret },
			profile: "dev",
			externalId: "x1234",
			prefix: "bad prefix",
			recoveryWindowInDays: 6,
			tags: { "strongbox:mine": "x" },
			timeoutMs: 0,
			retry: { attempts: 0 },
			unknown: true,
		} as AwsStoreOptions).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StoreConfigError);
		const issues = ((error as StoreConfigError).details?.issues ?? []) as { path: string }[];
		const paths = issues.map((i) => i.path).sort();
		expect(paths).toEqual(
			[
				"(options)",
				"credentials.accessKeyId",
				"externalId",
				"prefix",
				"profile",
				"recoveryWindowInDays",
				"region",
				"retry.attempts",
				"tags.strongbox:mine",
				"timeoutMs",
			].sort(),
		);
		expect(JSON.stringify(error)).not.toContain(secret);
		expect(String((error as Error).message)).not.toContain(secret);
	});

	it("refuses client together with options it would ignore", async () => {
		const client = new SecretsManagerClient({ region: "us-east-1" });
		const error = await open({ client, region: "eu-west-1" }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StoreConfigError);
		expect((error as Error).message).toContain("region");
		client.destroy();
	});

	it("refuses a deployment id AWS tags cannot hold", async () => {
		await expect(open(emulatorOptions(aws), "bad,id")).rejects.toBeInstanceOf(StoreConfigError);
		await expect(open(emulatorOptions(aws), "x".repeat(65))).rejects.toBeInstanceOf(
			StoreConfigError,
		);
	});

	it("does not modify the options it is given", async () => {
		const options = emulatorOptions(aws);
		const before = JSON.stringify(options);
		const store = await open(options);
		await store.verify();
		expect(JSON.stringify(options)).toBe(before);
		await store.close();
	});
});

describe("region and credential resolution", () => {
	it("reports a missing region as StoreConfigError", async () => {
		const { region: _, ...options } = emulatorOptions(aws);
		const store = await open(options);
		const error = await store.verify().catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StoreConfigError);
		expect((error as Error).message).toContain("region");
		await store.close();
	});

	it("reports missing credentials as StoreConfigError", async () => {
		const { credentials: _, ...options } = emulatorOptions(aws);
		const store = await open(options);
		const error = await store.verify().catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StoreConfigError);
		expect((error as Error).message).toContain("credentials");
		await store.close();
	});

	it("takes region and credentials from the environment", async () => {
		process.env.AWS_REGION = aws.region;
		process.env.AWS_ACCESS_KEY_ID = aws.credentials.accessKeyId;
		process.env.AWS_SECRET_ACCESS_KEY = aws.credentials.secretAccessKey;
		const store = await open({ endpoint: aws.endpoint });
		await store.verify();
		await store.close();
	});

	it("takes region and credentials from a named profile of the shared files", async () => {
		const config = join(dir, "config");
		const credentials = join(dir, "credentials");
		writeFileSync(
			config,
			`[profile sbx]\nregion = ${aws.region}\n[profile wrong]\nregion = ${aws.region}\n`,
		);
		writeFileSync(
			credentials,
			`[sbx]\naws_access_key_id = ${aws.credentials.accessKeyId}\naws_secret_access_key = ${aws.credentials.secretAccessKey}\n` +
				`[wrong]\naws_access_key_id = ${aws.credentials.accessKeyId}\naws_secret_access_key = not-the-key\n`,
		);
		process.env.AWS_CONFIG_FILE = config;
		process.env.AWS_SHARED_CREDENTIALS_FILE = credentials;
		const good = await open({ endpoint: aws.endpoint, profile: "sbx" });
		const id = crypto.randomUUID();
		await good.set(id, { k: "v" }, { version: 1 });
		expect(await good.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		const wrong = await open({ endpoint: aws.endpoint, profile: "wrong" });
		await expect(wrong.verify()).rejects.toBeInstanceOf(StorePermissionError);
		await good.close();
		await wrong.close();
	});
});

describe("assumed role", () => {
	it("assumes the role with its external id and session name, and refreshes the keys before they expire", async () => {
		process.env.AWS_ENDPOINT_URL_STS = aws.endpoint;
		const roleArn = "arn:aws:iam::123456789012:role/strongbox-values";
		const before = aws.assumedRoles.length;
		const store = await open(
			emulatorOptions(aws, { roleArn, externalId: "ext-123", roleSessionName: "strongbox-test" }),
		);
		const id = crypto.randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(aws.assumedRoles.length).toBeGreaterThan(before);
		expect(aws.assumedRoles.at(-1)).toMatchObject({
			roleArn,
			externalId: "ext-123",
			roleSessionName: "strongbox-test",
		});
		// The emulator issues keys valid for 60 s, inside the SDK's 5-minute refresh window:
		// every later call assumes the role again instead of using keys about to expire.
		const count = aws.assumedRoles.length;
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		expect(aws.assumedRoles.length).toBeGreaterThan(count);
		await store.close();
	});

	it("reports a refused AssumeRole as StorePermissionError", async () => {
		process.env.AWS_ENDPOINT_URL_STS = aws.endpoint;
		const undo = aws.deny({ operations: ["AssumeRole"] });
		const store = await open(
			emulatorOptions(aws, { roleArn: "arn:aws:iam::123456789012:role/none" }),
		);
		await expect(store.verify()).rejects.toBeInstanceOf(StorePermissionError);
		undo();
		await store.close();
	});
});

describe("injected client", () => {
	it("uses the client given and leaves it open on close", async () => {
		const client = new SecretsManagerClient({
			endpoint: aws.endpoint,
			region: aws.region,
			credentials: aws.credentials,
			maxAttempts: 1,
		});
		const store = await open({ client });
		const id = crypto.randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		await store.close();
		// Still usable: the store does not own it.
		await client.send(new ListSecretsCommand({ MaxResults: 1 }));
		client.destroy();
	});
});
