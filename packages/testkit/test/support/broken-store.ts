/**
 * A configurable store for proving that the store checks catch bugs: without flaws it
 * is a correct store (shared in-process back-end, deployment-tagged entries, a fault
 * switch); each flaw reproduces one mistake a real store could make.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import {
	defineStore,
	type SecretsStore,
	type StandardSchemaV1,
	type StoreCapabilities,
	type StoredValues,
	StoreUnavailableError,
} from "@strongbox/core";

/** Mistakes a store can make. */
export interface Flaws {
	/** Reads answer `undefined` while the back-end is down (the "not found" anti-pattern). */
	undefinedWhenDown?: boolean;
	/** Failures surface as plain `Error`s instead of typed ones. */
	genericErrors?: boolean;
	/** The unavailable error's message quotes the values being written. */
	leakInError?: boolean;
	/** Every write is logged with its values. */
	leakInLog?: boolean;
	/** The back-end really holds at most this many bytes (declared more). */
	realLimit?: number;
	/** Values go through latin1, mangling anything outside it. */
	latin1?: boolean;
	/** Writes merge into the existing map instead of replacing it. */
	mergeWrites?: boolean;
	/** The version is not stored: reads always say 1. */
	forgetVersion?: boolean;
	/** Entries are not tagged with the deployment id. */
	ignoreDeployment?: boolean;
	/** `delete` answers `true` even when nothing was there. */
	deleteAlwaysTrue?: boolean;
	/** `getMany` silently drops ids after the first ten. */
	bulkTruncates?: boolean;
	/** Deletes are soft: `listIds` still lists deleted ids. */
	listsDeleted?: boolean;
	/** `close` throws when the store was never used. */
	closeNeedsInit?: boolean;
	/** A second write of the same version is refused, like a back-end "already exists". */
	notIdempotent?: boolean;
	/** "Encrypts" with base64 only (the flawless store uses AES-256-GCM). */
	base64AtRest?: boolean;
}

interface Entry {
	text: string;
	version: number;
	deployment: string;
	deleted: boolean;
}

/** The shared back-end of all broken stores of one test file. */
export const backend = { down: false, data: new Map<string, Entry>() };

const anyOptions: StandardSchemaV1<unknown, Record<string, unknown>> = {
	"~standard": { version: 1, vendor: "test", validate: () => ({ value: {} }) },
};

// The flawless store really encrypts (AES-256-GCM), so it passes the at-rest check.
const key = randomBytes(32);

function encode(values: StoredValues["values"], flaws: Flaws): string {
	const mangled = flaws.latin1
		? Object.fromEntries(
				Object.entries(values).map(([k, v]) => [k, Buffer.from(v, "latin1").toString("latin1")]),
			)
		: values;
	const json = JSON.stringify(mangled);
	if (flaws.base64AtRest) return Buffer.from(json).toString("base64");
	const iv = randomBytes(12);
	const cipher = createCipheriv("aes-256-gcm", key, iv);
	const body = Buffer.concat([cipher.update(json, "utf8"), cipher.final()]);
	return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
}

function decode(text: string, flaws: Flaws): StoredValues["values"] {
	const raw = Buffer.from(text, "base64");
	if (flaws.base64AtRest) return JSON.parse(raw.toString());
	const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
	decipher.setAuthTag(raw.subarray(12, 28));
	return JSON.parse(
		Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString(),
	);
}

/** A store definition with the given flaws (none: a correct store). */
export function brokenStore(flaws: Flaws = {}, capabilities: Partial<StoreCapabilities> = {}) {
	return defineStore({
		type: "broken",
		configSchema: anyOptions,
		capabilities: {
			maxValueBytes: 4096,
			bulkGet: true,
			maxBatchSize: 50,
			listIds: true,
			encryptsAtRest: flaws.base64AtRest ?? false,
			...capabilities,
		},
		create(_options, context): SecretsStore {
			let used = false;
			const deployment = flaws.ignoreDeployment ? "any" : context.deploymentId;
			const down = (values?: unknown) => {
				used = true;
				if (!backend.down) return;
				if (flaws.genericErrors) throw new Error("socket hang up");
				const detail = flaws.leakInError && values ? `: ${JSON.stringify(values)}` : "";
				throw new StoreUnavailableError(`[store-broken] unreachable${detail}`);
			};
			const live = (id: string) => {
				const e = backend.data.get(id);
				return e && !e.deleted && e.deployment === deployment ? e : undefined;
			};
			const read = (id: string): StoredValues | undefined => {
				const e = live(id);
				return e
					? { values: decode(e.text, flaws), version: flaws.forgetVersion ? 1 : e.version }
					: undefined;
			};
			return {
				async set(id, values, meta) {
					down(values);
					if (flaws.leakInLog) context.logger.debug("writing", { id, values });
					if (flaws.realLimit !== undefined && JSON.stringify(values).length > flaws.realLimit) {
						throw new Error("ValidationException: value too long");
					}
					const prev = live(id);
					if (flaws.notIdempotent && prev?.version === meta.version) {
						throw new Error("ResourceExistsException");
					}
					const next =
						flaws.mergeWrites && prev ? { ...decode(prev.text, flaws), ...values } : values;
					backend.data.set(id, {
						text: encode(next, flaws),
						version: meta.version,
						deployment,
						deleted: false,
					});
				},
				async get(id) {
					if (backend.down && flaws.undefinedWhenDown) return undefined;
					down();
					return read(id);
				},
				async getMany(ids) {
					down();
					const out = new Map<string, StoredValues>();
					for (const id of flaws.bulkTruncates ? ids.slice(0, 10) : ids) {
						const stored = read(id);
						if (stored) out.set(id, stored);
					}
					return out;
				},
				async delete(id) {
					down();
					const e = live(id);
					if (e) {
						if (flaws.listsDeleted) e.deleted = true;
						else backend.data.delete(id);
					}
					return flaws.deleteAlwaysTrue ? true : e !== undefined;
				},
				async *listIds() {
					down();
					for (const [id, e] of backend.data) {
						if (e.deployment === deployment && (!e.deleted || flaws.listsDeleted)) yield id;
					}
				},
				async verify() {
					down();
				},
				async close() {
					if (flaws.closeNeedsInit && !used) throw new Error("close before connect");
				},
			};
		},
	});
}

/** The suite options matching {@link backend}: raw reads and the fault switch. */
export const brokenStoreHooks = {
	options: () => ({}),
	raw: {
		async read(id: string) {
			return backend.data.get(id)?.text;
		},
	},
	async failBackend() {
		backend.down = true;
		return async () => {
			backend.down = false;
		};
	},
};
