/**
 * `@strongbox/store-custom-template`: Strongbox secret values in one encrypted JSON file
 * on the local disk. A small single-host store, written to be read and copied: the
 * README's "Publish your own Strongbox store" is the guide to writing one.
 *
 * Each entry is the values of one secret id, sealed with AES-256-GCM (random nonce,
 * associated data = deployment, secret id, version and key id) and kept under the id of
 * the deployment that wrote it. Writes replace the file atomically (temporary file, then
 * rename), one at a time per process and, through a lock file, across processes of one
 * host. Not for servers with replicas: use a shared back-end (`sql`, a cloud store).
 *
 * Install: `pnpm add @strongbox/store-custom-template @strongbox/core`
 *
 * @packageDocumentation
 */
import { defineStore, type StoreContext } from "@strongbox/core";
import { STORE_TYPE } from "./errors.js";
import { type CustomTemplateStoreOptions, configSchema, SECRET_OPTIONS } from "./options.js";
import { createCustomTemplateStore } from "./store.js";

export { FORMAT } from "./file.js";
export { type CustomTemplateStoreOptions, configSchema, SECRET_OPTIONS } from "./options.js";
export { createCustomTemplateStore, storeFilePath } from "./store.js";

/** The store definition (`type: "custom-template"`); also the package's default export. */
export const customTemplateStore = defineStore<CustomTemplateStoreOptions>({
	type: STORE_TYPE,
	configSchema,
	secretOptions: SECRET_OPTIONS,
	capabilities: {
		// Every write rewrites the whole file: keep single secrets small.
		maxValueBytes: 256 * 1024,
		// One file read answers any number of ids.
		bulkGet: true,
		maxBatchSize: 1000,
		listIds: true,
		encryptsAtRest: true,
	},
	create: (options: CustomTemplateStoreOptions, context: StoreContext) =>
		createCustomTemplateStore(options, context),
});

export default customTemplateStore;
