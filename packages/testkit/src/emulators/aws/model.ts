/**
 * The data model of the AWS Secrets Manager emulator and the input checks every
 * operation shares. Errors carry the service's own `__type` codes and messages, so the
 * real SDK throws its own typed exceptions (`ResourceNotFoundException`, ...).
 */

/** An error answered as `{"__type": type, "message": message}` with `status`. */
export class AwsError extends Error {
	constructor(
		readonly type: string,
		message: string,
		readonly status = 400,
	) {
		super(message);
		this.name = type;
	}
}

/** One version of a secret. */
export interface VersionRecord {
	versionId: string;
	secretString?: string;
	/** Base64, as it travels in JSON. */
	secretBinary?: string;
	stages: string[];
	createdAt: number;
}

/** A tag as the API spells it. */
export interface Tag {
	Key: string;
	Value: string;
}

/** One secret, versions included. */
export interface SecretRecord {
	name: string;
	arn: string;
	description?: string;
	kmsKeyId?: string;
	tags: Tag[];
	versions: Map<string, VersionRecord>;
	createdAt: number;
	lastChangedAt: number;
	lastAccessedAt?: number;
	/** When DeleteSecret was called (soft delete). */
	deletedAt?: number;
	/** When the soft-deleted secret disappears for good. */
	deletionAt?: number;
	/** Creation order, the tie-breaker of every listing. */
	seq: number;
}

/** Parsed JSON input of an operation. */
export type Input = Record<string, unknown>;

/** The largest `SecretString` / decoded `SecretBinary` (bytes). */
export const MAX_SECRET_BYTES = 65_536;
/** Versions kept per secret; the oldest unlabelled ones go first. */
export const MAX_VERSIONS = 100;
/** Tags per secret. */
export const MAX_TAGS = 50;

const NAME_CHARS = /^[A-Za-z0-9/_+=.@-]+$/;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const FILTER_VALUE = /^!?[a-zA-Z0-9 :_@/+=.-]*$/;

function lengthError(field: string, bound: "less" | "greater", limit: number): AwsError {
	return new AwsError(
		"ValidationException",
		`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length ${bound} than or equal to ${limit}`,
	);
}

/** A string member, checked for type and length. */
export function str(
	input: Input,
	member: string,
	options: { required?: boolean; min?: number; max: number },
): string | undefined {
	const value = input[member];
	const field = member.charAt(0).toLowerCase() + member.slice(1);
	if (value === undefined || value === null) {
		if (options.required) {
			throw new AwsError(
				"ValidationException",
				`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
			);
		}
		return undefined;
	}
	if (typeof value !== "string") {
		throw new AwsError("SerializationException", `Unexpected value type for '${member}'.`);
	}
	if (value.length < (options.min ?? 0)) throw lengthError(field, "greater", options.min ?? 0);
	if (value.length > options.max) throw lengthError(field, "less", options.max);
	return value;
}

/** An integer member within a range (ValidationException outside it). */
export function int(input: Input, member: string, min: number, max: number): number | undefined {
	const value = input[member];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== "number" || !Number.isInteger(value)) {
		throw new AwsError("SerializationException", `Unexpected value type for '${member}'.`);
	}
	const field = member.charAt(0).toLowerCase() + member.slice(1);
	if (value < min || value > max) {
		throw new AwsError(
			"ValidationException",
			`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value ${value < min ? "greater" : "less"} than or equal to ${value < min ? min : max}`,
		);
	}
	return value;
}

/** A boolean member. */
export function bool(input: Input, member: string): boolean | undefined {
	const value = input[member];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== "boolean") {
		throw new AwsError("SerializationException", `Unexpected value type for '${member}'.`);
	}
	return value;
}

/** A list member (checked for type and item count only). */
export function list(
	input: Input,
	member: string,
	min: number,
	max: number,
): unknown[] | undefined {
	const value = input[member];
	if (value === undefined || value === null) return undefined;
	if (!Array.isArray(value)) {
		throw new AwsError("SerializationException", `Unexpected value type for '${member}'.`);
	}
	const field = member.charAt(0).toLowerCase() + member.slice(1);
	if (value.length < min) throw lengthError(field, "greater", min);
	if (value.length > max) throw lengthError(field, "less", max);
	return value;
}

/** A secret name: 1–512 characters of letters, digits and `/_+=.@-`. */
export function secretName(input: Input): string {
	const name = str(input, "Name", { required: true, min: 1, max: 512 })!;
	if (!NAME_CHARS.test(name)) {
		throw new AwsError(
			"InvalidParameterException",
			"Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
		);
	}
	return name;
}

/** `ClientRequestToken`: 32–64 characters; required whenever a value is written. */
export function requestToken(input: Input, required: boolean): string | undefined {
	const token = str(input, "ClientRequestToken", { min: 32, max: 64 });
	if (token === undefined && required) {
		throw new AwsError(
			"InvalidRequestException",
			"You must provide a ClientRequestToken value. We recommend a UUID-type value.",
		);
	}
	return token;
}

/** The value of a write: exactly one of `SecretString` and `SecretBinary`, each ≤ 64 KiB. */
export function secretValue(
	input: Input,
	required: boolean,
): { secretString?: string; secretBinary?: string } | undefined {
	const secretString = str(input, "SecretString", { max: Number.MAX_SAFE_INTEGER });
	const secretBinary = str(input, "SecretBinary", { max: Number.MAX_SAFE_INTEGER });
	if (secretString !== undefined && secretBinary !== undefined) {
		throw new AwsError(
			"InvalidParameterException",
			"You can't specify both a binary secret value and a string secret value in the same secret.",
		);
	}
	if (secretString !== undefined) {
		if (Buffer.byteLength(secretString, "utf8") > MAX_SECRET_BYTES) {
			throw lengthError("secretString", "less", MAX_SECRET_BYTES);
		}
		return { secretString };
	}
	if (secretBinary !== undefined) {
		if (Buffer.from(secretBinary, "base64").length > MAX_SECRET_BYTES) {
			throw lengthError("secretBinary", "less", MAX_SECRET_BYTES);
		}
		return { secretBinary };
	}
	if (required) {
		throw new AwsError(
			"InvalidParameterException",
			"You must provide either SecretString or SecretBinary.",
		);
	}
	return undefined;
}

/** `Tags`: key 1–128, value 0–256, letters/digits/spaces and `_.:/=+-@`, no `aws:` keys. */
export function tags(input: Input, member = "Tags"): Tag[] | undefined {
	const raw = list(input, member, 0, MAX_TAGS);
	if (raw === undefined) return undefined;
	return raw.map((item) => {
		const tag = (item ?? {}) as Input;
		const key = str(tag, "Key", { required: true, min: 1, max: 128 })!;
		const value = str(tag, "Value", { min: 0, max: 256 }) ?? "";
		if (!TAG_CHARS.test(key) || !TAG_CHARS.test(value)) {
			throw new AwsError("InvalidParameterException", "Invalid tag key or value.");
		}
		if (key.toLowerCase().startsWith("aws:")) {
			throw new AwsError(
				"InvalidParameterException",
				"Tag keys starting with 'aws:' are reserved.",
			);
		}
		return { Key: key, Value: value };
	});
}

/** Tag keys of UntagResource. */
export function tagKeys(input: Input): string[] {
	const raw = list(input, "TagKeys", 0, MAX_TAGS) ?? [];
	return raw.map((key) => {
		if (typeof key !== "string" || key.length < 1 || key.length > 128) {
			throw new AwsError(
				"ValidationException",
				"1 validation error detected: Value at 'tagKeys' failed to satisfy constraint.",
			);
		}
		return key;
	});
}

/** One ListSecrets / BatchGetSecretValue filter. */
export interface Filter {
	key: string;
	values: string[];
}

const FILTER_KEYS = [
	"description",
	"name",
	"tag-key",
	"tag-value",
	"primary-region",
	"owning-service",
	"all",
];

/** `Filters`: at most 10, each with 1–10 values of 1–512 characters. */
export function filters(input: Input): Filter[] | undefined {
	const raw = list(input, "Filters", 0, 10);
	if (raw === undefined) return undefined;
	return raw.map((item) => {
		const filter = (item ?? {}) as Input;
		const key = str(filter, "Key", { required: true, max: 64 })!;
		if (!FILTER_KEYS.includes(key)) {
			throw new AwsError(
				"ValidationException",
				`1 validation error detected: Value '${key}' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy enum value set: [${FILTER_KEYS.join(", ")}]`,
			);
		}
		const values = list(filter, "Values", 1, 10) ?? [];
		for (const value of values) {
			if (
				typeof value !== "string" ||
				value.length < 1 ||
				value.length > 512 ||
				!FILTER_VALUE.test(value)
			) {
				throw new AwsError(
					"ValidationException",
					"1 validation error detected: Value at 'filters.1.member.values' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]+",
				);
			}
		}
		return { key, values: values as string[] };
	});
}

/** Epoch seconds with a fraction: how the JSON protocol carries timestamps. */
export function epoch(ms: number): number {
	return ms / 1000;
}
