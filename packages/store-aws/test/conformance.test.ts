/**
 * The published conformance suites, through the real SDK against the emulator: the
 * store suite on the raw store, and the Secrets suite on `createSecrets` with the SQLite
 * catalog and this store.
 */
import { createSqlCatalog } from "@strongbox/store-sql";
import {
	type AwsEmulator,
	describeSecrets,
	describeSecretsStore,
	inProcessSecretsFixture,
	startAwsEmulator,
} from "@strongbox/testkit";
import { afterAll, beforeAll } from "vitest";
import awsStore from "../src/index.js";
import { emulatorOptions, openStore } from "./helpers.js";

let aws: AwsEmulator;

beforeAll(async () => {
	aws = await startAwsEmulator();
});

afterAll(async () => {
	await aws?.close();
});

describeSecretsStore(awsStore, {
	name: "store aws (emulator)",
	options: () => emulatorOptions(aws),
	raw: {
		async read(id) {
			return aws.rawSecret(`strongbox/${id}`)?.secretString;
		},
	},
	async failBackend() {
		// Every call answers 500 InternalServiceError, past the store's retries.
		const remove = aws.inject({ kind: "error", fraction: 1 });
		return async () => remove();
	},
});

describeSecrets("secrets on aws (emulator, SQLite catalog)", async () =>
	inProcessSecretsFixture({
		catalog: createSqlCatalog({ url: "sqlite::memory:" }),
		store: await openStore(aws),
	}),
);
