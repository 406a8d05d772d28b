/**
 * The stored shapes of the emulated Secret Manager, and the pieces its operations share:
 * timestamps, etags, map fields, the version view and cursor pagination.
 */
import { randomBytes } from "node:crypto";
import { encodePageToken } from "./rules.js";

/** A version state. */
export type VersionState = "ENABLED" | "DISABLED" | "DESTROYED";

/** A stored secret version. */
export interface StoredVersion {
	number: number;
	state: VersionState;
	data: Buffer | undefined;
	crc32c: number;
	clientChecksum: boolean;
	createTime: Date;
	destroyTime: Date | undefined;
	etag: string;
	seq: number;
}

/** A stored secret. */
export interface StoredSecret {
	id: string;
	labels: Record<string, string>;
	annotations: Record<string, string>;
	replication: unknown;
	createTime: Date;
	etag: string;
	seq: number;
	versions: StoredVersion[];
}

/** What a test may read of a stored secret. */
export interface RawGcpSecret {
	/** Full resource name (with the project number). */
	name: string;
	labels: Record<string, string>;
	etag: string;
	createTime: Date;
	/** Oldest first. `data` is `undefined` once destroyed. */
	versions: { version: number; state: VersionState; data: Buffer | undefined }[];
}

// biome-ignore lint/suspicious/noExplicitAny: proto-loader objects are dynamic.
export type Req = Record<string, any>;

/** A protobuf Timestamp as proto-loader takes it. */
export function timestamp(date: Date): { seconds: string; nanos: number } {
	const ms = date.getTime();
	return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

/** A new etag, quoted like the service's. */
export function newEtag(): string {
	return `"${randomBytes(7).toString("hex")}"`;
}

/** A map field of a request as plain strings. */
export function stringMap(value: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	if (value && typeof value === "object") {
		for (const [k, v] of Object.entries(value)) out[k] = String(v);
	}
	return out;
}

/** The `SecretVersion` answer for a stored version. */
export function versionView(secretName: string, version: StoredVersion): Req {
	return {
		name: `${secretName}/versions/${version.number}`,
		createTime: timestamp(version.createTime),
		...(version.destroyTime ? { destroyTime: timestamp(version.destroyTime) } : {}),
		state: version.state,
		replicationStatus: { automatic: {} },
		etag: version.etag,
		clientSpecifiedPayloadChecksum: version.clientChecksum,
	};
}

/**
 * One page of `items` (already filtered), newest first, after the item with sequence
 * number `after`. The cursor is a sequence number, so creations and deletions between
 * two pages neither skip nor repeat an item.
 */
export function pageOf<T extends { seq: number }>(
	items: T[],
	size: number,
	after: number | undefined,
	filter: string,
): { page: T[]; nextPageToken: string } {
	const sorted = [...items].sort((x, y) => y.seq - x.seq);
	const rest = after === undefined ? sorted : sorted.filter((item) => item.seq < after);
	const page = rest.slice(0, size);
	return {
		page,
		nextPageToken: rest.length > size ? encodePageToken(page.at(-1)!.seq, filter) : "",
	};
}
