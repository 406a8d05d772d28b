/**
 * `@strongbox/store-gcp`: Strongbox secret values in Google Secret Manager.
 *
 * The values of secret `<uuid>` live in Secret Manager secret `<prefix><tag>-<uuid>`
 * (default prefix `strongbox-`; `<tag>` derived from the deployment id) of the configured
 * project, one secret version per write, labelled with the deployment and the secret id. Older versions are destroyed after each write
 * (`keepVersions`). Metadata (names, scopes, owners) stays in the Strongbox catalog.
 *
 * Install: `pnpm add @strongbox/store-gcp` (brings `@google-cloud/secret-manager`,
 * loaded only when the store makes its first call).
 *
 * @packageDocumentation
 */
import { defineStore, PAYLOAD_OVERHEAD, type StoreContext } from "@strongbox/core";
import { configSchema, type GcpStoreOptions, SECRET_OPTIONS } from "./options.js";
import { createGcpStore, GCP_MAX_PAYLOAD_BYTES } from "./store.js";

export type { SecretManagerClient } from "./client.js";
export { DEPLOYMENT_LABEL, deploymentLabel, deploymentTag, SECRET_ID_LABEL } from "./naming.js";
export type { GcpCredentials, GcpRetryOptions, GcpStoreOptions } from "./options.js";
export { createGcpStore, GCP_MAX_PAYLOAD_BYTES } from "./store.js";

/** The GCP store definition (`type: "gcp"`). */
export const gcpStore = defineStore<GcpStoreOptions>({
	type: "gcp",
	configSchema,
	secretOptions: SECRET_OPTIONS,
	capabilities: {
		// The payload adds `$version` and `$owner` to the values' JSON.
		maxValueBytes: GCP_MAX_PAYLOAD_BYTES - PAYLOAD_OVERHEAD,
		bulkGet: false,
		listIds: true,
		encryptsAtRest: false,
	},
	create: (options: GcpStoreOptions, context: StoreContext) => createGcpStore(options, context),
});

export default gcpStore;
