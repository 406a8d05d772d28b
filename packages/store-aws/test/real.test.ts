/**
 * The same suites against the real AWS Secrets Manager. They run only when asked for
 * (`STRONGBOX_TEST_REAL_AWS=1`) because they need an AWS account, credentials and the
 * network, none of which CI has: CI runs the emulator variant (conformance.test.ts).
 * Every secret is created under a per-run prefix and force-deleted afterwards.
 */
import {
	DeleteSecretCommand,
	GetSecretValueCommand,
	paginateListSecrets,
	SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { createStore } from "@strongbox/core";
import { createSqlCatalog } from "@strongbox/store-sql";
import { describeSecrets, describeSecretsStore, inProcessSecretsFixture } from "@strongbox/testkit";
import { afterAll, describe, expect, it } from "vitest";
import awsStore, { type AwsStoreOptions } from "../src/index.js";

const REAL = process.env.STRONGBOX_TEST_REAL_AWS === "1";
const RUN = `strongbox-test/${Date.now()}-${crypto.randomUUID().slice(0, 8)}/`;

function options(): AwsStoreOptions {
	// Region and credentials come from the usual AWS variables, profile or role chain.
	return { prefix: RUN, ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}) };
}

// Skipped unless STRONGBOX_TEST_REAL_AWS=1: it needs a real AWS account and the network.
describe.runIf(REAL)("real AWS Secrets Manager", () => {
	const sdk = REAL
		? new SecretsManagerClient(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {})
		: undefined;

	it("has the network guard lifted (STRONGBOX_TEST_ALLOW_NETWORK=1)", () => {
		expect(process.env.STRONGBOX_TEST_ALLOW_NETWORK).toBe("1");
	});

	describeSecretsStore(awsStore, {
		name: "store aws (real service)",
		options,
		raw: {
			async read(id) {
				try {
					const out = await sdk!.send(new GetSecretValueCommand({ SecretId: `${RUN}${id}` }));
					return out.SecretString;
				} catch (error) {
					if ((error as Error).name === "ResourceNotFoundException") return undefined;
					throw error;
				}
			},
		},
		timeoutMs: 120_000,
	});

	describeSecrets(
		"secrets on real AWS (SQLite catalog)",
		async () =>
			inProcessSecretsFixture({
				catalog: createSqlCatalog({ url: "sqlite::memory:" }),
				store: await createStore(awsStore, options(), {
					deploymentId: `sbtest-${crypto.randomUUID()}`,
				}),
			}),
		{ timeoutMs: 120_000 },
	);

	afterAll(async () => {
		// Whatever a failed test left behind under this run's prefix.
		for await (const page of paginateListSecrets(
			{ client: sdk! },
			{ Filters: [{ Key: "name", Values: [RUN] }], IncludePlannedDeletion: true },
		)) {
			for (const secret of page.SecretList ?? []) {
				await sdk!.send(
					new DeleteSecretCommand({ SecretId: secret.ARN, ForceDeleteWithoutRecovery: true }),
				);
			}
		}
		sdk!.destroy();
	}, 300_000);
});
