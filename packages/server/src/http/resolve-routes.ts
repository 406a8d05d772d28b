/**
 * `POST /api/v1/resolve`: core's `resolveReferences` / `validateReferences` on the
 * server, for the caller (`runtime.secrets.as(caller)`), in one request instead of one
 * lookup per name. A secret the caller may not see is reported like a missing one.
 *
 * Bounds: the body limit, at most {@link RESOLVE_LIMITS}.maxReferences references, and
 * a resolved document of at most {@link MAX_RESOLVED_BYTES}. Audit: one entry per secret
 * whose values were read (`resolve`) or whose metadata was looked up (`resolve.validate`),
 * by id and name; never a value.
 */
import {
	PayloadTooLargeError,
	type ReferenceLimits,
	resolveReferences,
	type SecretMetadata,
	type Secrets,
	ValidationError,
	validateReferences,
} from "@strongbox/core";
import { type AuditSubject, auditMany } from "./audited.js";
import { statusOf, toStrongboxError } from "./errors.js";
import { defineRoute } from "./route.js";
import { resolveBody, resolveResult } from "./schemas.js";

/**
 * Reference limits of the endpoint: core's, with fewer references, since every
 * occurrence may expand into a whole value (1000 × 64 KiB at most by default).
 */
export const RESOLVE_LIMITS: Required<ReferenceLimits> = {
	maxReferences: 1000,
	maxDepth: 64,
	maxStringLength: 1_048_576,
};

/** Largest resolved document the endpoint answers (bytes of its JSON); 413 above. */
export const MAX_RESOLVED_BYTES = 16 * 1024 * 1024;

/** `secrets`, recording the secrets whose metadata or values the resolver read. */
function recording(secrets: Secrets) {
	const looked = new Map<string, SecretMetadata>();
	const read = new Map<string, SecretMetadata>();
	const view: Secrets = {
		createSecret: (input) => secrets.createSecret(input),
		getSecret: (id) => secrets.getSecret(id),
		getSecretByName: (name, options) => secrets.getSecretByName(name, options),
		getSecretMetadata: (id) => secrets.getSecretMetadata(id),
		async getSecretMetadataByName(name, options) {
			const found = await secrets.getSecretMetadataByName(name, options);
			looked.set(found.id, found);
			return found;
		},
		async getSecrets(ids) {
			const found = await secrets.getSecrets(ids);
			for (const secret of found) read.set(secret.id, secret);
			return found;
		},
		listSecrets: (filter) => secrets.listSecrets(filter),
		updateSecret: (id, input) => secrets.updateSecret(id, input),
		deleteSecret: (id, options) => secrets.deleteSecret(id, options),
	};
	return { view, looked, read };
}

function subjects(
	touched: Map<string, SecretMetadata>,
	outcome: string,
	status: number,
): Array<AuditSubject & { outcome: string; status: number }> {
	if (touched.size === 0) return [{ outcome, status }];
	return [...touched.values()].map((s) => ({
		secretId: s.id,
		secretName: s.name,
		workspace: s.workspace,
		outcome,
		status,
	}));
}

/** The references route. */
export const resolveRoutes = [
	defineRoute({
		method: "POST",
		url: "/api/v1/resolve",
		operationId: "resolveReferences",
		summary:
			"Resolve the {{name.key}} references of a JSON document for the caller, or only validate them",
		tag: "references",
		auth: "token",
		body: resolveBody,
		responses: {
			200: {
				description:
					"`{ document }`: the resolved document; with validateOnly, `{ level, references }` (no value is read)",
				schema: resolveResult,
			},
		},
		errors: [400, 401, 413, 422, 429, 503],
		async handler(ctx) {
			const { document, validateOnly, level, workspace } = ctx.body;
			if (level !== undefined && validateOnly !== true) {
				throw new ValidationError("Invalid body: level: applies only with validateOnly", [
					{ path: "level", message: "applies only with validateOnly" },
				]);
			}
			const { view, looked, read } = recording(ctx.secrets);
			const options = {
				limits: RESOLVE_LIMITS,
				...(workspace === undefined ? {} : { workspace }),
			};
			const op = validateOnly ? "resolve.validate" : "resolve";
			const touched = validateOnly ? looked : read;
			let body: unknown;
			try {
				if (validateOnly) {
					const result = await validateReferences(view, document, {
						...options,
						level: level ?? "SECRET_AND_KEY_EXISTS",
					});
					body = { level: result.level, references: result.references };
				} else {
					const resolved = await resolveReferences(view, document, options);
					body = { document: resolved };
					// Counted before fastify serialises it again: one copy more, bounded.
					if (Buffer.byteLength(JSON.stringify(body)) > MAX_RESOLVED_BYTES) {
						throw new PayloadTooLargeError(
							`The resolved document would be larger than ${MAX_RESOLVED_BYTES} bytes.`,
						);
					}
				}
			} catch (error) {
				const mapped = toStrongboxError(error);
				await auditMany(ctx, op, subjects(touched, mapped.code, statusOf(mapped, false))).catch(
					() => {},
				);
				throw error;
			}
			await auditMany(ctx, op, subjects(touched, "ok", 200));
			return { body };
		},
	}),
];
