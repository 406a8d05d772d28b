/**
 * Creates the `SecretClient`: the vault URL, the credential (an injected `TokenCredential`,
 * or one from `@azure/identity`, an optional peer imported only when needed), TLS and the
 * service version, with the SDK's own retries turned off (the store retries).
 */
import type { TokenCredential } from "@azure/core-auth";
import { SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets";
import { StoreConfigError } from "@strongbox/core";
import { STORE } from "./errors.js";
import { normalizeVaultUrl, type ResolvedAzureStoreOptions } from "./options.js";

/** The parts of `@azure/identity` the store uses. */
export interface IdentityModule {
	DefaultAzureCredential: new () => TokenCredential;
	ClientSecretCredential: new (
		tenantId: string,
		clientId: string,
		clientSecret: string,
	) => TokenCredential;
	ManagedIdentityCredential: new (options?: { clientId: string }) => TokenCredential;
}

/** Imports a module by name (replaceable in tests, where the package is installed). */
export type Importer = (specifier: string) => Promise<unknown>;

const IDENTITY = "@azure/identity";

/**
 * Loads `@azure/identity`. It is an optional peer dependency: 37 MB with a browser MSAL,
 * needless for users who pass their own `TokenCredential`.
 */
export async function loadIdentity(importer: Importer = (s) => import(s)): Promise<IdentityModule> {
	try {
		return (await importer(IDENTITY)) as IdentityModule;
	} catch (error) {
		const code = (error as { code?: unknown } | null)?.code;
		if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
			throw new StoreConfigError(
				`[store-${STORE}] \`clientSecret\`, \`managedIdentity\` and the default credential need @azure/identity: install @azure/identity (npm install @azure/identity), or pass your own \`credential\`.`,
				{ store: STORE },
			);
		}
		throw new StoreConfigError(`[store-${STORE}] Could not load @azure/identity.`, {
			store: STORE,
			cause: error,
		});
	}
}

/** The credential the options ask for. */
export async function resolveCredential(
	options: ResolvedAzureStoreOptions,
	importer?: Importer,
): Promise<TokenCredential> {
	if (options.credential) return options.credential;
	const identity = await loadIdentity(importer);
	if (options.clientSecret) {
		const { tenantId, clientId, clientSecret } = options.clientSecret;
		return new identity.ClientSecretCredential(tenantId, clientId, clientSecret);
	}
	if (options.managedIdentity) {
		const { clientId } = options.managedIdentity;
		return new identity.ManagedIdentityCredential(
			clientId === undefined ? undefined : { clientId },
		);
	}
	return new identity.DefaultAzureCredential();
}

/** The vault URL the options name. */
export function vaultUrlOf(options: ResolvedAzureStoreOptions): string {
	if (options.vaultUrl !== undefined) return normalizeVaultUrl(options.vaultUrl)!;
	return `https://${options.vaultName!.toLowerCase()}.vault.azure.net`;
}

/** Creates the client (or returns the injected one). */
export async function createClient(
	options: ResolvedAzureStoreOptions,
	importer?: Importer,
): Promise<SecretClient> {
	if (options.client) return options.client;
	const credential = await resolveCredential(options, importer);
	const clientOptions: SecretClientOptions = {
		// One retry policy only: the store's (bounded backoff with jitter, typed errors).
		retryOptions: { maxRetries: 0 },
		userAgentOptions: { userAgentPrefix: "strongbox-store-azure" },
		...(options.serviceVersion === undefined ? {} : { serviceVersion: options.serviceVersion }),
		...(options.tlsOptions === undefined ? {} : { tlsOptions: options.tlsOptions }),
		...(options.disableChallengeResourceVerification
			? { disableChallengeResourceVerification: true }
			: {}),
	};
	return new SecretClient(vaultUrlOf(options), credential, clientOptions);
}
