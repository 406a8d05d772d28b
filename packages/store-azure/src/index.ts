/**
 * `@strongbox/store-azure`: keeps the values of each Strongbox secret in Azure Key Vault,
 * as the secret `<prefix><uuid>` (a JSON payload with the values, the catalog version and
 * the owning deployment), tagged `strongbox-deployment` and `strongbox-secret-id`.
 *
 * Install: `npm install @strongbox/store-azure` (plus `@azure/identity` unless you pass
 * your own `credential`).
 *
 * @packageDocumentation
 */
import { defineStore, PAYLOAD_OVERHEAD } from "@strongbox/core";
import { configSchema, SECRET_OPTIONS } from "./options.js";
import { createAzureStore } from "./store.js";

export type { AzureStoreOptions, ServiceVersion } from "./options.js";
export { DEPLOYMENT_TAG, SECRET_ID_TAG } from "./soft-delete.js";
export { CONTENT_TYPE } from "./store.js";

/**
 * Key Vault's limit on a secret value: "a maximum size of 25k bytes"
 * (https://learn.microsoft.com/azure/key-vault/secrets/about-secrets), enforced by the
 * service as 25,600 ("Secret is beyond the maximum permitted length of 25600 characters").
 */
export const AZURE_MAX_SECRET_BYTES = 25_600;

/** The Azure Key Vault store definition (`{ type: "azure" }` in a Strongbox config). */
export const azureStore = defineStore({
	type: "azure",
	configSchema,
	secretOptions: SECRET_OPTIONS,
	capabilities: {
		// The payload adds the version and the deployment id to the values.
		maxValueBytes: AZURE_MAX_SECRET_BYTES - PAYLOAD_OVERHEAD,
		bulkGet: false,
		listIds: true,
		encryptsAtRest: false,
	},
	create: (options, context) => createAzureStore(options, context),
});

export default azureStore;
