/**
 * The same suites against the real Google Secret Manager. Skipped unless
 * `STRONGBOX_TEST_REAL_GCP=1`, because it needs credentials and a project (see the README:
 * `GOOGLE_APPLICATION_CREDENTIALS`, `GOOGLE_CLOUD_PROJECT`, `STRONGBOX_TEST_ALLOW_NETWORK=1`);
 * CI runs the emulator variant only. Every run uses its own prefix and deletes what it wrote.
 */
import { randomBytes } from "node:crypto";
import { SecretManagerServiceClient } from "@google-cloud/secret-manager";
import { createStore } from "@strongbox/core";
import { createSqlCatalog } from "@strongbox/store-sql";
import { describeSecrets, describeSecretsStore, inProcessSecretsFixture } from "@strongbox/testkit";
import { describe, expect, it } from "vitest";
import gcpStore, { type GcpStoreOptions } from "../src/index.js";

const real = process.env.STRONGBOX_TEST_REAL_GCP === "1";
const prefix = `sbtest-${randomBytes(4).toString("hex")}-`;

function realOptions(): GcpStoreOptions {
	return {
		projectId: process.env.GOOGLE_CLOUD_PROJECT ?? "",
		prefix,
		retry: { attempts: 6, baseDelayMs: 200, maxDelayMs: 4_000 },
	};
}

/** Deletes every secret this run wrote (they all start with its random prefix). */
async function purge(): Promise<void> {
	const client = new SecretManagerServiceClient({ projectId: process.env.GOOGLE_CLOUD_PROJECT });
	try {
		const parent = `projects/${process.env.GOOGLE_CLOUD_PROJECT}`;
		for await (const secret of client.listSecretsAsync({ parent, filter: `name:${prefix}` })) {
			if (secret.name?.split("/").at(-1)?.startsWith(prefix))
				await client.deleteSecret({ name: secret.name });
		}
	} finally {
		await client.close();
	}
}

describe.runIf(real)("real Google Secret Manager", () => {
	it("has what the run needs", () => {
		expect(process.env.GOOGLE_CLOUD_PROJECT, "GOOGLE_CLOUD_PROJECT").toBeTruthy();
		expect(
			process.env.STRONGBOX_TEST_ALLOW_NETWORK,
			"the network guard must allow the real service",
		).toBe("1");
	});

	describeSecretsStore(gcpStore, {
		options: realOptions,
		name: "store gcp (real)",
		timeoutMs: 120_000,
	});

	describeSecrets(
		"Secrets API on store-gcp (real)",
		async () => {
			const fixture = inProcessSecretsFixture({
				catalog: createSqlCatalog({ url: "sqlite::memory:" }),
				store: await createStore(gcpStore, realOptions(), { deploymentId: `sbtest-${prefix}` }),
			});
			return {
				...fixture,
				close: async () => {
					await fixture.close();
					await purge();
				},
			};
		},
		{ timeoutMs: 120_000 },
	);
});
