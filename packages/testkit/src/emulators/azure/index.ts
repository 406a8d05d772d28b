/**
 * An Azure Key Vault (secrets) emulator: the REST API over HTTPS with a test CA generated
 * at start, the bearer challenge the SDK expects, soft delete with recovery and purge,
 * the service's limits and error codes, and fault injection.
 *
 * @example
 * const emu = await startAzureEmulator();
 * const client = new SecretClient(emu.vaultUrl, emu.credential, {
 *   tlsOptions: { ca: emu.ca },
 *   disableChallengeResourceVerification: true, // the vault is 127.0.0.1, not *.vault.azure.net
 * });
 */
import { randomUUID } from "node:crypto";
import type { EmulatorControls } from "../faults.js";
import { FaultPlan } from "../faults.js";
import { startServer } from "../http.js";
import { generateTestCertificates } from "../tls.js";
import type { KeyVaultPermission } from "./routes.js";
import { type AzureRequestRecord, createHandler } from "./server.js";
import { type StoredSecret, Vault } from "./vault.js";

export { MAX_VALUE_BYTES as AZURE_MAX_VALUE_BYTES } from "./limits.js";
export type { KeyVaultPermission } from "./routes.js";
export type { AzureRequestRecord } from "./server.js";

/** Options of {@link startAzureEmulator}. */
export interface AzureEmulatorOptions {
	/** Deleted secrets stay recoverable for `recoverableDays`. @default true */
	softDelete?: boolean;
	/** Deleted secrets cannot be purged (403). @default false */
	purgeProtection?: boolean;
	/** Retention of deleted secrets, 7–90 days. @default 90 */
	recoverableDays?: number;
	/**
	 * How long a delete or a recovery takes before the deleted (or recovered) secret shows
	 * (the SDK's pollers wait for it). @default 0
	 */
	transitionMs?: number;
	/** `Retry-After` of throttled answers, in seconds. @default 1 */
	retryAfterSeconds?: number;
	/** Random source of the fault plan, for reproducible runs. @default Math.random */
	random?: () => number;
}

/** A credential shaped like `@azure/core-auth`'s `TokenCredential`, accepted by the emulator. */
export interface EmulatorTokenCredential {
	getToken(
		scopes: string | string[],
		options?: unknown,
	): Promise<{ token: string; expiresOnTimestamp: number }>;
}

/** What the emulated vault holds for one secret (its latest version), for assertions. */
export interface RawAzureSecret {
	name: string;
	value: string;
	tags: Record<string, string> | undefined;
	contentType: string | undefined;
	enabled: boolean;
	version: string;
	/** How many versions the secret has. */
	versions: number;
}

/** A running emulator. */
export interface AzureEmulator extends EmulatorControls {
	/** `https://127.0.0.1:<port>`. */
	readonly vaultUrl: string;
	/** PEM of the test CA; pass it as the client's `tlsOptions.ca`. */
	readonly ca: string;
	/** A credential for tests (any bearer token is accepted). */
	readonly credential: EmulatorTokenCredential;
	/** The tenant named in the bearer challenge. */
	readonly tenantId: string;
	/** How many tokens `credential` has handed out. */
	readonly tokenRequests: number;
	/** Every request received, oldest first. */
	readonly requests: readonly AzureRequestRecord[];
	/** The live secret of that name (any letter case), or `undefined`. */
	rawSecret(name: string): RawAzureSecret | undefined;
	/** The soft-deleted secret of that name, or `undefined`. */
	rawDeletedSecret(name: string): RawAzureSecret | undefined;
	/** Every live secret. */
	rawSecrets(): RawAzureSecret[];
	/** Writes a version directly, bypassing HTTP (to plant secrets another tool wrote). */
	putRaw(
		name: string,
		value: string,
		options?: { tags?: Record<string, string>; contentType?: string; enabled?: boolean },
	): void;
	/** The secret permissions the caller's access policy grants. @default "all" */
	setPermissions(permissions: readonly KeyVaultPermission[] | "all"): void;
	close(): Promise<void>;
}

const ALL_PERMISSIONS: readonly KeyVaultPermission[] = [
	"get",
	"list",
	"set",
	"delete",
	"recover",
	"purge",
];

function rawOf(secret: StoredSecret): RawAzureSecret {
	const latest = secret.versions.at(-1)!;
	return {
		name: secret.name,
		value: latest.value,
		tags: latest.tags === undefined ? undefined : { ...latest.tags },
		contentType: latest.contentType,
		enabled: latest.enabled,
		version: latest.version,
		versions: secret.versions.length,
	};
}

/** Starts an Azure Key Vault emulator on a free loopback port. */
export async function startAzureEmulator(
	options: AzureEmulatorOptions = {},
): Promise<AzureEmulator> {
	const recoverableDays = options.recoverableDays ?? 90;
	if (!Number.isInteger(recoverableDays) || recoverableDays < 7 || recoverableDays > 90) {
		throw new RangeError("recoverableDays must be an integer between 7 and 90");
	}
	const retryAfterSeconds = options.retryAfterSeconds ?? 1;
	const vault = new Vault({
		softDelete: options.softDelete ?? true,
		purgeProtection: options.purgeProtection ?? false,
		recoverableDays,
		transitionMs: options.transitionMs ?? 0,
	});
	const plan = new FaultPlan(options.random);
	const tenantId = randomUUID();
	const requests: AzureRequestRecord[] = [];
	let permissions = new Set<KeyVaultPermission>(ALL_PERMISSIONS);
	let tokenRequests = 0;
	let origin = "";

	const handle = createHandler({
		vault,
		plan,
		requests,
		tenantId,
		retryAfterSeconds,
		origin: () => origin,
		permissions: () => permissions,
	});
	const certs = await generateTestCertificates();
	const server = await startServer(handle, { tls: { key: certs.key, cert: certs.cert } });
	origin = server.origin;

	return {
		vaultUrl: origin,
		ca: certs.ca,
		tenantId,
		credential: {
			async getToken() {
				tokenRequests++;
				return {
					token: `emulator-token-${tokenRequests}`,
					expiresOnTimestamp: Date.now() + 3_600_000,
				};
			},
		},
		get tokenRequests() {
			return tokenRequests;
		},
		requests,
		get calls() {
			return plan.calls;
		},
		count: (operation) => plan.count(operation),
		clearCalls: () => {
			plan.clearCalls();
			requests.length = 0;
		},
		inject: (rule) => plan.inject(rule),
		clearFaults: () => plan.clearFaults(),
		rawSecret(name) {
			const secret = vault.peek(name);
			return secret ? rawOf(secret) : undefined;
		},
		rawDeletedSecret(name) {
			const entry = vault.peekDeleted(name);
			return entry ? rawOf(entry.secret) : undefined;
		},
		rawSecrets() {
			return vault.names().map((name) => rawOf(vault.peek(name)!));
		},
		putRaw(name, value, putOptions = {}) {
			vault.set(name, {
				value,
				tags: putOptions.tags,
				contentType: putOptions.contentType,
				attributes: { enabled: putOptions.enabled },
			});
		},
		setPermissions(next) {
			permissions = new Set(next === "all" ? ALL_PERMISSIONS : next);
		},
		close: () => server.close(),
	};
}
