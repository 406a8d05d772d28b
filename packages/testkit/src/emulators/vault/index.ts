/**
 * A HashiCorp Vault / OpenBao emulator speaking Vault's HTTP API (`/v1/...`,
 * `X-Vault-Token`, `X-Vault-Namespace` or path-prefixed namespaces) on loopback: KV v2
 * mounts, tokens with TTLs on a controllable clock, AppRole login, ACL policies,
 * `sys/health`, `sys/capabilities-self`, and faults answered as Vault does (429 with
 * `Retry-After`, 5xx with `{"errors":[...]}`).
 *
 * `node:http` cannot receive the `LIST` verb (its parser refuses it before any handler
 * runs), so listing is served as `GET ...?list=true`; a `LIST` request gets a clean 400
 * with `Connection: close` (see research/emulation.md, "The LIST verb problem").
 */
import { randomBytes } from "node:crypto";
import { type EmulatorControls, FaultPlan } from "../faults.js";
import { startServer } from "../http.js";
import { generateTestCertificates } from "../tls.js";
import {
	Acl,
	TokenStore,
	type VaultAppRoleSpec,
	type VaultPolicy,
	type VaultTokenSpec,
} from "./auth.js";
import { createHandler, rejectUnparsable, trimSlashes } from "./handler.js";
import type { KvMount } from "./kv.js";

export type { VaultAppRoleSpec, VaultCapability, VaultPolicy, VaultTokenSpec } from "./auth.js";

/** Options of {@link startVaultEmulator}. */
export interface VaultEmulatorOptions {
	/** KV v2 mount paths. @default ["secret"] */
	mounts?: string[];
	/** Extra tokens besides the root token. */
	tokens?: Record<string, VaultTokenSpec>;
	/** ACL policies by name (`root` and `default` are built in). */
	policies?: Record<string, VaultPolicy>;
	/** Enables AppRole login with this role. */
	approle?: VaultAppRoleSpec;
	/**
	 * Accept namespaces (`X-Vault-Namespace` header or a path prefix); each namespace gets
	 * its own copy of every mount. When off, the header is ignored. @default false
	 */
	namespaces?: boolean;
	/**
	 * Serve HTTPS: `true` for a throwaway CA and loopback certificate generated at start
	 * (the Azure emulator's generator; the CA is then on `VaultEmulator.ca`), or your own
	 * key and certificate (PEM), with `ca` + `requestClientCert` to require client certificates.
	 * @default false (plain HTTP)
	 */
	tls?: boolean | { key: string; cert: string; ca?: string; requestClientCert?: boolean };
	/** @default a random `hvs.` token */
	rootToken?: string;
	/** Largest stored version (bytes of its data JSON); integrated storage's default entry limit. @default 1048576 */
	maxEntryBytes?: number;
	/** Vault's `max_request_size`. @default 33554432 */
	maxRequestBytes?: number;
	/**
	 * `manual` stops the clock at start-up: time then moves only through `advanceTime`, so
	 * TTL assertions are exact. @default "system"
	 */
	clock?: "system" | "manual";
	/** Random source of fractional faults, for reproducible runs. @default Math.random */
	random?: () => number;
}

/** What {@link VaultEmulator.rawSecret} returns: the stored version, whatever its state. */
export interface RawVaultSecret {
	data: Record<string, unknown> | null;
	version: number;
	currentVersion: number;
	customMetadata: Record<string, string> | null;
	deleted: boolean;
	destroyed: boolean;
	/** Version numbers still held. */
	versions: number[];
}

/** A running Vault emulator. */
export interface VaultEmulator extends EmulatorControls {
	/** `http://127.0.0.1:<port>` (or `https://`): the `address` / `endpoint` to give clients. */
	readonly endpoint: string;
	readonly rootToken: string;
	/** The generated test CA (PEM) when started with `tls: true`: what clients must trust. */
	readonly ca: string | undefined;
	/** A stored key (latest version unless `version` is given), or `undefined`. */
	rawSecret(
		mount: string,
		path: string,
		options?: { namespace?: string; version?: number },
	): RawVaultSecret | undefined;
	/** Every key path held in a mount. */
	rawKeys(mount: string, options?: { namespace?: string }): string[];
	addToken(token: string, spec?: VaultTokenSpec): void;
	revokeToken(token: string): boolean;
	/** Live tokens (root, configured and issued by AppRole logins), oldest first. */
	liveTokens(): string[];
	/** Seconds left (0 = never expires), or `undefined` when the token is not live. */
	tokenTtl(token: string): number | undefined;
	/** Moves the emulator's clock (token TTLs, `delete_version_after`). */
	advanceTime(seconds: number): void;
	/** While sealed every call but `sys/health` answers 503 `Vault is sealed`. */
	seal(): void;
	unseal(): void;
	close(): Promise<void>;
}

/** Starts a Vault emulator on a free loopback port. */
export async function startVaultEmulator(
	options: VaultEmulatorOptions = {},
): Promise<VaultEmulator> {
	const mounts = [...(options.mounts ?? ["secret"])]
		.map(trimSlashes)
		.sort((a, b) => b.length - a.length);
	const maxEntryBytes = options.maxEntryBytes ?? 1024 * 1024;
	const maxRequestBytes = options.maxRequestBytes ?? 32 * 1024 * 1024;
	const rootToken = options.rootToken ?? `hvs.${randomBytes(18).toString("base64url")}`;
	const plan = new FaultPlan(options.random);
	let offsetMs = 0;
	let sealed = false;
	const started = Date.now();
	const now = () => (options.clock === "manual" ? started : Date.now()) + offsetMs;
	const tokens = new TokenStore(now);
	tokens.add(rootToken, { policies: ["root"] });
	for (const [id, spec] of Object.entries(options.tokens ?? {})) tokens.add(id, spec);
	const acl = new Acl(options.policies ?? {});
	const stores = new Map<string, KvMount>();

	const handle = createHandler({
		mounts,
		namespaces: options.namespaces === true,
		approle: options.approle,
		plan,
		tokens,
		acl,
		stores,
		maxEntryBytes,
		maxRequestBytes,
		now,
		sealed: () => sealed,
	});

	const generated = options.tls === true ? await generateTestCertificates() : undefined;
	const own = typeof options.tls === "object" ? options.tls : undefined;
	const tls = own ?? generated;
	const server = await startServer(handle, {
		...(tls
			? {
					tls: {
						key: tls.key,
						cert: tls.cert,
						...(own?.ca ? { ca: own.ca } : {}),
						...(own?.requestClientCert ? { requestCert: true, rejectUnauthorized: true } : {}),
					},
				}
			: {}),
		onClientError: rejectUnparsable(plan),
	});

	function rawSecret(
		mount: string,
		path: string,
		opts: { namespace?: string; version?: number } = {},
	) {
		const key = stores
			.get(`${trimSlashes(opts.namespace ?? "")}\u0000${trimSlashes(mount)}`)
			?.keys.get(path);
		if (!key) return undefined;
		const number = opts.version ?? key.currentVersion;
		const version = key.versions.get(number);
		if (!version) return undefined;
		const deletedAt =
			version.deletionTime === "" ? Number.POSITIVE_INFINITY : Date.parse(version.deletionTime);
		return {
			data: structuredClone(version.data),
			version: number,
			currentVersion: key.currentVersion,
			customMetadata: key.customMetadata ? { ...key.customMetadata } : null,
			deleted: deletedAt <= now(),
			destroyed: version.destroyed,
			versions: [...key.versions.keys()].sort((a, b) => a - b),
		};
	}

	return {
		endpoint: server.origin,
		rootToken,
		ca: generated?.ca,
		get calls() {
			return plan.calls;
		},
		count: (operation) => plan.count(operation),
		clearCalls: () => plan.clearCalls(),
		inject: (rule) => plan.inject(rule),
		clearFaults: () => plan.clearFaults(),
		rawSecret,
		rawKeys: (mount, opts = {}) =>
			[
				...(stores
					.get(`${trimSlashes(opts.namespace ?? "")}\u0000${trimSlashes(mount)}`)
					?.keys.keys() ?? []),
			].sort(),
		addToken: (token, spec) => {
			tokens.add(token, spec);
		},
		revokeToken: (token) => tokens.revoke(token),
		liveTokens: () => tokens.list(),
		tokenTtl: (token) => tokens.ttl(token),
		advanceTime: (seconds) => {
			offsetMs += seconds * 1000;
		},
		seal: () => {
			sealed = true;
		},
		unseal: () => {
			sealed = false;
		},
		close: () => server.close(),
	};
}
