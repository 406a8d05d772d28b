/**
 * The AWS Secrets Manager emulator, driven by the real SDK over real HTTP.
 */
import { randomUUID } from "node:crypto";
import {
	BatchGetSecretValueCommand,
	CreateSecretCommand,
	DeleteSecretCommand,
	DescribeSecretCommand,
	GetSecretValueCommand,
	InvalidParameterException,
	InvalidRequestException,
	ListSecretsCommand,
	type ListSecretsCommandInput,
	PutSecretValueCommand,
	paginateListSecrets,
	ResourceExistsException,
	ResourceNotFoundException,
	RestoreSecretCommand,
	SecretsManagerClient,
	type SecretsManagerClientConfig,
	TagResourceCommand,
	UntagResourceCommand,
	UpdateSecretCommand,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import "../../src/network-guard.js";
import { type AwsEmulator, startAwsEmulator } from "../../src/emulators/aws/index.js";

let aws: AwsEmulator;
let sm: SecretsManagerClient;

function client(
	aws: AwsEmulator,
	config: Partial<SecretsManagerClientConfig> = {},
): SecretsManagerClient {
	return new SecretsManagerClient({
		endpoint: aws.endpoint,
		region: aws.region,
		credentials: aws.credentials,
		maxAttempts: 1,
		...config,
	});
}

async function failure(
	promise: Promise<unknown>,
): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
	try {
		await promise;
	} catch (error) {
		return error as Error & { $metadata: { httpStatusCode?: number } };
	}
	throw new Error("expected the call to fail");
}

/** A unique name per test, so tests can share one emulator. */
function uniqueName(prefix = "t"): string {
	return `${prefix}/${randomUUID()}`;
}

beforeAll(async () => {
	aws = await startAwsEmulator();
	sm = client(aws);
});

afterAll(async () => {
	sm.destroy();
	await aws.close();
});

beforeEach(() => {
	aws.clearFaults();
	aws.clearCalls();
});

describe("CRUD and versions", () => {
	it("creates, reads, versions and force-deletes a secret", async () => {
		const name = uniqueName();
		const created = await sm.send(
			new CreateSecretCommand({ Name: name, SecretString: "v1", Description: "d" }),
		);
		expect(created.Name).toBe(name);
		expect(created.ARN).toMatch(
			new RegExp(`^arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-[A-Za-z0-9]{6}$`),
		);
		const first = await sm.send(new GetSecretValueCommand({ SecretId: name }));
		expect(first).toMatchObject({
			SecretString: "v1",
			VersionId: created.VersionId,
			VersionStages: ["AWSCURRENT"],
		});
		expect(first.CreatedDate).toBeInstanceOf(Date);

		const put = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: "v2" }));
		expect(put.VersionStages).toEqual(["AWSCURRENT"]);
		const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
		expect(described.VersionIdsToStages).toEqual({
			[created.VersionId!]: ["AWSPREVIOUS"],
			[put.VersionId!]: ["AWSCURRENT"],
		});
		expect(described.Description).toBe("d");
		const previous = await sm.send(
			new GetSecretValueCommand({ SecretId: name, VersionStage: "AWSPREVIOUS" }),
		);
		expect(previous.SecretString).toBe("v1");

		const updated = await sm.send(
			new UpdateSecretCommand({ SecretId: name, SecretString: "v3", Description: "e" }),
		);
		const third = await sm.send(new GetSecretValueCommand({ SecretId: name }));
		expect(third).toMatchObject({ SecretString: "v3", VersionId: updated.VersionId });
		// The oldest version has lost its label: only labelled versions are listed.
		const after = await sm.send(new DescribeSecretCommand({ SecretId: name }));
		expect(Object.keys(after.VersionIdsToStages ?? {})).toHaveLength(2);
		expect(after.Description).toBe("e");

		await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
		expect(await failure(sm.send(new GetSecretValueCommand({ SecretId: name })))).toBeInstanceOf(
			ResourceNotFoundException,
		);
		// The name is free again at once.
		await sm.send(new CreateSecretCommand({ Name: name, SecretString: "again" }));
	});

	it("addresses a secret by name, full ARN and partial ARN", async () => {
		const name = uniqueName();
		const { ARN } = await sm.send(new CreateSecretCommand({ Name: name, SecretString: "x" }));
		for (const id of [name, ARN!, ARN!.slice(0, -7)]) {
			const got = await sm.send(new GetSecretValueCommand({ SecretId: id }));
			expect(got.SecretString).toBe("x");
		}
		const missing = await failure(
			sm.send(new GetSecretValueCommand({ SecretId: `${ARN!.slice(0, -6)}zzzzzz` })),
		);
		expect(missing).toBeInstanceOf(ResourceNotFoundException);
		expect(missing.$metadata.httpStatusCode).toBe(400);
		expect(missing.message).toBe("Secrets Manager can't find the specified secret.");
	});

	it("reads a version by id and refuses an unknown one", async () => {
		const name = uniqueName();
		const { VersionId } = await sm.send(new CreateSecretCommand({ Name: name, SecretString: "x" }));
		await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: "y" }));
		const old = await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId }));
		expect(old).toMatchObject({ SecretString: "x", VersionStages: ["AWSPREVIOUS"] });
		const unknown = await failure(
			sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: randomUUID() })),
		);
		expect(unknown).toBeInstanceOf(ResourceNotFoundException);
	});

	it("keeps binary values as bytes", async () => {
		const name = uniqueName();
		await sm.send(
			new CreateSecretCommand({ Name: name, SecretBinary: new Uint8Array([0, 1, 255]) }),
		);
		const got = await sm.send(new GetSecretValueCommand({ SecretId: name }));
		expect([...(got.SecretBinary ?? [])]).toEqual([0, 1, 255]);
		expect(got.SecretString).toBeUndefined();
	});

	it("answers a secret created without a value with no current version", async () => {
		const name = uniqueName();
		const created = await sm.send(new CreateSecretCommand({ Name: name }));
		expect(created.VersionId).toBeUndefined();
		const error = await failure(sm.send(new GetSecretValueCommand({ SecretId: name })));
		expect(error).toBeInstanceOf(ResourceNotFoundException);
		expect(error.message).toContain("staging label: AWSCURRENT");
	});
});

describe("idempotency tokens", () => {
	it("takes ClientRequestToken as the VersionId; a repeat with the same value is a no-op", async () => {
		const name = uniqueName();
		const token = randomUUID();
		const first = await sm.send(
			new CreateSecretCommand({ Name: name, SecretString: "a", ClientRequestToken: token }),
		);
		expect(first.VersionId).toBe(token);
		const again = await sm.send(
			new CreateSecretCommand({ Name: name, SecretString: "a", ClientRequestToken: token }),
		);
		expect(again).toMatchObject({ ARN: first.ARN, VersionId: token });

		const putToken = randomUUID();
		await sm.send(
			new PutSecretValueCommand({
				SecretId: name,
				SecretString: "b",
				ClientRequestToken: putToken,
			}),
		);
		const repeat = await sm.send(
			new PutSecretValueCommand({
				SecretId: name,
				SecretString: "b",
				ClientRequestToken: putToken,
			}),
		);
		expect(repeat.VersionId).toBe(putToken);
		const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
		expect(Object.keys(described.VersionIdsToStages ?? {}).sort()).toEqual(
			[token, putToken].sort(),
		);
	});

	it("refuses the same token with another value, and a duplicate name with another token", async () => {
		const name = uniqueName();
		const token = randomUUID();
		await sm.send(
			new CreateSecretCommand({ Name: name, SecretString: "a", ClientRequestToken: token }),
		);
		const changed = await failure(
			sm.send(
				new PutSecretValueCommand({
					SecretId: name,
					SecretString: "other",
					ClientRequestToken: token,
				}),
			),
		);
		expect(changed).toBeInstanceOf(ResourceExistsException);
		const duplicate = await failure(
			sm.send(new CreateSecretCommand({ Name: name, SecretString: "a" })),
		);
		expect(duplicate).toBeInstanceOf(ResourceExistsException);
		expect(duplicate.message).toBe(
			`The operation failed because the secret ${name} already exists.`,
		);
		const sameTokenOtherValue = await failure(
			sm.send(
				new CreateSecretCommand({ Name: name, SecretString: "b", ClientRequestToken: token }),
			),
		);
		expect(sameTokenOtherValue).toBeInstanceOf(ResourceExistsException);
		expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe("a");
	});

	it("rejects tokens shorter than 32 characters", async () => {
		const error = await failure(
			sm.send(
				new CreateSecretCommand({
					Name: uniqueName(),
					SecretString: "a",
					ClientRequestToken: "short",
				}),
			),
		);
		expect(error.name).toBe("ValidationException");
	});
});

describe("limits", () => {
	it("accepts names of 1–512 allowed characters only", async () => {
		await sm.send(new CreateSecretCommand({ Name: `n/${"a".repeat(510)}`, SecretString: "x" }));
		const tooLong = await failure(
			sm.send(new CreateSecretCommand({ Name: "a".repeat(513), SecretString: "x" })),
		);
		expect(tooLong.name).toBe("ValidationException");
		expect(tooLong.$metadata.httpStatusCode).toBe(400);
		for (const name of ["has space", "semi;colon", "ütf"]) {
			const bad = await failure(
				sm.send(new CreateSecretCommand({ Name: name, SecretString: "x" })),
			);
			expect(bad).toBeInstanceOf(InvalidParameterException);
		}
		await sm.send(new CreateSecretCommand({ Name: `ok/_+=.@-${randomUUID()}`, SecretString: "x" }));
	});

	it("accepts 65,536 bytes of SecretString and refuses one more (bytes, not characters)", async () => {
		const name = uniqueName();
		await sm.send(new CreateSecretCommand({ Name: name, SecretString: "a".repeat(65_536) }));
		const over = await failure(
			sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: "a".repeat(65_537) })),
		);
		expect(over.name).toBe("ValidationException");
		expect(over.message).toContain("65536");
		// 21,846 three-byte characters are 65,538 bytes.
		const wide = await failure(
			sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: "€".repeat(21_846) })),
		);
		expect(wide.name).toBe("ValidationException");
		const both = await failure(
			sm.send(
				new CreateSecretCommand({
					Name: uniqueName(),
					SecretString: "a",
					SecretBinary: new Uint8Array([1]),
				}),
			),
		);
		expect(both).toBeInstanceOf(InvalidParameterException);
	});
});

describe("deletion", () => {
	it("soft-deletes with a recovery window: reads and re-creation fail, restore brings it back", async () => {
		const name = uniqueName("soft");
		await sm.send(new CreateSecretCommand({ Name: name, SecretString: "x" }));
		const deleted = await sm.send(
			new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }),
		);
		expect(deleted.DeletionDate!.getTime() - Date.now()).toBeGreaterThan(6 * 86_400_000);

		const read = await failure(sm.send(new GetSecretValueCommand({ SecretId: name })));
		expect(read).toBeInstanceOf(InvalidRequestException);
		expect(read.message).toContain("marked for deletion");
		const recreate = await failure(
			sm.send(new CreateSecretCommand({ Name: name, SecretString: "y" })),
		);
		expect(recreate).toBeInstanceOf(InvalidRequestException);
		expect(recreate.message).toContain("scheduled for deletion");
		const put = await failure(
			sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: "y" })),
		);
		expect(put).toBeInstanceOf(InvalidRequestException);
		const twice = await failure(sm.send(new DeleteSecretCommand({ SecretId: name })));
		expect(twice).toBeInstanceOf(InvalidRequestException);

		expect(
			(await sm.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate,
		).toBeInstanceOf(Date);
		const hidden = await sm.send(
			new ListSecretsCommand({ Filters: [{ Key: "name", Values: [name] }] }),
		);
		expect(hidden.SecretList).toEqual([]);
		const shown = await sm.send(
			new ListSecretsCommand({
				Filters: [{ Key: "name", Values: [name] }],
				IncludePlannedDeletion: true,
			}),
		);
		expect(shown.SecretList?.map((s) => s.Name)).toEqual([name]);
		expect(shown.SecretList?.[0]?.DeletedDate).toBeInstanceOf(Date);

		await sm.send(new RestoreSecretCommand({ SecretId: name }));
		expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe("x");
		expect(aws.rawSecret(name)?.deletedDate).toBeUndefined();
	});

	it("force-deletes a secret that is scheduled for deletion", async () => {
		const name = uniqueName("soft");
		await sm.send(new CreateSecretCommand({ Name: name, SecretString: "x" }));
		await sm.send(new DeleteSecretCommand({ SecretId: name }));
		expect(aws.rawSecret(name)?.deletionDate?.getTime()).toBeGreaterThan(
			Date.now() + 29 * 86_400_000,
		);
		await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
		expect(aws.rawSecret(name)).toBeUndefined();
	});

	it("refuses a recovery window together with force, or outside 7–30 days", async () => {
		const name = uniqueName();
		await sm.send(new CreateSecretCommand({ Name: name, SecretString: "x" }));
		const both = await failure(
			sm.send(
				new DeleteSecretCommand({
					SecretId: name,
					RecoveryWindowInDays: 7,
					ForceDeleteWithoutRecovery: true,
				}),
			),
		);
		expect(both).toBeInstanceOf(InvalidParameterException);
		for (const days of [6, 31]) {
			const out = await failure(
				sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: days })),
			);
			expect(out).toBeInstanceOf(InvalidParameterException);
		}
		const missing = await failure(
			sm.send(
				new DeleteSecretCommand({ SecretId: uniqueName(), ForceDeleteWithoutRecovery: true }),
			),
		);
		expect(missing).toBeInstanceOf(ResourceNotFoundException);
	});

	it("frees the name when the recovery window has passed", async () => {
		let now = Date.now();
		const timed = await startAwsEmulator({ clock: () => now });
		const c = client(timed);
		try {
			await c.send(new CreateSecretCommand({ Name: "w", SecretString: "x" }));
			await c.send(new DeleteSecretCommand({ SecretId: "w", RecoveryWindowInDays: 7 }));
			now += 7 * 86_400_000 + 1;
			expect(await failure(c.send(new DescribeSecretCommand({ SecretId: "w" })))).toBeInstanceOf(
				ResourceNotFoundException,
			);
			await c.send(new CreateSecretCommand({ Name: "w", SecretString: "y" }));
		} finally {
			c.destroy();
			await timed.close();
		}
	});
});

describe("ListSecrets", () => {
	let own: AwsEmulator;
	let c: SecretsManagerClient;

	beforeAll(async () => {
		own = await startAwsEmulator();
		c = client(own);
		const tagged = async (name: string, tags: Record<string, string>, description?: string) =>
			c.send(
				new CreateSecretCommand({
					Name: name,
					SecretString: "x",
					...(description ? { Description: description } : {}),
					Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
				}),
			);
		await tagged("app/db", { env: "prod", team: "core" }, "Database Password");
		await tagged("app/api", { env: "dev", tier: "prod" });
		await tagged("App/cache", { env: "prod" });
		await tagged("other/x", { owner: "me" });
	});

	afterAll(async () => {
		c.destroy();
		await own.close();
	});

	async function names(input: ListSecretsCommandInput): Promise<string[]> {
		const out = await c.send(new ListSecretsCommand(input));
		return (out.SecretList ?? []).map((s) => s.Name!).sort();
	}

	it("matches name prefixes case-sensitively, with negation", async () => {
		expect(await names({ Filters: [{ Key: "name", Values: ["app/"] }] })).toEqual([
			"app/api",
			"app/db",
		]);
		expect(await names({ Filters: [{ Key: "name", Values: ["App"] }] })).toEqual(["App/cache"]);
		expect(await names({ Filters: [{ Key: "name", Values: ["!app"] }] })).toEqual([
			"App/cache",
			"other/x",
		]);
		expect(await names({ Filters: [{ Key: "name", Values: ["app/d", "other"] }] })).toEqual([
			"app/db",
			"other/x",
		]);
	});

	it("does not bind tag-key and tag-value filters to the same tag", async () => {
		const filters = [
			{ Key: "tag-key" as const, Values: ["env"] },
			{ Key: "tag-value" as const, Values: ["prod"] },
		];
		// app/api is env=dev, tier=prod: it matches too, as on the real service.
		expect(await names({ Filters: filters })).toEqual(["App/cache", "app/api", "app/db"]);
		expect(await names({ Filters: [{ Key: "tag-key", Values: ["te"] }] })).toEqual(["app/db"]);
	});

	it("matches descriptions case-insensitively and `all` across attributes", async () => {
		expect(await names({ Filters: [{ Key: "description", Values: ["database"] }] })).toEqual([
			"app/db",
		]);
		expect(await names({ Filters: [{ Key: "all", Values: ["PASS"] }] })).toEqual(["app/db"]);
	});

	it("returns tags and version stages in the entries", async () => {
		const out = await c.send(
			new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["app/db"] }] }),
		);
		const entry = out.SecretList![0]!;
		expect(entry.Tags).toEqual([
			{ Key: "env", Value: "prod" },
			{ Key: "team", Value: "core" },
		]);
		expect(Object.values(entry.SecretVersionsToStages ?? {})).toEqual([["AWSCURRENT"]]);
		expect(entry.CreatedDate).toBeInstanceOf(Date);
	});

	it("pages with an opaque NextToken and at most 100 results", async () => {
		const seen: string[] = [];
		for await (const page of paginateListSecrets({ client: c, pageSize: 3 }, {})) {
			expect((page.SecretList ?? []).length).toBeLessThanOrEqual(3);
			seen.push(...(page.SecretList ?? []).map((s) => s.Name!));
		}
		expect(seen.sort()).toEqual(["App/cache", "app/api", "app/db", "other/x"]);
		const first = await c.send(new ListSecretsCommand({ MaxResults: 2 }));
		expect(first.NextToken).toBeTypeOf("string");
		expect(() => JSON.parse(first.NextToken!)).toThrow();
		const desc = await c.send(new ListSecretsCommand({ SortOrder: "desc", MaxResults: 1 }));
		expect(desc.SecretList?.[0]?.Name).toBe("other/x");

		expect((await failure(c.send(new ListSecretsCommand({ MaxResults: 101 })))).name).toBe(
			"ValidationException",
		);
		expect((await failure(c.send(new ListSecretsCommand({ NextToken: "bogus" })))).name).toBe(
			"InvalidNextTokenException",
		);
		// A token is bound to the query it came from.
		const other = await failure(
			c.send(
				new ListSecretsCommand({
					NextToken: first.NextToken,
					Filters: [{ Key: "name", Values: ["app"] }],
				}),
			),
		);
		expect(other.name).toBe("InvalidNextTokenException");
	});

	it("rejects unknown filter keys and bad filter values", async () => {
		const key = await failure(
			c.send(new ListSecretsCommand({ Filters: [{ Key: "colour" as "name", Values: ["x"] }] })),
		);
		expect(key.name).toBe("ValidationException");
		const value = await failure(
			c.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["a;b"] }] })),
		);
		expect(value.name).toBe("ValidationException");
	});

	it("lags writes by eventualConsistencyMs", async () => {
		let now = 1_800_000_000_000;
		const lagging = await startAwsEmulator({ eventualConsistencyMs: 5000, clock: () => now });
		const lc = client(lagging);
		try {
			await lc.send(
				new CreateSecretCommand({
					Name: "late",
					SecretString: "x",
					Tags: [{ Key: "k", Value: "1" }],
				}),
			);
			// Reads are strongly consistent; only the listing lags.
			expect((await lc.send(new GetSecretValueCommand({ SecretId: "late" }))).SecretString).toBe(
				"x",
			);
			expect((await lc.send(new ListSecretsCommand({}))).SecretList).toEqual([]);
			now += 5000;
			expect((await lc.send(new ListSecretsCommand({}))).SecretList?.map((s) => s.Name)).toEqual([
				"late",
			]);

			await lc.send(new TagResourceCommand({ SecretId: "late", Tags: [{ Key: "k", Value: "2" }] }));
			await lc.send(
				new DeleteSecretCommand({ SecretId: "late", ForceDeleteWithoutRecovery: true }),
			);
			const stale = await lc.send(new ListSecretsCommand({}));
			expect(stale.SecretList?.[0]?.Tags).toEqual([{ Key: "k", Value: "1" }]);
			now += 5000;
			expect((await lc.send(new ListSecretsCommand({}))).SecretList).toEqual([]);
		} finally {
			lc.destroy();
			await lagging.close();
		}
	});
});

describe("tags", () => {
	it("adds, overwrites and removes tags", async () => {
		const name = uniqueName();
		await sm.send(
			new CreateSecretCommand({ Name: name, SecretString: "x", Tags: [{ Key: "a", Value: "1" }] }),
		);
		await sm.send(
			new TagResourceCommand({
				SecretId: name,
				Tags: [
					{ Key: "a", Value: "2" },
					{ Key: "b", Value: "3" },
				],
			}),
		);
		expect(aws.rawSecret(name)?.tags).toEqual({ a: "2", b: "3" });
		await sm.send(new UntagResourceCommand({ SecretId: name, TagKeys: ["a"] }));
		const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
		expect(described.Tags).toEqual([{ Key: "b", Value: "3" }]);
		const reserved = await failure(
			sm.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: "aws:x", Value: "1" }] })),
		);
		expect(reserved).toBeInstanceOf(InvalidParameterException);
	});
});

describe("BatchGetSecretValue", () => {
	it("reads up to 20 ids and reports missing and deleted ones in Errors", async () => {
		const present = await Promise.all(
			Array.from({ length: 3 }, async (_, i) => {
				const name = uniqueName("batch");
				await sm.send(new CreateSecretCommand({ Name: name, SecretString: `v${i}` }));
				return name;
			}),
		);
		const deleted = uniqueName("batch");
		await sm.send(new CreateSecretCommand({ Name: deleted, SecretString: "gone" }));
		await sm.send(new DeleteSecretCommand({ SecretId: deleted, RecoveryWindowInDays: 7 }));
		const missing = uniqueName("batch");
		const out = await sm.send(
			new BatchGetSecretValueCommand({ SecretIdList: [...present, missing, deleted] }),
		);
		expect(out.SecretValues?.map((v) => [v.Name, v.SecretString])).toEqual(
			present.map((name, i) => [name, `v${i}`]),
		);
		expect(out.Errors).toEqual([
			{
				SecretId: missing,
				ErrorCode: "ResourceNotFoundException",
				Message: "Secrets Manager can't find the specified secret.",
			},
			{
				SecretId: deleted,
				ErrorCode: "InvalidRequestException",
				Message: expect.stringContaining("marked for deletion"),
			},
		]);
		expect(aws.count("BatchGetSecretValue")).toBe(1);
	});

	it("refuses more than 20 ids, both ids and filters, or neither", async () => {
		const ids = Array.from({ length: 21 }, () => uniqueName());
		expect(
			(await failure(sm.send(new BatchGetSecretValueCommand({ SecretIdList: ids })))).name,
		).toBe("ValidationException");
		const both = await failure(
			sm.send(
				new BatchGetSecretValueCommand({
					SecretIdList: [ids[0]!],
					Filters: [{ Key: "name", Values: ["x"] }],
				}),
			),
		);
		expect(both).toBeInstanceOf(InvalidParameterException);
		expect(await failure(sm.send(new BatchGetSecretValueCommand({})))).toBeInstanceOf(
			InvalidParameterException,
		);
	});

	it("reads by filters, page by page", async () => {
		const prefix = `bf/${randomUUID()}/`;
		for (let i = 0; i < 5; i++) {
			await sm.send(new CreateSecretCommand({ Name: `${prefix}${i}`, SecretString: `${i}` }));
		}
		const seen: string[] = [];
		let token: string | undefined;
		do {
			const page = await sm.send(
				new BatchGetSecretValueCommand({
					Filters: [{ Key: "name", Values: [prefix] }],
					MaxResults: 2,
					...(token ? { NextToken: token } : {}),
				}),
			);
			expect(page.SecretValues!.length).toBeLessThanOrEqual(2);
			seen.push(...page.SecretValues!.map((v) => v.SecretString!));
			token = page.NextToken;
		} while (token);
		expect(seen.sort()).toEqual(["0", "1", "2", "3", "4"]);
	});

	it("reports AccessDenied per secret when GetSecretValue is denied", async () => {
		const name = uniqueName();
		await sm.send(new CreateSecretCommand({ Name: name, SecretString: "x" }));
		const undo = aws.deny({ operations: ["GetSecretValue"] });
		try {
			const out = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: [name] }));
			expect(out.SecretValues).toEqual([]);
			expect(out.Errors?.[0]?.ErrorCode).toBe("AccessDeniedException");
		} finally {
			undo();
		}
	});
});

describe("authentication and permissions", () => {
	it("refuses an unknown key, a wrong secret key and a wrong region", async () => {
		const unknown = client(aws, {
			credentials: { accessKeyId: "AKIAUNKNOWN", secretAccessKey: "x" },
		});
		const e1 = await failure(unknown.send(new ListSecretsCommand({})));
		expect(e1.name).toBe("UnrecognizedClientException");
		expect(e1.$metadata.httpStatusCode).toBe(400);
		const wrongSecret = client(aws, {
			credentials: { ...aws.credentials, secretAccessKey: "wrong" },
		});
		expect((await failure(wrongSecret.send(new ListSecretsCommand({})))).name).toBe(
			"InvalidSignatureException",
		);
		const wrongRegion = client(aws, { region: "eu-west-1" });
		expect((await failure(wrongRegion.send(new ListSecretsCommand({})))).name).toBe(
			"InvalidSignatureException",
		);
		for (const c of [unknown, wrongSecret, wrongRegion]) c.destroy();
	});

	it("denies operations with AccessDeniedException until undone", async () => {
		const undo = aws.deny({ operations: ["ListSecrets"] });
		const denied = await failure(sm.send(new ListSecretsCommand({})));
		expect(denied.name).toBe("AccessDeniedException");
		expect(denied.message).toContain("secretsmanager:ListSecrets");
		undo();
		await sm.send(new ListSecretsCommand({ MaxResults: 1 }));
	});
});

describe("faults and the call log", () => {
	it("logs every call with its operation, target and status", async () => {
		const name = uniqueName();
		await sm.send(new CreateSecretCommand({ Name: name, SecretString: "x" }));
		await failure(sm.send(new GetSecretValueCommand({ SecretId: `${name}-missing` })));
		expect(aws.calls.map((c) => [c.operation, c.target, c.status])).toEqual([
			["CreateSecret", name, 200],
			["GetSecretValue", `${name}-missing`, 400],
		]);
		expect(aws.count("CreateSecret")).toBe(1);
		aws.clearCalls();
		expect(aws.count()).toBe(0);
	});

	it("throttles with a 400 ThrottlingException the SDK retries", async () => {
		const name = uniqueName();
		await sm.send(new CreateSecretCommand({ Name: name, SecretString: "x" }));
		aws.inject({ kind: "throttle", next: 1 });
		const throttled = await failure(sm.send(new GetSecretValueCommand({ SecretId: name })));
		expect(throttled.name).toBe("ThrottlingException");
		expect(throttled.$metadata.httpStatusCode).toBe(400);
		expect(aws.calls.at(-1)).toMatchObject({ fault: "throttle", status: 400 });

		// The SDK's own retry policy recognises it as throttling.
		const retrying = client(aws, { maxAttempts: 2, retryStrategy: undefined });
		aws.inject({ kind: "throttle", next: 1 });
		aws.clearCalls();
		expect((await retrying.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe(
			"x",
		);
		expect(aws.count("GetSecretValue")).toBe(2);
		retrying.destroy();
	});

	it("answers injected errors with InternalServiceError 500, or the given status", async () => {
		aws.inject({ kind: "error", next: 1 });
		const error = await failure(sm.send(new ListSecretsCommand({})));
		expect(error.name).toBe("InternalServiceError");
		expect(error.$metadata.httpStatusCode).toBe(500);
		aws.inject({ kind: "error", next: 1, status: 503 });
		expect((await failure(sm.send(new ListSecretsCommand({})))).$metadata.httpStatusCode).toBe(503);
		await sm.send(new ListSecretsCommand({ MaxResults: 1 }));
	});

	it("drops connections without an answer", async () => {
		aws.inject({ kind: "drop", next: 1, operations: ["ListSecrets"] });
		const dropped = await failure(sm.send(new ListSecretsCommand({})));
		expect(dropped.$metadata?.httpStatusCode).toBeUndefined();
		expect(aws.calls.at(-1)).toMatchObject({ operation: "ListSecrets", fault: "drop" });
		await sm.send(new ListSecretsCommand({ MaxResults: 1 }));
	});

	it("delays answers with latency faults", async () => {
		aws.inject({ kind: "latency", latencyMs: 400, next: 1 });
		const aborted = await failure(
			sm.send(new ListSecretsCommand({ MaxResults: 1 }), { abortSignal: AbortSignal.timeout(30) }),
		);
		expect(aborted.name).toBe("AbortError");
		// The next call has no latency rule left.
		await sm.send(new ListSecretsCommand({ MaxResults: 1 }), {
			abortSignal: AbortSignal.timeout(5000),
		});
	});

	it("limits faults to the operations named, and to a fraction of calls", async () => {
		let roll = 0;
		const seeded = await startAwsEmulator({ random: () => [0.1, 0.9][roll++ % 2]! });
		const c = client(seeded);
		try {
			seeded.inject({ kind: "error", fraction: 0.5, operations: ["GetSecretValue"] });
			await c.send(new CreateSecretCommand({ Name: "f", SecretString: "x" }));
			const outcomes: string[] = [];
			for (let i = 0; i < 4; i++) {
				outcomes.push(
					await c.send(new GetSecretValueCommand({ SecretId: "f" })).then(
						() => "ok",
						(e: Error) => e.name,
					),
				);
			}
			expect(outcomes).toEqual(["InternalServiceError", "ok", "InternalServiceError", "ok"]);
		} finally {
			c.destroy();
			await seeded.close();
		}
	});
});
