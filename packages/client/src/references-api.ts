/**
 * References and operator calls: `resolve` and `validateReferences` (one request to
 * `POST /api/v1/resolve`, resolved on the server for this client's caller), and the
 * admin-only `doctor` and `resync`.
 */
import {
	type ReferenceValidation,
	type SecretReference,
	VALIDATION_LEVELS,
	type ValidationLevel,
	validationLevelFromEnv,
} from "@strongbox/core";
import { checkSegment, invalid } from "./shapes.js";
import type { CallOptions } from "./transport.js";
import type {
	DoctorReport,
	ResolveOptions,
	ResyncReport,
	StrongboxClient,
	ValidateOptions,
} from "./types.js";

/** The calls of {@link StrongboxClient} added for references and operations. */
export type ReferencesApi = Pick<
	StrongboxClient,
	"resolve" | "validateReferences" | "doctor" | "resync"
>;

function checkDocument(document: unknown): void {
	if (document === undefined || typeof document === "function" || typeof document === "symbol") {
		invalid("Invalid document", [{ path: "document", message: "must be a JSON value" }]);
	}
}

function lookup(options: { workspace?: string }): { workspace?: string } {
	if (options.workspace === undefined) return {};
	checkSegment(options.workspace, "workspace", 64);
	return { workspace: options.workspace };
}

/** The references and operator calls over `call`. */
export function referencesApi(call: (c: CallOptions) => Promise<unknown>): ReferencesApi {
	return {
		async resolve<T>(document: T, options: ResolveOptions = {}): Promise<T> {
			checkDocument(document);
			const body = (await call({
				method: "POST",
				path: "/api/v1/resolve",
				body: { document, ...lookup(options) },
				idempotent: true,
			})) as { document: T };
			return body.document;
		},
		async validateReferences(document: unknown, options: ValidateOptions = {}) {
			checkDocument(document);
			// Like core's `validateReferences`: the level of this process's environment by default.
			const level: ValidationLevel = options.level ?? validationLevelFromEnv();
			if (!VALIDATION_LEVELS.includes(level)) {
				invalid("Invalid validation level", [
					{ path: "level", message: `must be one of ${VALIDATION_LEVELS.join(", ")}` },
				]);
			}
			const body = (await call({
				method: "POST",
				path: "/api/v1/resolve",
				body: { document, validateOnly: true, level, ...lookup(options) },
				idempotent: true,
			})) as { level: ValidationLevel; references: SecretReference[] };
			return { level: body.level, references: body.references } satisfies ReferenceValidation;
		},
		async doctor() {
			return (await call({
				method: "GET",
				path: "/api/v1/admin/doctor",
				idempotent: true,
			})) as DoctorReport;
		},
		async resync() {
			return (await call({ method: "POST", path: "/api/v1/admin/resync" })) as ResyncReport;
		},
	};
}
