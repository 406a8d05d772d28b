/**
 * The emulated vault's state and rules, independent of HTTP: secrets with versions,
 * per-version tags and content type, and soft delete with recovery and purge. The input
 * limits are in `limits.ts`.
 */
import { randomBytes } from "node:crypto";
import { badParameter, KeyVaultError, secretNotFound } from "./errors.js";
import {
	checkContentType,
	checkName,
	checkTags,
	MAX_VALUE_BYTES,
	optionalBoolean,
	optionalSeconds,
} from "./limits.js";

/** One version of a secret. */
export interface SecretVersion {
	/** 32 lower-case hex characters. */
	version: string;
	value: string;
	contentType: string | undefined;
	tags: Record<string, string> | undefined;
	enabled: boolean;
	/** Epoch seconds. */
	notBefore: number | undefined;
	expires: number | undefined;
	created: number;
	updated: number;
}

/** A secret: its name as first written and its versions, oldest first. */
export interface StoredSecret {
	name: string;
	versions: SecretVersion[];
}

/** A soft-deleted secret. */
export interface DeletedEntry {
	secret: StoredSecret;
	/** Epoch seconds. */
	deletedDate: number;
	scheduledPurgeDate: number;
	/** Epoch milliseconds after which the deletion shows in `/deletedsecrets`. */
	visibleAt: number;
}

/** How the vault is configured. */
export interface VaultSettings {
	softDelete: boolean;
	purgeProtection: boolean;
	recoverableDays: number;
	/** How long a delete or a recovery takes to finish (the SDK pollers wait for it). */
	transitionMs: number;
}

/** Attributes accepted by set and update (epoch seconds). */
export interface AttributesInput {
	enabled?: unknown;
	nbf?: unknown;
	exp?: unknown;
}

/** What `PUT /secrets/{name}` and `PATCH` carry. */
export interface SecretInput {
	value?: unknown;
	contentType?: unknown;
	tags?: unknown;
	attributes?: AttributesInput;
}

function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

/** The vault: every rule of the secrets API that the emulator answers with. */
export class Vault {
	readonly settings: VaultSettings;
	/** Live secrets by lower-cased name (names are case-insensitive). */
	private readonly live = new Map<string, StoredSecret>();
	/** Soft-deleted secrets by lower-cased name. */
	private readonly deleted = new Map<string, DeletedEntry>();
	/** Recoveries in flight: lower-cased name → epoch ms when the secret shows again. */
	private readonly recovering = new Map<string, number>();

	constructor(settings: VaultSettings) {
		this.settings = settings;
	}

	/** `Recoverable+Purgeable`, `Recoverable` (purge protection) or `Purgeable` (no soft delete). */
	get recoveryLevel(): string {
		if (!this.settings.softDelete) return "Purgeable";
		return this.settings.purgeProtection ? "Recoverable" : "Recoverable+Purgeable";
	}

	private expireDeleted(): void {
		const now = nowSeconds();
		for (const [key, entry] of this.deleted) {
			if (entry.scheduledPurgeDate <= now) this.deleted.delete(key);
		}
	}

	/** A live secret, or 404; a secret still being recovered is not visible yet. */
	private liveSecret(name: string): StoredSecret {
		checkName(name);
		const key = name.toLowerCase();
		const until = this.recovering.get(key);
		if (until !== undefined) {
			if (Date.now() < until) throw secretNotFound(name);
			this.recovering.delete(key);
		}
		const secret = this.live.get(key);
		if (!secret) throw secretNotFound(name);
		return secret;
	}

	/** Adds a version (creating the secret). 409 while the name is deleted but recoverable. */
	set(name: string, input: SecretInput): { secret: StoredSecret; version: SecretVersion } {
		checkName(name);
		this.expireDeleted();
		const key = name.toLowerCase();
		if (this.deleted.has(key)) {
			throw new KeyVaultError(
				409,
				"Conflict",
				`Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
				"ObjectIsDeletedButRecoverable",
			);
		}
		if (typeof input.value !== "string") {
			throw badParameter("The parameter value is required and must be a string.");
		}
		if (Buffer.byteLength(input.value, "utf8") > MAX_VALUE_BYTES) {
			throw badParameter(
				`Secret is beyond the maximum permitted length of ${MAX_VALUE_BYTES} characters.`,
				"SecretTooLarge",
			);
		}
		const attributes = input.attributes ?? {};
		const now = nowSeconds();
		const version: SecretVersion = {
			version: randomBytes(16).toString("hex"),
			value: input.value,
			contentType: checkContentType(input.contentType),
			tags: checkTags(input.tags),
			enabled: optionalBoolean(attributes.enabled, "enabled") ?? true,
			notBefore: optionalSeconds(attributes.nbf, "nbf"),
			expires: optionalSeconds(attributes.exp, "exp"),
			created: now,
			updated: now,
		};
		// A recovery in flight keeps going: the new version joins the recovered secret.
		let secret = this.live.get(key);
		if (!secret) {
			secret = { name, versions: [] };
			this.live.set(key, secret);
		}
		secret.versions.push(version);
		return { secret, version };
	}

	/** A version (the latest when `version` is empty). 403 SecretDisabled when disabled. */
	get(name: string, version = ""): { secret: StoredSecret; version: SecretVersion } {
		const found = this.find(name, version);
		if (!found.version.enabled) {
			throw new KeyVaultError(
				403,
				"Forbidden",
				"Operation get is not allowed on a disabled secret.",
				"SecretDisabled",
			);
		}
		return found;
	}

	private find(name: string, version: string): { secret: StoredSecret; version: SecretVersion } {
		const secret = this.liveSecret(name);
		const found =
			version === ""
				? secret.versions.at(-1)
				: secret.versions.find((v) => v.version === version.toLowerCase());
		if (!found) throw secretNotFound(`${name}/${version}`);
		return { secret, version: found };
	}

	/** Updates the attributes, tags or content type of one version (never its value). */
	update(
		name: string,
		version: string,
		input: SecretInput,
	): { secret: StoredSecret; version: SecretVersion } {
		const found = this.find(name, version);
		if (input.value !== undefined) throw badParameter("The value of a secret cannot be updated.");
		const target = found.version;
		const contentType = checkContentType(input.contentType);
		const tags = checkTags(input.tags);
		const attributes = input.attributes ?? {};
		const enabled = optionalBoolean(attributes.enabled, "enabled");
		const notBefore = optionalSeconds(attributes.nbf, "nbf");
		const expires = optionalSeconds(attributes.exp, "exp");
		if (contentType !== undefined) target.contentType = contentType;
		if (tags !== undefined) target.tags = tags;
		if (enabled !== undefined) target.enabled = enabled;
		if (notBefore !== undefined) target.notBefore = notBefore;
		if (expires !== undefined) target.expires = expires;
		target.updated = nowSeconds();
		return found;
	}

	/** Live secrets, sorted by name (the latest version of each). */
	list(): { secret: StoredSecret; version: SecretVersion }[] {
		const now = Date.now();
		return [...this.live.entries()]
			.filter(([key]) => (this.recovering.get(key) ?? 0) <= now)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
			.flatMap(([, secret]) => {
				const version = secret.versions.at(-1);
				return version ? [{ secret, version }] : [];
			});
	}

	/** Every version of a live secret, oldest first. */
	versions(name: string): { secret: StoredSecret; version: SecretVersion }[] {
		const secret = this.liveSecret(name);
		return secret.versions.map((version) => ({ secret, version }));
	}

	/** Deletes a secret (every version). Soft-deleted when soft delete is on. */
	delete(name: string): { secret: StoredSecret; version: SecretVersion; entry?: DeletedEntry } {
		const secret = this.liveSecret(name);
		const key = name.toLowerCase();
		const version = secret.versions.at(-1)!;
		this.live.delete(key);
		if (!this.settings.softDelete) return { secret, version };
		const deletedDate = nowSeconds();
		const entry: DeletedEntry = {
			secret,
			deletedDate,
			scheduledPurgeDate: deletedDate + this.settings.recoverableDays * 86_400,
			visibleAt: Date.now() + this.settings.transitionMs,
		};
		this.deleted.set(key, entry);
		return { secret, version, entry };
	}

	/** A deleted secret; 404 until the deletion has finished, like the service. */
	getDeleted(name: string): DeletedEntry {
		checkName(name);
		this.expireDeleted();
		const entry = this.deleted.get(name.toLowerCase());
		if (!entry || Date.now() < entry.visibleAt) throw secretNotFound(name, true);
		return entry;
	}

	/** Deleted secrets whose deletion has finished, sorted by name. */
	listDeleted(): DeletedEntry[] {
		this.expireDeleted();
		const now = Date.now();
		return [...this.deleted.entries()]
			.filter(([, entry]) => entry.visibleAt <= now)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
			.map(([, entry]) => entry);
	}

	/** Purges a deleted secret for good; 403 when the vault has purge protection. */
	purge(name: string): void {
		const entry = this.getDeleted(name);
		if (this.settings.purgeProtection) {
			throw new KeyVaultError(
				403,
				"Forbidden",
				'Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.',
			);
		}
		this.deleted.delete(entry.secret.name.toLowerCase());
	}

	/** Starts recovering a deleted secret; it is live again after the transition time. */
	recover(name: string): { secret: StoredSecret; version: SecretVersion } {
		const entry = this.getDeleted(name);
		const key = entry.secret.name.toLowerCase();
		this.deleted.delete(key);
		this.live.set(key, entry.secret);
		if (this.settings.transitionMs > 0)
			this.recovering.set(key, Date.now() + this.settings.transitionMs);
		return { secret: entry.secret, version: entry.secret.versions.at(-1)! };
	}

	/** Direct read for tests: the live secret of that name (any letter case). */
	peek(name: string): StoredSecret | undefined {
		return this.live.get(name.toLowerCase());
	}

	/** Direct read for tests: whether the name is deleted but recoverable. */
	peekDeleted(name: string): DeletedEntry | undefined {
		this.expireDeleted();
		return this.deleted.get(name.toLowerCase());
	}

	/** Names of every live secret. */
	names(): string[] {
		return [...this.live.values()].map((secret) => secret.name);
	}
}
