/**
 * Secret references `{{name.key}}` in any JSON-like document (a config, a manifest, a
 * template's data), resolved for one caller through the `Secrets` interface, so the same
 * code runs in-process and through `@strongbox/client`.
 *
 * One resolver serves both resolution and validation: names are looked up once each
 * (user scope first, then the workspace), and values are fetched once per distinct
 * secret in one `getSecrets` call, only when values are needed. Everything that cannot
 * be resolved is reported at once, by reference and reason, never with a value.
 */
import {
	ForbiddenError,
	SecretNotFoundError,
	UnresolvedReferenceError,
	ValidationError,
} from "./errors.js";
import {
	type ReferenceLimits,
	rebuildDocument,
	type SecretReference,
	scanDocument,
} from "./reference-grammar.js";
import type { Secrets, SecretValues } from "./types.js";
import { LIMITS } from "./validation.js";

export {
	formatReference,
	REFERENCE_LIMITS,
	type ReferenceLimits,
	type SecretReference,
} from "./reference-grammar.js";

/** How much {@link validateReferences} checks (ZenML's `SECRET_VALIDATION_LEVEL`). */
export type ValidationLevel = "NONE" | "SECRET_EXISTS" | "SECRET_AND_KEY_EXISTS";

/** Every validation level, weakest first. */
export const VALIDATION_LEVELS: readonly ValidationLevel[] = [
	"NONE",
	"SECRET_EXISTS",
	"SECRET_AND_KEY_EXISTS",
];

/** The environment variable {@link validationLevelFromEnv} reads. */
export const VALIDATION_LEVEL_ENV = "STRONGBOX_SECRET_VALIDATION_LEVEL";

/** Why a reference could not be resolved. */
export type MissingReason = "secret-not-found" | "key-not-found";

/** One unresolved reference, as listed in `UnresolvedReferenceError.details.missing`. */
export interface MissingReference {
	/** Canonical form, `{{name.key}}`. */
	reference: string;
	name: string;
	key?: string;
	reason: MissingReason;
	/** Where the reference first occurs in the document. */
	path: string;
}

/** Options of {@link resolveReferences} and {@link validateReferences}. */
export interface ReferenceOptions {
	/** Look names up in this workspace instead of the caller's default one. */
	workspace?: string;
	/** Bounds of the document; see `REFERENCE_LIMITS`. */
	limits?: ReferenceLimits;
	/** Name lookups in flight at once (each is one call, one HTTP request through the client). @default 8 */
	concurrency?: number;
}

/** Options of {@link validateReferences}. */
export interface ValidateReferencesOptions extends ReferenceOptions {
	/** @default `validationLevelFromEnv()` (`SECRET_AND_KEY_EXISTS` when unset) */
	level?: ValidationLevel;
}

/** What {@link validateReferences} checked. */
export interface ReferenceValidation {
	level: ValidationLevel;
	/** The distinct references found (names, keys and paths; never a value). */
	references: SecretReference[];
}

/**
 * The validation level from `STRONGBOX_SECRET_VALIDATION_LEVEL` (case-insensitive);
 * `SECRET_AND_KEY_EXISTS` when unset or empty. Any other value is a `ValidationError`.
 */
export function validationLevelFromEnv(
	env: Record<string, string | undefined> = process.env,
): ValidationLevel {
	const raw = env[VALIDATION_LEVEL_ENV]?.trim().toUpperCase();
	if (raw === undefined || raw === "") return "SECRET_AND_KEY_EXISTS";
	if ((VALIDATION_LEVELS as readonly string[]).includes(raw)) return raw as ValidationLevel;
	throw new ValidationError(
		`${VALIDATION_LEVEL_ENV} must be one of ${VALIDATION_LEVELS.join(", ")}.`,
		[{ path: VALIDATION_LEVEL_ENV, message: `must be one of ${VALIDATION_LEVELS.join(", ")}` }],
	);
}

/**
 * The distinct references of a document, checking only the grammar and the limits (no
 * lookup). Throws a `ValidationError` listing every malformed reference.
 */
export function findReferences(value: unknown, limits?: ReferenceLimits): SecretReference[] {
	return [...scanDocument(value, limits).references.values()];
}

type Mode = Exclude<ValidationLevel, "NONE"> | "VALUES";

interface Found {
	/** Key names (from metadata) by secret name. */
	keys: Map<string, readonly string[]>;
	/** Values by secret name, in mode `VALUES`. */
	values: Map<string, SecretValues>;
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>) {
	let next = 0;
	const worker = async () => {
		while (next < items.length) await fn(items[next++]!);
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

function isInvisible(error: unknown): boolean {
	// A secret the caller may not see is reported exactly like a missing one.
	return error instanceof SecretNotFoundError || error instanceof ForbiddenError;
}

/**
 * The one resolver path: metadata of each distinct name (user scope first, then the
 * workspace), then in mode `VALUES` the values of each distinct secret in one
 * `getSecrets` call per 1000 ids. Fails with every missing secret and key at once.
 */
async function lookup(
	secrets: Secrets,
	references: readonly SecretReference[],
	mode: Mode,
	options: ReferenceOptions,
): Promise<Found> {
	const concurrency = options.concurrency ?? 8;
	if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 64) {
		throw new ValidationError("Invalid concurrency: must be an integer from 1 to 64.", [
			{ path: "concurrency", message: "must be an integer from 1 to 64" },
		]);
	}
	const names = [...new Set(references.map((r) => r.name))];
	const ids = new Map<string, string>();
	const found: Found = { keys: new Map(), values: new Map() };
	const lookupOptions = options.workspace === undefined ? {} : { workspace: options.workspace };
	await pool(names, concurrency, async (name) => {
		try {
			const metadata = await secrets.getSecretMetadataByName(name, lookupOptions);
			ids.set(name, metadata.id);
			found.keys.set(name, metadata.keys);
		} catch (error) {
			if (!isInvisible(error)) throw error;
		}
	});
	if (mode === "VALUES") {
		// Two names can point at one secret only across a concurrent rename; both get its values.
		const byId = new Map<string, string[]>();
		for (const [name, id] of ids) byId.set(id, [...(byId.get(id) ?? []), name]);
		const all = [...byId.keys()];
		for (let i = 0; i < all.length; i += LIMITS.maxPageSize) {
			for (const secret of await secrets.getSecrets(all.slice(i, i + LIMITS.maxPageSize))) {
				for (const name of byId.get(secret.id) ?? []) found.values.set(name, secret.values);
			}
		}
	}
	const missing: MissingReference[] = [];
	for (const ref of references) {
		const base = { reference: ref.reference, name: ref.name, key: ref.key, path: ref.path };
		const exists = mode === "VALUES" ? found.values.has(ref.name) : found.keys.has(ref.name);
		if (!exists) {
			missing.push({ ...base, reason: "secret-not-found" });
			continue;
		}
		const hasKey =
			mode === "VALUES"
				? Object.hasOwn(found.values.get(ref.name)!, ref.key)
				: mode === "SECRET_EXISTS" || found.keys.get(ref.name)!.includes(ref.key);
		if (!hasKey) missing.push({ ...base, reason: "key-not-found" });
	}
	if (missing.length > 0) throw unresolved(missing);
	return found;
}

function unresolved(missing: MissingReference[]): UnresolvedReferenceError {
	const shown = missing
		.slice(0, 10)
		.map((m) => `${m.reference} (${m.reason === "secret-not-found" ? "secret" : "key"} not found)`)
		.join(", ");
	const more = missing.length > 10 ? ` and ${missing.length - 10} more` : "";
	return new UnresolvedReferenceError(
		`${missing.length} secret reference${missing.length === 1 ? "" : "s"} could not be resolved: ${shown}${more}.`,
		{ details: { missing } },
	);
}

/**
 * Returns a copy of `value` with every `{{name.key}}` in its strings replaced by the
 * value of that key, as seen by the caller of `secrets`. Object keys are not resolved;
 * substituted values are not scanned again (no nesting, no cycles). The input is not
 * changed.
 *
 * @throws ValidationError when a `{{` is not a valid reference or a limit is exceeded.
 * @throws UnresolvedReferenceError listing every missing secret and key (`details.missing`).
 *
 * @example
 * const config = await resolveReferences(secrets, { url: "postgres://{{db.user}}:{{db.password}}@db:5432/app" });
 */
export async function resolveReferences<T>(
	secrets: Secrets,
	value: T,
	options: ReferenceOptions = {},
): Promise<T> {
	const scan = scanDocument(value, options.limits);
	const references = [...scan.references.values()];
	const found =
		references.length === 0
			? { keys: new Map(), values: new Map<string, SecretValues>() }
			: await lookup(secrets, references, "VALUES", options);
	return rebuildDocument(
		value,
		scan,
		(name, key) => found.values.get(name)![key]!,
		options.limits,
	) as T;
}

/**
 * Checks the references of a document without resolving them, through the same
 * resolver as {@link resolveReferences}:
 * - `NONE`: the grammar and limits only, no lookup;
 * - `SECRET_EXISTS`: every referenced secret is visible to the caller (metadata only);
 * - `SECRET_AND_KEY_EXISTS`: and has the key (metadata only: the catalog knows key names).
 *
 * No level reads a value, so validation needs no permission to read values.
 *
 * @throws ValidationError for malformed references, UnresolvedReferenceError for missing ones.
 */
export async function validateReferences(
	secrets: Secrets,
	value: unknown,
	options: ValidateReferencesOptions = {},
): Promise<ReferenceValidation> {
	const level = options.level ?? validationLevelFromEnv();
	if (!VALIDATION_LEVELS.includes(level)) {
		throw new ValidationError(
			`Invalid validation level: must be one of ${VALIDATION_LEVELS.join(", ")}.`,
			[{ path: "level", message: `must be one of ${VALIDATION_LEVELS.join(", ")}` }],
		);
	}
	const references = findReferences(value, options.limits);
	if (level !== "NONE" && references.length > 0) {
		await lookup(secrets, references, level, options);
	}
	return { level, references };
}
