/**
 * Secret objects whose values never print by accident: `util.inspect`, `toString()`
 * and `JSON.stringify` show the keys with masked values. `secret.values` stays a plain
 * object for code that means to use it.
 */
import type { Secret, SecretMetadata, SecretValues } from "./types.js";

/** What masked values look like. */
export const MASK = "********";

const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

/** The keys of `values` with every value replaced by {@link MASK}. */
export function maskValues(values: SecretValues): Record<string, string> {
	return Object.fromEntries(Object.keys(values).map((key) => [key, MASK]));
}

function metadataOf(secret: SecretMetadata): SecretMetadata {
	return {
		id: secret.id,
		name: secret.name,
		scope: secret.scope,
		workspace: secret.workspace,
		owner: secret.owner,
		keys: secret.keys,
		version: secret.version,
		createdAt: secret.createdAt,
		updatedAt: secret.updatedAt,
		backend: secret.backend,
	};
}

/**
 * The class behind every {@link Secret} Strongbox returns. The masking methods live on
 * the prototype (non-enumerable, shared), so spreading or comparing a secret sees only
 * its data fields.
 */
class MaskedSecret implements Secret {
	id: string;
	name: string;
	scope: Secret["scope"];
	workspace: string;
	owner: string | null;
	keys: string[];
	version: number;
	createdAt: Date;
	updatedAt: Date;
	backend: string;
	values: SecretValues;

	constructor(metadata: SecretMetadata, values: SecretValues) {
		this.id = metadata.id;
		this.name = metadata.name;
		this.scope = metadata.scope;
		this.workspace = metadata.workspace;
		this.owner = metadata.owner;
		this.keys = metadata.keys;
		this.version = metadata.version;
		this.createdAt = metadata.createdAt;
		this.updatedAt = metadata.updatedAt;
		this.backend = metadata.backend;
		this.values = values;
	}

	toJSON(): SecretMetadata & { values: Record<string, string> } {
		return { ...metadataOf(this), values: maskValues(this.values) };
	}

	toString(): string {
		return `Secret(${this.name}, id=${this.id}, keys=[${Object.keys(this.values).join(", ")}], version=${this.version})`;
	}

	[inspectSymbol](
		_depth: number,
		options: unknown,
		inspect?: (v: unknown, o: unknown) => string,
	): string {
		const shown = { ...metadataOf(this), values: maskValues(this.values) };
		return `Secret ${inspect ? inspect(shown, options) : JSON.stringify(shown)}`;
	}
}

/** Builds a {@link Secret} whose values are masked when printed or serialised. */
export function makeSecret(metadata: SecretMetadata, values: SecretValues): Secret {
	return new MaskedSecret(metadata, values);
}

/** A secret as JSON with its values in clear, for the places that must send them (HTTP API, `--reveal`). */
export function secretToJSON(
	secret: Secret,
): Omit<Secret, "createdAt" | "updatedAt"> & { createdAt: string; updatedAt: string } {
	return {
		...metadataOf(secret),
		createdAt: secret.createdAt.toISOString(),
		updatedAt: secret.updatedAt.toISOString(),
		values: { ...secret.values },
	};
}

/** Metadata as JSON (dates as ISO strings). */
export function metadataToJSON(metadata: SecretMetadata): Omit<
	SecretMetadata,
	"createdAt" | "updatedAt"
> & {
	createdAt: string;
	updatedAt: string;
} {
	return {
		...metadataOf(metadata),
		createdAt: metadata.createdAt.toISOString(),
		updatedAt: metadata.updatedAt.toISOString(),
	};
}
