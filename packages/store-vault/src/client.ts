/**
 * A thin typed wrapper over node-vault: only the calls the store makes, with typed
 * answers, every path segment URL-encoded, and every failure turned into a
 * {@link VaultRequestError} built from the HTTP status and Vault's `errors` array only.
 *
 * Why so careful: node-vault types every call as `any`, leaves paths unencoded (a `#` or
 * `?` in a path silently writes another key), silently falls back to `VAULT_*`
 * variables, logs request bodies through `debug`, and rejects transport failures with
 * the raw axios error whose `config.headers` holds the Vault token. None of those objects
 * may leave this file.
 */
import http from "node:http";
import https from "node:https";
import nodeVault from "node-vault";

/** A node-vault client (`require("node-vault")(options)`). */
export type NodeVaultClient = ReturnType<typeof nodeVault>;

const MAX_ERRORS = 5;
const MAX_ERROR_LENGTH = 300;

/** A failed Vault call: status and Vault's own messages, or a transport error code. Nothing else. */
export class VaultRequestError extends Error {
	/** HTTP status of Vault's answer; absent when no answer arrived. */
	readonly status: number | undefined;
	/** Vault's `errors` array (trimmed). Empty for a plain KV "not found". */
	readonly errors: readonly string[];
	/** Transport error code (`ECONNREFUSED`, `ECONNABORTED`, a TLS code...). */
	readonly code: string | undefined;

	constructor(status: number | undefined, errors: readonly string[], code?: string) {
		const what =
			status === undefined
				? `Vault request failed (${code ?? "no answer"})`
				: `Vault answered ${status}${errors.length > 0 ? `: ${errors.join("; ")}` : ""}`;
		super(what);
		this.name = "VaultRequestError";
		this.status = status;
		this.errors = errors;
		this.code = code;
	}
}

/** Rebuilds any node-vault rejection from its status and `errors` only. */
export function toRequestError(error: unknown): VaultRequestError {
	const e = error as { response?: { statusCode?: unknown; body?: unknown }; code?: unknown } | null;
	const status = e?.response?.statusCode;
	if (typeof status === "number") {
		const body = e?.response?.body as { errors?: unknown } | undefined;
		const list = Array.isArray(body?.errors) ? body.errors : [];
		const errors = list
			.filter((m): m is string => typeof m === "string")
			.slice(0, MAX_ERRORS)
			.map((m) => (m.length > MAX_ERROR_LENGTH ? `${m.slice(0, MAX_ERROR_LENGTH)}…` : m));
		return new VaultRequestError(status, errors);
	}
	const code = typeof e?.code === "string" && /^[A-Z0-9_]{1,64}$/.test(e.code) ? e.code : undefined;
	return new VaultRequestError(undefined, [], code);
}

/** URL-encodes each segment of a Vault path (node-vault sends paths as given). */
export function encodePath(path: string): string {
	return path.split("/").map(encodeURIComponent).join("/");
}

/** A KV v2 read: the live version, a deleted/destroyed latest version, or nothing. */
export type KvRead =
	| {
			state: "live";
			data: Record<string, unknown>;
			version: number;
			customMetadata: Record<string, string> | null;
	  }
	| { state: "deleted"; version: number; customMetadata: Record<string, string> | null }
	| { state: "missing" };

/** A token lease from a login or a renewal. */
export interface TokenLease {
	token: string;
	/** Seconds; 0 = does not expire. */
	leaseDuration: number;
	renewable: boolean;
}

/** What `auth/token/lookup-self` tells about the token (its id is never kept). */
export interface TokenInfo {
	ttl: number;
	renewable: boolean;
	policies: string[];
}

/** Connection settings of a client the wrapper creates. */
export interface ConnectionOptions {
	address: string;
	namespace?: string;
	caCert?: string;
	clientCert?: string;
	clientKey?: string;
	rejectUnauthorized: boolean;
}

/** The calls the store makes. `token` is sent as `X-Vault-Token` on that call only. */
export interface VaultApi {
	kvRead(token: string | undefined, path: string): Promise<KvRead>;
	/** Writes a new version with check-and-set; resolves to the new version number. */
	kvWrite(
		token: string | undefined,
		path: string,
		data: Record<string, string>,
		cas: number,
	): Promise<number>;
	/** A key's `custom_metadata` (`undefined` when the key does not exist). */
	kvReadMetadata(
		token: string | undefined,
		path: string,
	): Promise<{ customMetadata: Record<string, string> | null } | undefined>;
	/** Replaces a key's `custom_metadata` (and sets its `max_versions` when given). */
	kvWriteMetadata(
		token: string | undefined,
		path: string,
		customMetadata: Record<string, string>,
		maxVersions?: number,
	): Promise<void>;
	/** Every version and the metadata (permanent). */
	kvDeleteMetadata(token: string | undefined, path: string): Promise<void>;
	/** Keys under a folder (`[]` when empty). */
	kvList(token: string | undefined, folder: string): Promise<string[]>;
	lookupSelf(token: string | undefined): Promise<TokenInfo>;
	renewSelf(token: string): Promise<TokenLease>;
	appRoleLogin(mountPath: string, roleId: string, secretId: string): Promise<TokenLease>;
	capabilitiesSelf(
		token: string | undefined,
		paths: readonly string[],
	): Promise<Record<string, string[]>>;
	/** Releases the connections of a client the wrapper created. */
	close(): void;
}

function asRecord(value: unknown): Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: {};
}

function customMetadataOf(metadata: Record<string, unknown>): Record<string, string> | null {
	const raw = metadata.custom_metadata;
	if (typeof raw !== "object" || raw === null) return null;
	return Object.fromEntries(
		Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === "string"),
	);
}

function leaseOf(body: unknown): TokenLease {
	const auth = asRecord(asRecord(body).auth);
	if (typeof auth.client_token !== "string" || auth.client_token === "") {
		throw new VaultRequestError(200, ["the answer carried no token"]);
	}
	return {
		token: auth.client_token,
		leaseDuration: typeof auth.lease_duration === "number" ? auth.lease_duration : 0,
		renewable: auth.renewable === true,
	};
}

/** Creates node-vault with every setting explicit, so nothing comes from `VAULT_*` variables. */
function createClient(
	connection: ConnectionOptions,
	timeoutMs: number,
): { client: NodeVaultClient; agents: { destroy(): void }[] } {
	const tls = {
		...(connection.caCert ? { ca: connection.caCert } : {}),
		...(connection.clientCert ? { cert: connection.clientCert, key: connection.clientKey } : {}),
		rejectUnauthorized: connection.rejectUnauthorized,
	};
	const httpAgent = new http.Agent({ keepAlive: true });
	const httpsAgent = new https.Agent({ keepAlive: true, ...tls });
	const client = nodeVault({
		apiVersion: "v1",
		endpoint: connection.address,
		noCustomHTTPVerbs: true,
		// node-vault's `debug` logs request bodies (the secret values) when DEBUG is set.
		debug: () => {},
		// Otherwise VAULT_SKIP_VERIFY would turn certificate checks off behind our back.
		rpDefaults: { strictSSL: true },
		requestOptions: { httpAgent, httpsAgent, timeout: timeoutMs },
	} as Parameters<typeof nodeVault>[0]);
	// node-vault reads VAULT_TOKEN, VAULT_NAMESPACE and VAULT_PREFIX for unset (or empty)
	// options at construction; overwrite what it picked up.
	const mutable = client as unknown as { token?: string; namespace?: string; pathPrefix: string };
	mutable.token = "";
	mutable.namespace = connection.namespace;
	mutable.pathPrefix = "";
	return { client, agents: [httpAgent, httpsAgent] };
}

/** Options of {@link createVaultApi}. */
export interface VaultApiOptions {
	/** A ready client, used as is; otherwise one is created from `connection`. */
	client?: NodeVaultClient;
	connection?: ConnectionOptions;
	/** Namespace header for an injected client (a created client carries it itself). */
	namespace?: string;
	timeoutMs: number;
}

/** The typed wrapper. */
export function createVaultApi(options: VaultApiOptions): VaultApi {
	const created = options.client ? undefined : createClient(options.connection!, options.timeoutMs);
	const client = options.client ?? created!.client;

	function requestOptions(token: string | undefined): Record<string, unknown> {
		const headers: Record<string, string> = {};
		if (token) headers["X-Vault-Token"] = token;
		if (options.client && options.namespace) headers["X-Vault-Namespace"] = options.namespace;
		return { headers, timeout: options.timeoutMs };
	}

	async function run<T>(call: () => Promise<T>): Promise<T> {
		try {
			return await call();
		} catch (error) {
			// The original (an axios error holding the token) is dropped here, on purpose.
			throw toRequestError(error);
		}
	}

	return {
		async kvRead(token, path) {
			try {
				const body = asRecord(await client.read(encodePath(path), requestOptions(token)));
				const data = asRecord(body.data);
				const metadata = asRecord(data.metadata);
				return {
					state: "live",
					data: asRecord(data.data),
					version: Number(metadata.version) || 0,
					customMetadata: customMetadataOf(metadata),
				};
			} catch (error) {
				const failure = toRequestError(error);
				if (failure.status === 404 && failure.errors.length === 0) {
					// A deleted or destroyed latest version is a 404 that still carries its metadata.
					const body = asRecord((error as { response?: { body?: unknown } }).response?.body);
					const metadata = asRecord(asRecord(body.data).metadata);
					if (typeof metadata.version === "number") {
						return {
							state: "deleted",
							version: metadata.version,
							customMetadata: customMetadataOf(metadata),
						};
					}
					return { state: "missing" };
				}
				throw failure;
			}
		},
		async kvWrite(token, path, data, cas) {
			const body = asRecord(
				await run(() =>
					client.write(encodePath(path), { data, options: { cas } }, requestOptions(token)),
				),
			);
			return Number(asRecord(body.data).version) || 0;
		},
		async kvReadMetadata(token, path) {
			try {
				const body = asRecord(await client.read(encodePath(path), requestOptions(token)));
				return { customMetadata: customMetadataOf(asRecord(body.data)) };
			} catch (error) {
				const failure = toRequestError(error);
				if (failure.status === 404 && failure.errors.length === 0) return undefined;
				throw failure;
			}
		},
		async kvWriteMetadata(token, path, customMetadata, maxVersions) {
			const body = {
				custom_metadata: customMetadata,
				...(maxVersions === undefined ? {} : { max_versions: maxVersions }),
			};
			await run(() => client.write(encodePath(path), body, requestOptions(token)));
		},
		async kvDeleteMetadata(token, path) {
			await run(() => client.delete(encodePath(path), requestOptions(token)));
		},
		async kvList(token, folder) {
			try {
				// GET ?list=true instead of the LIST verb, whatever the client's settings.
				const body = asRecord(
					await client.read(`${encodePath(folder)}?list=true`, requestOptions(token)),
				);
				const keys = asRecord(body.data).keys;
				return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : [];
			} catch (error) {
				const failure = toRequestError(error);
				if (failure.status === 404 && failure.errors.length === 0) return [];
				throw failure;
			}
		},
		async lookupSelf(token) {
			const data = asRecord(
				asRecord(await run(() => client.read("auth/token/lookup-self", requestOptions(token))))
					.data,
			);
			return {
				ttl: typeof data.ttl === "number" ? data.ttl : 0,
				renewable: data.renewable === true,
				policies: Array.isArray(data.policies)
					? data.policies.filter((p): p is string => typeof p === "string")
					: [],
			};
		},
		async renewSelf(token) {
			return leaseOf(
				await run(() => client.write("auth/token/renew-self", {}, requestOptions(token))),
			);
		},
		async appRoleLogin(mountPath, roleId, secretId) {
			const body = await run(() =>
				client.write(
					`auth/${encodePath(mountPath)}/login`,
					{ role_id: roleId, secret_id: secretId },
					requestOptions(undefined),
				),
			);
			return leaseOf(body);
		},
		async capabilitiesSelf(token, paths) {
			const body = asRecord(
				await run(() => client.write("sys/capabilities-self", { paths }, requestOptions(token))),
			);
			const data = asRecord(body.data);
			const out: Record<string, string[]> = {};
			for (const path of paths) {
				const caps = data[path] ?? body[path];
				out[path] = Array.isArray(caps)
					? caps.filter((c): c is string => typeof c === "string")
					: [];
			}
			return out;
		},
		close() {
			for (const agent of created?.agents ?? []) agent.destroy();
		},
	};
}
