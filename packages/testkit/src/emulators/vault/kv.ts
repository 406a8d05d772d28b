/**
 * The KV version 2 engine of one mount (in one namespace), following Vault's KV v2 API
 * documentation and the plugin's own checks (vault-plugin-secrets-kv): check-and-set,
 * versions with soft delete / undelete / destroy, `max_versions`, custom metadata limits,
 * JSON merge patch, and listing by folder.
 */

/** One version of a key. `data` is `null` once destroyed. */
export interface KvVersion {
	data: Record<string, unknown> | null;
	createdTime: string;
	/** Empty, or the time the version counts as deleted from. */
	deletionTime: string;
	destroyed: boolean;
}

/** A key's metadata and versions. */
export interface KvKey {
	createdTime: string;
	updatedTime: string;
	currentVersion: number;
	oldestVersion: number;
	maxVersions: number;
	casRequired: boolean;
	/** Seconds; 0 = never. */
	deleteVersionAfter: number;
	customMetadata: Record<string, string> | null;
	versions: Map<number, KvVersion>;
}

/** Mount-level settings (`<mount>/config`). */
export interface KvConfig {
	maxVersions: number;
	casRequired: boolean;
	deleteVersionAfter: number;
}

/** A Vault error answer: status plus the `errors` array, or a full body (404 with metadata). */
export class KvError extends Error {
	constructor(
		readonly status: number,
		readonly errors: string[],
		readonly body?: unknown,
	) {
		super(errors[0] ?? `status ${status}`);
	}
}

/** Vault keeps 10 versions when neither the key nor the mount sets `max_versions`. */
const DEFAULT_MAX_VERSIONS = 10;
const MAX_CUSTOM_METADATA_KEYS = 64;
const MAX_CUSTOM_METADATA_KEY_LENGTH = 128;
const MAX_CUSTOM_METADATA_VALUE_LENGTH = 512;
const CUSTOM_METADATA_ERROR = "custom_metadata validation failed";
const CAS_MISMATCH = "check-and-set parameter did not match the current version";
const CAS_REQUIRED = "check-and-set parameter required for this call";

const notFound = () => new KvError(404, []);
const bad = (message: string) => new KvError(400, [message]);

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Go `time.Duration` string of whole seconds, as Vault prints `delete_version_after`. */
export function formatDuration(seconds: number): string {
	if (seconds === 0) return "0s";
	const h = Math.floor(seconds / 3600);
	const m = Math.floor((seconds % 3600) / 60);
	const s = seconds % 60;
	return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${s}s`;
}

/** Parses `"3h25m19s"`, `"90s"` or a number of seconds. */
export function parseDuration(value: unknown): number {
	if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
	if (typeof value === "string") {
		if (/^\d+$/.test(value)) return Number(value);
		const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
		if (match && value !== "") {
			return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
		}
	}
	throw bad(`invalid duration ${JSON.stringify(String(value)).slice(0, 40)}`);
}

function printable(text: string): boolean {
	// biome-ignore lint/suspicious/noControlCharactersInRegex: unprintable characters are what Vault refuses.
	return !/[\u0000-\u001f\u007f]/.test(text);
}

/** `custom_metadata` checks of the KV plugin (count, key and value length in bytes, printable). */
function parseCustomMetadata(raw: unknown, allowNull: boolean): Record<string, string | null> {
	if (!isObject(raw)) throw bad(`${CUSTOM_METADATA_ERROR}: expected a map`);
	const out: Record<string, string | null> = {};
	for (const [key, value] of Object.entries(raw)) {
		if (value === null && allowNull) out[key] = null;
		else if (["string", "number", "boolean"].includes(typeof value)) out[key] = String(value);
		else
			throw bad(`${CUSTOM_METADATA_ERROR}: got unconvertible type for key ${JSON.stringify(key)}`);
	}
	const entries = Object.entries(out).filter(([, v]) => v !== null) as [string, string][];
	if (entries.length > MAX_CUSTOM_METADATA_KEYS) {
		throw bad(
			`${CUSTOM_METADATA_ERROR}: payload must contain at most ${MAX_CUSTOM_METADATA_KEYS} keys, provided ${entries.length}`,
		);
	}
	const errors: string[] = [];
	for (const [key, value] of entries) {
		const keyLength = Buffer.byteLength(key);
		const valueLength = Buffer.byteLength(value);
		if (keyLength === 0 || keyLength > MAX_CUSTOM_METADATA_KEY_LENGTH) {
			errors.push(
				`length of key ${JSON.stringify(key)} is ${keyLength} but must be 0 < len(key) <= ${MAX_CUSTOM_METADATA_KEY_LENGTH}`,
			);
		}
		if (valueLength === 0 || valueLength > MAX_CUSTOM_METADATA_VALUE_LENGTH) {
			errors.push(
				`length of value for key ${JSON.stringify(key)} is ${valueLength} but must be 0 < len(value) <= ${MAX_CUSTOM_METADATA_VALUE_LENGTH}`,
			);
		}
		if (!printable(key)) errors.push(`key ${JSON.stringify(key)} contains unprintable characters`);
		if (!printable(value))
			errors.push(`value for key ${JSON.stringify(key)} contains unprintable characters`);
	}
	if (errors.length > 0)
		throw new KvError(
			400,
			errors.map((e) => `${CUSTOM_METADATA_ERROR}: ${e}`),
		);
	return out;
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
	if (!isObject(patch)) return patch;
	const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
	for (const [key, value] of Object.entries(patch)) {
		if (value === null) delete out[key];
		else out[key] = mergePatch(out[key], value);
	}
	return out;
}

/** One KV v2 mount. `now` is the emulator's clock. */
export class KvMount {
	readonly keys = new Map<string, KvKey>();
	readonly config: KvConfig = { maxVersions: 0, casRequired: false, deleteVersionAfter: 0 };

	constructor(
		private readonly now: () => Date,
		private readonly maxEntryBytes: number,
	) {}

	private stamp(): string {
		return this.now().toISOString();
	}

	private isDeleted(version: KvVersion): boolean {
		return (
			version.destroyed ||
			(version.deletionTime !== "" && Date.parse(version.deletionTime) <= this.now().getTime())
		);
	}

	private versionMetadata(key: KvKey, number: number, version: KvVersion) {
		return {
			created_time: version.createdTime,
			custom_metadata: key.customMetadata,
			deletion_time: version.deletionTime,
			destroyed: version.destroyed,
			version: number,
		};
	}

	/** Whether the key has metadata (Vault's existence check: `create` vs `update`). */
	exists(path: string): boolean {
		return this.keys.has(path);
	}

	private newKey(): KvKey {
		const now = this.stamp();
		return {
			createdTime: now,
			updatedTime: now,
			currentVersion: 0,
			oldestVersion: 0,
			maxVersions: 0,
			casRequired: false,
			deleteVersionAfter: 0,
			customMetadata: null,
			versions: new Map(),
		};
	}

	private checkCas(key: KvKey | undefined, options: unknown): void {
		const cas = isObject(options) ? options.cas : undefined;
		const required = (key?.casRequired ?? false) || this.config.casRequired;
		if (cas === undefined || cas === null) {
			if (required) throw bad(CAS_REQUIRED);
			return;
		}
		if (typeof cas !== "number" || !Number.isInteger(cas) || cas < 0) {
			throw bad("invalid check-and-set parameter");
		}
		if (cas !== (key?.currentVersion ?? 0)) throw bad(CAS_MISMATCH);
	}

	private addVersion(path: string, key: KvKey, data: Record<string, unknown>) {
		const size = Buffer.byteLength(JSON.stringify(data));
		if (size > this.maxEntryBytes) {
			throw new KvError(413, [
				`put failed due to value being too large, max value size for key ${path} is ${this.maxEntryBytes}, got ${size}`,
			]);
		}
		const now = this.stamp();
		const after = key.deleteVersionAfter || this.config.deleteVersionAfter;
		const number = key.currentVersion + 1;
		const version: KvVersion = {
			data,
			createdTime: now,
			deletionTime: after > 0 ? new Date(this.now().getTime() + after * 1000).toISOString() : "",
			destroyed: false,
		};
		key.versions.set(number, version);
		key.currentVersion = number;
		key.updatedTime = now;
		const max = key.maxVersions || this.config.maxVersions || DEFAULT_MAX_VERSIONS;
		const kept = [...key.versions.keys()].sort((a, b) => a - b);
		while (kept.length > max) key.versions.delete(kept.shift()!);
		if (kept.length > 0 && kept[0]! > 1) key.oldestVersion = kept[0]!;
		this.keys.set(path, key);
		return this.versionMetadata(key, number, version);
	}

	/** `POST|PUT <mount>/data/<path>`. */
	write(path: string, body: Record<string, unknown>) {
		if (!isObject(body.data)) throw bad("no data provided");
		const existing = this.keys.get(path);
		this.checkCas(existing, body.options);
		return this.addVersion(path, existing ?? this.newKey(), body.data);
	}

	/** `PATCH <mount>/data/<path>` (merge patch on the latest live version). */
	patch(path: string, body: Record<string, unknown>) {
		if (!isObject(body.data)) throw bad("no data provided");
		const key = this.keys.get(path);
		const current = key?.versions.get(key.currentVersion);
		if (!key || !current || this.isDeleted(current)) throw notFound();
		this.checkCas(key, body.options);
		const data = mergePatch(current.data, body.data) as Record<string, unknown>;
		return this.addVersion(path, key, data);
	}

	/** `GET <mount>/data/<path>[?version=N]`. */
	read(path: string, versionParam: string | null) {
		const key = this.keys.get(path);
		if (!key) throw notFound();
		let number = key.currentVersion;
		if (versionParam !== null && versionParam !== "" && versionParam !== "0") {
			number = Number(versionParam);
			if (!Number.isInteger(number) || number < 0) throw bad("invalid version");
		}
		const version = key.versions.get(number);
		if (!version) throw notFound();
		const metadata = this.versionMetadata(key, number, version);
		if (this.isDeleted(version)) {
			// Vault answers 404 but still returns the version's metadata.
			throw new KvError(404, [], { data: { data: null, metadata } });
		}
		return { data: structuredClone(version.data), metadata };
	}

	/** `DELETE <mount>/data/<path>`: soft delete of the latest version. */
	deleteLatest(path: string): void {
		const key = this.keys.get(path);
		const version = key?.versions.get(key.currentVersion);
		if (key && version && !this.isDeleted(version)) {
			version.deletionTime = this.stamp();
			key.updatedTime = version.deletionTime;
		}
	}

	private versionList(body: Record<string, unknown>): number[] {
		const versions = body.versions;
		if (!Array.isArray(versions) || versions.length === 0) throw bad("no version number provided");
		return versions.map((v) => Number(v));
	}

	/** `POST <mount>/delete/<path>`, `.../undelete/...`, `.../destroy/...`. */
	changeVersions(
		path: string,
		action: "delete" | "undelete" | "destroy",
		body: Record<string, unknown>,
	): void {
		const numbers = this.versionList(body);
		const key = this.keys.get(path);
		if (!key) return;
		for (const number of numbers) {
			const version = key.versions.get(number);
			if (!version) continue;
			if (action === "destroy") {
				version.destroyed = true;
				version.data = null;
			} else if (action === "delete") {
				if (!this.isDeleted(version)) version.deletionTime = this.stamp();
			} else if (!version.destroyed) {
				version.deletionTime = "";
			}
		}
		key.updatedTime = this.stamp();
	}

	/** `GET <mount>/metadata/<path>`. */
	readMetadata(path: string) {
		const key = this.keys.get(path);
		if (!key) throw notFound();
		const versions: Record<string, unknown> = {};
		for (const [number, v] of key.versions) {
			versions[String(number)] = {
				created_time: v.createdTime,
				deletion_time: v.deletionTime,
				destroyed: v.destroyed,
			};
		}
		return {
			cas_required: key.casRequired,
			created_time: key.createdTime,
			current_version: key.currentVersion,
			custom_metadata: key.customMetadata,
			delete_version_after: formatDuration(key.deleteVersionAfter),
			max_versions: key.maxVersions,
			oldest_version: key.oldestVersion,
			updated_time: key.updatedTime,
			versions,
		};
	}

	private settings(body: Record<string, unknown>) {
		const out: Partial<Pick<KvKey, "maxVersions" | "casRequired" | "deleteVersionAfter">> = {};
		if (body.max_versions !== undefined) {
			const max = Number(body.max_versions);
			if (!Number.isInteger(max) || max < 0)
				throw bad("max_versions must be a non-negative integer");
			out.maxVersions = max;
		}
		if (body.cas_required !== undefined)
			out.casRequired = body.cas_required === true || body.cas_required === "true";
		if (body.delete_version_after !== undefined)
			out.deleteVersionAfter = parseDuration(body.delete_version_after);
		return out;
	}

	/** `POST <mount>/metadata/<path>`: settings, and `custom_metadata` replaced. */
	writeMetadata(path: string, body: Record<string, unknown>): void {
		const settings = this.settings(body);
		const custom =
			body.custom_metadata === undefined
				? undefined
				: (parseCustomMetadata(body.custom_metadata, false) as Record<string, string>);
		// Vault's fast path: nothing to set, nothing created.
		if (Object.keys(settings).length === 0 && custom === undefined) return;
		const key = this.keys.get(path) ?? this.newKey();
		Object.assign(key, settings);
		if (custom !== undefined) key.customMetadata = custom;
		key.updatedTime = this.stamp();
		this.keys.set(path, key);
	}

	/** `PATCH <mount>/metadata/<path>`: settings, and `custom_metadata` merged (`null` removes). */
	patchMetadata(path: string, body: Record<string, unknown>): void {
		const key = this.keys.get(path);
		const settings = this.settings(body);
		const custom =
			body.custom_metadata === undefined
				? undefined
				: parseCustomMetadata(body.custom_metadata, true);
		if (!key) throw notFound();
		Object.assign(key, settings);
		if (custom !== undefined) {
			key.customMetadata = mergePatch(key.customMetadata ?? {}, custom) as Record<string, string>;
		}
		key.updatedTime = this.stamp();
	}

	/** `DELETE <mount>/metadata/<path>`: every version and the metadata, permanently. */
	deleteMetadata(path: string): void {
		this.keys.delete(path);
	}

	/** `LIST <mount>/metadata/<prefix>/`: direct children, folders ending in `/`. */
	list(prefix: string): string[] {
		const folder = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
		const out = new Set<string>();
		for (const path of this.keys.keys()) {
			if (!path.startsWith(folder)) continue;
			const rest = path.slice(folder.length);
			const slash = rest.indexOf("/");
			out.add(slash === -1 ? rest : rest.slice(0, slash + 1));
		}
		out.delete("");
		if (out.size === 0) throw notFound();
		return [...out].sort();
	}

	/** `GET <mount>/config`. */
	readConfig() {
		return {
			cas_required: this.config.casRequired,
			delete_version_after: formatDuration(this.config.deleteVersionAfter),
			max_versions: this.config.maxVersions,
		};
	}

	/** `POST <mount>/config`. */
	writeConfig(body: Record<string, unknown>): void {
		Object.assign(this.config, this.settings(body));
	}
}
