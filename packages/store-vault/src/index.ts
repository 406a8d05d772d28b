/**
 * `@strongbox/store-vault`: Strongbox secret values in HashiCorp Vault or OpenBao, KV
 * version 2 secrets engine.
 *
 * The values of secret `<uuid>` live in KV v2 key `<mount>/<prefix><uuid>` (default
 * `secret/strongbox/<uuid>`), data field `payload`: the values' JSON plus `$version`
 * (the catalog version) and `$owner` (the deployment id), checked on every read. The key's
 * `custom_metadata` names the deployment and the secret id for operators. Metadata
 * (names, scopes, owners) stays in the Strongbox catalog. The store never configures
 * the mount.
 *
 * Install: `pnpm add @strongbox/store-vault` (brings `node-vault`).
 *
 * @packageDocumentation
 */
import { defineStore, PAYLOAD_OVERHEAD, type StoreContext } from "@strongbox/core";
import { VAULT_MAX_DATA_BYTES } from "./layout.js";
import { configSchema, SECRET_OPTIONS, type VaultStoreOptions } from "./options.js";
import { createVaultStore } from "./store.js";

export type { NodeVaultClient } from "./client.js";
export {
	DEPLOYMENT_METADATA,
	PAYLOAD_FIELD,
	SECRET_ID_METADATA,
	VAULT_MAX_DATA_BYTES,
} from "./layout.js";
export type { VaultAppRoleOptions, VaultRetryOptions, VaultStoreOptions } from "./options.js";
export { createVaultStore, type VaultStoreInternals } from "./store.js";

/** The Vault store definition (`type: "vault"`). */
export const vaultStore = defineStore<VaultStoreOptions>({
	type: "vault",
	configSchema,
	secretOptions: SECRET_OPTIONS,
	capabilities: {
		// The data map adds `$version` and `$owner` to the values.
		maxValueBytes: VAULT_MAX_DATA_BYTES - PAYLOAD_OVERHEAD,
		bulkGet: false,
		listIds: true,
		encryptsAtRest: false,
	},
	create: (options: VaultStoreOptions, context: StoreContext) => createVaultStore(options, context),
});

export default vaultStore;
