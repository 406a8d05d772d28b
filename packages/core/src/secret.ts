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

/** Builds a {@link Secret} whose values are masked when printed or serialised. */
export function makeSecret(metadata: SecretMetadata, values: SecretValues): Secret {
	const secret: Secret = { ...metadataOf(metadata), values };
	Object.defineProperties(secret, {
		toJSON: {
			value(this: Secret) {
				return { ...metadataOf(this), values: maskValues(this.values) };
			},
			enumerable: false,
		},
		toString: {
			value(this: Secret) {
				return `Secret(${this.name}, id=${this.id}, keys=[${Object.keys(this.values).join(", ")}], version=${this.version})`;
			},
			enumerable: false,
		},
		[inspectSymbol]: {
			value(
				this: Secret,
				_depth: number,
				options: unknown,
				inspect?: (v: unknown, o: unknown) => string,
			) {
				const shown = { ...metadataOf(this), values: maskValues(this.values) };
				return `Secret ${inspect ? inspect(shown, options) : JSON.stringify(shown)}`;
			},
			enumerable: false,
		},
	});
	return secret;
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
