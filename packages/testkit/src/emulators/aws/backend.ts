/**
 * The operations of the AWS Secrets Manager emulator, on an in-memory model. Semantics
 * follow the API reference: `ClientRequestToken` is the `VersionId` and a repeat with the
 * same token and value is a no-op (another value → ResourceExistsException); new
 * versions take `AWSCURRENT` and the old current one `AWSPREVIOUS`; soft-deleted secrets
 * answer InvalidRequestException and keep their name until the recovery window ends.
 */
import { randomInt } from "node:crypto";
import { ListingHistory, type ListQuery, type SortBy } from "./listing.js";
import {
	AwsError,
	bool,
	epoch,
	filters,
	type Input,
	int,
	list,
	MAX_TAGS,
	requestToken,
	type SecretRecord,
	secretName,
	secretValue,
	str,
	type Tag,
	tagKeys,
	tags,
	type VersionRecord,
} from "./model.js";
import { addVersion, sameValue, secretEntry, snapshot, valueEntry, versionOf } from "./records.js";

/** Options of {@link SecretsBackend}. */
export interface SecretsBackendOptions {
	region: string;
	accountId: string;
	eventualConsistencyMs: number;
	clock: () => number;
}

const DAY_MS = 86_400_000;
const SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const NOT_FOUND = "Secrets Manager can't find the specified secret.";
const MARKED_DELETED =
	"You can't perform this operation on the secret because it was marked for deletion.";

function notFound(): AwsError {
	return new AwsError("ResourceNotFoundException", NOT_FOUND);
}

/** The in-memory service. `handle` runs one operation and returns its JSON answer. */
export class SecretsBackend {
	readonly secrets = new Map<string, SecretRecord>();
	private readonly listing: ListingHistory;
	private seq = 0;
	private readonly operations: Record<
		string,
		(input: Input, denied: (op: string) => boolean) => unknown
	>;

	constructor(private readonly options: SecretsBackendOptions) {
		this.listing = new ListingHistory(options.eventualConsistencyMs, options.clock);
		this.operations = {
			CreateSecret: (input) => this.createSecret(input),
			GetSecretValue: (input) => this.getSecretValue(input),
			PutSecretValue: (input) => this.putSecretValue(input),
			UpdateSecret: (input) => this.updateSecret(input),
			DescribeSecret: (input) => this.describeSecret(input),
			ListSecrets: (input) => this.listSecrets(input),
			DeleteSecret: (input) => this.deleteSecret(input),
			RestoreSecret: (input) => this.restoreSecret(input),
			TagResource: (input) => this.tagResource(input),
			UntagResource: (input) => this.untagResource(input),
			BatchGetSecretValue: (input, denied) => this.batchGetSecretValue(input, denied),
		};
	}

	/** Whether the emulator implements `operation`. */
	supports(operation: string): boolean {
		return Object.hasOwn(this.operations, operation);
	}

	/** Runs one operation. `denied` says whether an operation is refused (per-secret checks of batch reads). */
	handle(operation: string, input: Input, denied: (op: string) => boolean = () => false): unknown {
		this.purgeExpired();
		const run = this.operations[operation];
		if (!run)
			throw new AwsError("UnknownOperationException", `Operation ${operation} is not supported.`);
		return run(input, denied);
	}

	/** A secret by name, full ARN or partial ARN (the ARN without its random suffix). */
	find(secretId: string): SecretRecord | undefined {
		if (!secretId.startsWith("arn:")) return this.secrets.get(secretId);
		for (const secret of this.secrets.values()) {
			if (secret.arn === secretId || secret.arn.slice(0, -7) === secretId) return secret;
		}
		return undefined;
	}

	private now(): number {
		return this.options.clock();
	}

	private purgeExpired(): void {
		const now = this.now();
		for (const secret of [...this.secrets.values()]) {
			if (secret.deletionAt !== undefined && secret.deletionAt <= now) this.remove(secret);
		}
	}

	private remove(secret: SecretRecord): void {
		this.secrets.delete(secret.name);
		this.listing.record(secret.name, null);
	}

	private secretId(input: Input): SecretRecord {
		const id = str(input, "SecretId", { required: true, min: 1, max: 2048 })!;
		const secret = this.find(id);
		if (!secret) throw notFound();
		return secret;
	}

	private live(input: Input): SecretRecord {
		const secret = this.secretId(input);
		if (secret.deletedAt !== undefined)
			throw new AwsError("InvalidRequestException", MARKED_DELETED);
		return secret;
	}

	private changed(secret: SecretRecord): void {
		secret.lastChangedAt = this.now();
		this.listing.record(secret.name, snapshot(secret, this.options.region));
	}

	private versionStages(input: Input): string[] {
		const raw = list(input, "VersionStages", 1, 20);
		if (raw === undefined) return ["AWSCURRENT"];
		return raw.map((stage) => {
			if (typeof stage !== "string" || stage.length < 1 || stage.length > 256) {
				throw new AwsError(
					"ValidationException",
					"1 validation error detected: Value at 'versionStages' failed to satisfy constraint.",
				);
			}
			return stage;
		});
	}

	private createSecret(input: Input): unknown {
		const name = secretName(input);
		const value = secretValue(input, false);
		const token = requestToken(input, value !== undefined);
		const description = str(input, "Description", { max: 2048 });
		const kmsKeyId = str(input, "KmsKeyId", { max: 2048 });
		const tagList = tags(input) ?? [];
		const existing = this.secrets.get(name);
		if (existing) {
			if (existing.deletedAt !== undefined) {
				throw new AwsError(
					"InvalidRequestException",
					"You can't create this secret because a secret with this name is already scheduled for deletion.",
				);
			}
			// A retry of the same request (same token, same value) is answered as the first one was.
			const version = token === undefined ? undefined : existing.versions.get(token);
			if (version && value && sameValue(version, value)) {
				return { ARN: existing.arn, Name: existing.name, VersionId: version.versionId };
			}
			throw new AwsError(
				"ResourceExistsException",
				`The operation failed because the secret ${name} already exists.`,
			);
		}
		const now = this.now();
		let suffix = "";
		for (let i = 0; i < 6; i++) suffix += SUFFIX_CHARS[randomInt(SUFFIX_CHARS.length)];
		const secret: SecretRecord = {
			name,
			arn: `arn:aws:secretsmanager:${this.options.region}:${this.options.accountId}:secret:${name}-${suffix}`,
			...(description === undefined ? {} : { description }),
			...(kmsKeyId === undefined ? {} : { kmsKeyId }),
			tags: dedupeTags(tagList),
			versions: new Map(),
			createdAt: now,
			lastChangedAt: now,
			seq: ++this.seq,
		};
		this.secrets.set(name, secret);
		if (value) addVersion(secret, token!, value, ["AWSCURRENT"], now);
		this.changed(secret);
		return { ARN: secret.arn, Name: secret.name, ...(value ? { VersionId: token } : {}) };
	}

	private getSecretValue(input: Input): unknown {
		const secret = this.live(input);
		const versionId = str(input, "VersionId", { min: 32, max: 64 });
		const stage = str(input, "VersionStage", { min: 1, max: 256 });
		const version = versionOf(secret, versionId, stage);
		// The service records the access date only (no time of day).
		secret.lastAccessedAt = Math.floor(this.now() / DAY_MS) * DAY_MS;
		return valueEntry(secret, version);
	}

	private writeVersion(
		secret: SecretRecord,
		token: string,
		value: { secretString?: string; secretBinary?: string },
		stages: readonly string[],
	): VersionRecord {
		const existing = secret.versions.get(token);
		if (existing) {
			if (sameValue(existing, value)) return existing;
			throw new AwsError(
				"ResourceExistsException",
				"You can't modify an existing version, you can only create a new version.",
			);
		}
		const version = addVersion(secret, token, value, stages, this.now());
		this.changed(secret);
		return version;
	}

	private putSecretValue(input: Input): unknown {
		const secret = this.live(input);
		const value = secretValue(input, true)!;
		const token = requestToken(input, true)!;
		const version = this.writeVersion(secret, token, value, this.versionStages(input));
		return {
			ARN: secret.arn,
			Name: secret.name,
			VersionId: version.versionId,
			VersionStages: [...version.stages],
		};
	}

	private updateSecret(input: Input): unknown {
		const secret = this.live(input);
		const value = secretValue(input, false);
		const token = requestToken(input, value !== undefined);
		const description = str(input, "Description", { max: 2048 });
		const kmsKeyId = str(input, "KmsKeyId", { max: 2048 });
		if (description !== undefined) secret.description = description;
		if (kmsKeyId !== undefined) secret.kmsKeyId = kmsKeyId;
		const version = value ? this.writeVersion(secret, token!, value, ["AWSCURRENT"]) : undefined;
		this.changed(secret);
		return {
			ARN: secret.arn,
			Name: secret.name,
			...(version ? { VersionId: version.versionId } : {}),
		};
	}

	private describeSecret(input: Input): unknown {
		return secretEntry(this.secretId(input), "VersionIdsToStages");
	}

	private listQuery(input: Input, maxResults: number, defaultMax: number): ListQuery {
		const sortOrder = str(input, "SortOrder", { max: 4 }) ?? "asc";
		if (sortOrder !== "asc" && sortOrder !== "desc") {
			throw new AwsError(
				"ValidationException",
				"1 validation error detected: Value at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]",
			);
		}
		const sortBy = (str(input, "SortBy", { max: 32 }) ?? "created-date") as SortBy;
		if (!["created-date", "last-accessed-date", "last-changed-date", "name"].includes(sortBy)) {
			throw new AwsError(
				"ValidationException",
				"1 validation error detected: Value at 'sortBy' failed to satisfy constraint.",
			);
		}
		const filterList = filters(input);
		const nextToken = str(input, "NextToken", { min: 1, max: 4096 });
		return {
			...(filterList ? { filters: filterList } : {}),
			includePlannedDeletion: bool(input, "IncludePlannedDeletion") ?? false,
			sortBy,
			sortOrder,
			maxResults: int(input, "MaxResults", 1, maxResults) ?? defaultMax,
			...(nextToken === undefined ? {} : { nextToken }),
		};
	}

	private listSecrets(input: Input): unknown {
		const page = this.listing.page(this.listQuery(input, 100, 100));
		return {
			SecretList: page.items.map((item) => item.entry),
			...(page.nextToken ? { NextToken: page.nextToken } : {}),
		};
	}

	private deleteSecret(input: Input): unknown {
		const secret = this.secretId(input);
		const windowDays = input.RecoveryWindowInDays;
		const force = bool(input, "ForceDeleteWithoutRecovery");
		if (windowDays !== undefined && windowDays !== null && force) {
			throw new AwsError(
				"InvalidParameterException",
				"You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
			);
		}
		if (
			windowDays !== undefined &&
			windowDays !== null &&
			(typeof windowDays !== "number" ||
				!Number.isInteger(windowDays) ||
				windowDays < 7 ||
				windowDays > 30)
		) {
			throw new AwsError(
				"InvalidParameterException",
				"The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
			);
		}
		const now = this.now();
		if (force) {
			this.remove(secret);
			return { ARN: secret.arn, Name: secret.name, DeletionDate: epoch(now) };
		}
		if (secret.deletedAt !== undefined) {
			throw new AwsError(
				"InvalidRequestException",
				"You tried to perform the operation on a secret that's currently marked deleted.",
			);
		}
		secret.deletedAt = now;
		secret.deletionAt = now + ((windowDays as number | undefined) ?? 30) * DAY_MS;
		this.changed(secret);
		return { ARN: secret.arn, Name: secret.name, DeletionDate: epoch(secret.deletionAt) };
	}

	private restoreSecret(input: Input): unknown {
		const secret = this.secretId(input);
		delete secret.deletedAt;
		delete secret.deletionAt;
		this.changed(secret);
		return { ARN: secret.arn, Name: secret.name };
	}

	private tagResource(input: Input): unknown {
		const secret = this.live(input);
		const added = tags(input) ?? [];
		const merged = dedupeTags([...secret.tags, ...added]);
		if (merged.length > MAX_TAGS) {
			throw new AwsError(
				"InvalidParameterException",
				`A secret can have at most ${MAX_TAGS} tags.`,
			);
		}
		secret.tags = merged;
		this.changed(secret);
		return {};
	}

	private untagResource(input: Input): unknown {
		const secret = this.live(input);
		const keys = new Set(tagKeys(input));
		secret.tags = secret.tags.filter((tag) => !keys.has(tag.Key));
		this.changed(secret);
		return {};
	}

	private batchGetSecretValue(input: Input, denied: (op: string) => boolean): unknown {
		const ids = list(input, "SecretIdList", 1, 20);
		const hasFilters = input.Filters !== undefined && input.Filters !== null;
		if (ids && hasFilters) {
			throw new AwsError(
				"InvalidParameterException",
				"You can't specify both SecretIdList and Filters.",
			);
		}
		if (!ids && !hasFilters) {
			throw new AwsError(
				"InvalidParameterException",
				"You must specify either SecretIdList or Filters.",
			);
		}
		if (ids && input.MaxResults !== undefined) {
			throw new AwsError("InvalidParameterException", "MaxResults can only be used with Filters.");
		}
		const values: unknown[] = [];
		const errors: unknown[] = [];
		const read = (secretId: string) => {
			if (denied("GetSecretValue")) {
				errors.push({
					SecretId: secretId,
					ErrorCode: "AccessDeniedException",
					Message:
						"You are not authorized to perform secretsmanager:GetSecretValue on this resource.",
				});
				return;
			}
			const secret = this.find(secretId);
			try {
				if (!secret) throw notFound();
				if (secret.deletedAt !== undefined)
					throw new AwsError("InvalidRequestException", MARKED_DELETED);
				values.push(valueEntry(secret, versionOf(secret)));
				secret.lastAccessedAt = Math.floor(this.now() / DAY_MS) * DAY_MS;
			} catch (error) {
				const e = error as AwsError;
				errors.push({ SecretId: secretId, ErrorCode: e.type, Message: e.message });
			}
		};
		if (ids) {
			for (const id of ids) {
				if (typeof id !== "string" || id.length < 1 || id.length > 2048) {
					throw new AwsError(
						"ValidationException",
						"1 validation error detected: Value at 'secretIdList' failed to satisfy constraint.",
					);
				}
				read(id);
			}
			return { SecretValues: values, Errors: errors };
		}
		const query = this.listQuery(input, 20, 20);
		const page = this.listing.page({ ...query, includePlannedDeletion: false });
		for (const item of page.items) read(item.name);
		return {
			SecretValues: values,
			Errors: errors,
			...(page.nextToken ? { NextToken: page.nextToken } : {}),
		};
	}
}

function dedupeTags(list: readonly Tag[]): Tag[] {
	const byKey = new Map<string, Tag>();
	for (const tag of list) byKey.set(tag.Key, { Key: tag.Key, Value: tag.Value });
	return [...byKey.values()];
}
