/**
 * `@strongbox/store-aws`: Strongbox values in AWS Secrets Manager.
 *
 * Each Strongbox secret id becomes one AWS secret named `<prefix><id>` (default
 * `strongbox/<id>`), holding core's JSON payload (the values, `$version`, `$owner`) in
 * `SecretString` and tagged `strongbox:deployment` / `strongbox:secret-id`. Names,
 * scopes and listings stay in the catalog; AWS only ever sees the UUID.
 *
 * Install: `pnpm add @strongbox/store-aws` (next to `@strongbox/core`).
 *
 * @packageDocumentation
 */
import { defineStore, PAYLOAD_OVERHEAD } from "@strongbox/core";
import { type AwsStoreOptions, configSchema } from "./options.js";
import { createAwsStore } from "./store.js";

export { requestToken } from "./naming.js";
export type { AwsCredentialsOption, AwsRetryOptions, AwsStoreOptions } from "./options.js";
export { DEFAULT_PREFIX, DEPLOYMENT_TAG, SECRET_ID_TAG } from "./options.js";

/** The largest `SecretString` AWS Secrets Manager accepts, in bytes. */
export const AWS_SECRET_STRING_LIMIT = 65_536;

/** The AWS Secrets Manager store definition (`type: "aws"`). */
export const awsStore = defineStore<AwsStoreOptions>({
	type: "aws",
	configSchema,
	secretOptions: ["credentials", "externalId"],
	capabilities: {
		// The payload adds `$version` and `$owner` to the values.
		maxValueBytes: AWS_SECRET_STRING_LIMIT - PAYLOAD_OVERHEAD,
		bulkGet: true,
		// BatchGetSecretValue takes at most 20 ids; core chunks getMany to this size.
		maxBatchSize: 20,
		listIds: true,
		// AWS encrypts with KMS, but the values reach it in clear (as the API sees them).
		encryptsAtRest: false,
	},
	create: (options, context) => createAwsStore(options, context),
});

export default awsStore;
