/**
 * Pure functions over one secret record: staging labels when a version is added, which
 * version a read resolves to, and the JSON shapes the API answers with.
 */
import type { ListSnapshot } from "./listing.js";
import { AwsError, epoch, MAX_VERSIONS, type SecretRecord, type VersionRecord } from "./model.js";

/** A value as a write carries it. */
export interface SecretValue {
	secretString?: string;
	secretBinary?: string;
}

/** Whether a version holds exactly this value. */
export function sameValue(version: VersionRecord, value: SecretValue): boolean {
	return version.secretString === value.secretString && version.secretBinary === value.secretBinary;
}

/** Labelled versions only: unlabelled ones are deprecated and not shown. */
export function stagesOf(secret: SecretRecord): Record<string, string[]> {
	const out: Record<string, string[]> = {};
	for (const version of secret.versions.values()) {
		if (version.stages.length > 0) out[version.versionId] = [...version.stages];
	}
	return out;
}

/** Adds a version and moves the staging labels onto it (AWSCURRENT's old holder becomes AWSPREVIOUS). */
export function addVersion(
	secret: SecretRecord,
	versionId: string,
	value: SecretValue,
	stages: readonly string[],
	now: number,
): VersionRecord {
	const version: VersionRecord = { versionId, ...value, stages: [], createdAt: now };
	secret.versions.set(versionId, version);
	for (const stage of stages) {
		for (const other of secret.versions.values()) {
			if (other === version || !other.stages.includes(stage)) continue;
			other.stages = other.stages.filter((s) => s !== stage);
			if (stage === "AWSCURRENT") {
				for (const v of secret.versions.values())
					v.stages = v.stages.filter((s) => s !== "AWSPREVIOUS");
				other.stages.push("AWSPREVIOUS");
			}
		}
		if (!version.stages.includes(stage)) version.stages.push(stage);
	}
	// The service keeps a bounded number of versions and drops the oldest unlabelled ones.
	while (secret.versions.size > MAX_VERSIONS) {
		const oldest = [...secret.versions.values()].find((v) => v.stages.length === 0);
		if (!oldest) break;
		secret.versions.delete(oldest.versionId);
	}
	return version;
}

/** The version a read names (by id, by label, or AWSCURRENT), or ResourceNotFoundException. */
export function versionOf(secret: SecretRecord, versionId?: string, stage?: string): VersionRecord {
	if (versionId !== undefined) {
		const version = secret.versions.get(versionId);
		if (!version || (stage !== undefined && !version.stages.includes(stage))) {
			throw new AwsError(
				"ResourceNotFoundException",
				`Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
			);
		}
		return version;
	}
	const label = stage ?? "AWSCURRENT";
	const version = [...secret.versions.values()].find((v) => v.stages.includes(label));
	if (!version) {
		throw new AwsError(
			"ResourceNotFoundException",
			`Secrets Manager can't find the specified secret value for staging label: ${label}`,
		);
	}
	return version;
}

/** A GetSecretValue-shaped answer. */
export function valueEntry(secret: SecretRecord, version: VersionRecord): Record<string, unknown> {
	return {
		ARN: secret.arn,
		Name: secret.name,
		VersionId: version.versionId,
		...(version.secretString === undefined ? {} : { SecretString: version.secretString }),
		...(version.secretBinary === undefined ? {} : { SecretBinary: version.secretBinary }),
		VersionStages: [...version.stages],
		CreatedDate: epoch(version.createdAt),
	};
}

/**
 * The metadata of a secret: DescribeSecret's answer (`VersionIdsToStages`) or a
 * ListSecrets entry (`SecretVersionsToStages`: the two operations spell it differently).
 */
export function secretEntry(
	secret: SecretRecord,
	stagesKey: "VersionIdsToStages" | "SecretVersionsToStages",
): Record<string, unknown> {
	return {
		ARN: secret.arn,
		Name: secret.name,
		...(secret.description === undefined ? {} : { Description: secret.description }),
		...(secret.kmsKeyId === undefined ? {} : { KmsKeyId: secret.kmsKeyId }),
		LastChangedDate: epoch(secret.lastChangedAt),
		...(secret.lastAccessedAt === undefined
			? {}
			: { LastAccessedDate: epoch(secret.lastAccessedAt) }),
		...(secret.deletedAt === undefined ? {} : { DeletedDate: epoch(secret.deletedAt) }),
		Tags: secret.tags.map((tag) => ({ ...tag })),
		[stagesKey]: stagesOf(secret),
		CreatedDate: epoch(secret.createdAt),
	};
}

/** What a listing shows of a secret from now on. */
export function snapshot(secret: SecretRecord, region: string): ListSnapshot {
	return {
		name: secret.name,
		seq: secret.seq,
		createdAt: secret.createdAt,
		lastChangedAt: secret.lastChangedAt,
		...(secret.lastAccessedAt === undefined ? {} : { lastAccessedAt: secret.lastAccessedAt }),
		deleted: secret.deletedAt !== undefined,
		filterable: {
			name: secret.name,
			...(secret.description === undefined ? {} : { description: secret.description }),
			tags: secret.tags.map((tag) => ({ ...tag })),
			primaryRegion: region,
		},
		entry: secretEntry(secret, "SecretVersionsToStages"),
	};
}

/** A secret as the emulator holds it, for test assertions. */
export interface RawAwsSecret {
	name: string;
	arn: string;
	description?: string;
	kmsKeyId?: string;
	tags: Record<string, string>;
	createdDate: Date;
	/** Set while the secret is scheduled for deletion. */
	deletedDate?: Date;
	/** When a soft-deleted secret disappears. */
	deletionDate?: Date;
	/** The `AWSCURRENT` version, if any. */
	versionId?: string;
	secretString?: string;
	/** Base64 of the current binary value. */
	secretBinary?: string;
	versions: { versionId: string; stages: string[]; secretString?: string; createdDate: Date }[];
}

/** A copy of a secret for test assertions. */
export function rawView(secret: SecretRecord): RawAwsSecret {
	const versions = [...secret.versions.values()];
	const current = versions.find((v) => v.stages.includes("AWSCURRENT"));
	return {
		name: secret.name,
		arn: secret.arn,
		...(secret.description === undefined ? {} : { description: secret.description }),
		...(secret.kmsKeyId === undefined ? {} : { kmsKeyId: secret.kmsKeyId }),
		tags: Object.fromEntries(secret.tags.map((tag) => [tag.Key, tag.Value])),
		createdDate: new Date(secret.createdAt),
		...(secret.deletedAt === undefined ? {} : { deletedDate: new Date(secret.deletedAt) }),
		...(secret.deletionAt === undefined ? {} : { deletionDate: new Date(secret.deletionAt) }),
		...(current ? { versionId: current.versionId } : {}),
		...(current?.secretString === undefined ? {} : { secretString: current.secretString }),
		...(current?.secretBinary === undefined ? {} : { secretBinary: current.secretBinary }),
		versions: versions.map((v) => ({
			versionId: v.versionId,
			stages: [...v.stages],
			...(v.secretString === undefined ? {} : { secretString: v.secretString }),
			createdDate: new Date(v.createdAt),
		})),
	};
}
