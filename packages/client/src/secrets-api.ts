/**
 * The `Secrets` methods over REST: each maps to one route of `/api/v1/secrets`.
 */
import {
	type CreateSecretInput,
	type DeleteSecretOptions,
	type LookupOptions,
	nameIssues,
	type Page,
	type SecretFilter,
	type Secrets,
	type UpdateSecretInput,
} from "@strongbox/core";
import {
	checkId,
	checkVersion,
	filterQuery,
	invalid,
	items,
	type Json,
	metadataOf,
	secretOf,
} from "./shapes.js";
import type { CallOptions } from "./transport.js";

const enc = encodeURIComponent;
const ifMatch = (version: number | undefined): Record<string, string> =>
	version === undefined ? {} : { "if-match": `"${version}"` };

function lookupQuery(lookup: LookupOptions | undefined): Record<string, string> {
	const query: Record<string, string> = {};
	if (lookup?.workspace !== undefined) query.workspace = String(lookup.workspace);
	if (lookup?.scope !== undefined) query.scope = String(lookup.scope);
	return query;
}

function checkName(name: unknown): asserts name is string {
	const problems = nameIssues(name);
	if (problems.length > 0) invalid("Invalid lookup", problems);
}

/** The Secrets API over `call`. */
export function secretsApi(call: (c: CallOptions) => Promise<unknown>): Secrets {
	return {
		async createSecret(input: CreateSecretInput) {
			return secretOf(
				(await call({ method: "POST", path: "/api/v1/secrets", body: input })) as Json,
			);
		},
		async getSecret(id) {
			checkId(id);
			return secretOf(
				(await call({ method: "GET", path: `/api/v1/secrets/${id}`, idempotent: true })) as Json,
			);
		},
		async getSecretByName(name, lookup) {
			checkName(name);
			return secretOf(
				(await call({
					method: "GET",
					path: `/api/v1/secrets/by-name/${enc(name)}`,
					query: lookupQuery(lookup),
					idempotent: true,
				})) as Json,
			);
		},
		async getSecretMetadata(id) {
			checkId(id);
			return metadataOf(
				(await call({
					method: "GET",
					path: `/api/v1/secrets/${id}/metadata`,
					idempotent: true,
				})) as Json,
			);
		},
		async getSecretMetadataByName(name, lookup) {
			checkName(name);
			return metadataOf(
				(await call({
					method: "GET",
					path: `/api/v1/secrets/by-name/${enc(name)}/metadata`,
					query: lookupQuery(lookup),
					idempotent: true,
				})) as Json,
			);
		},
		async getSecrets(ids) {
			const body = await call({
				method: "POST",
				path: "/api/v1/secrets/get-many",
				body: { ids },
				idempotent: true,
			});
			return items(body).map(secretOf);
		},
		async listSecrets(filter: SecretFilter = {}) {
			const body = (await call({
				method: "GET",
				path: "/api/v1/secrets",
				query: filterQuery(filter),
				idempotent: true,
			})) as Page<Json>;
			return { ...body, items: body.items.map(metadataOf) };
		},
		async updateSecret(id, input: UpdateSecretInput) {
			checkId(id);
			if (typeof input !== "object" || input === null)
				invalid("Invalid update", [{ path: "(input)", message: "must be an object" }]);
			checkVersion(input.expectedVersion, "Invalid update");
			const { expectedVersion, ...body } = input;
			return secretOf(
				(await call({
					method: "PATCH",
					path: `/api/v1/secrets/${id}`,
					body,
					headers: ifMatch(expectedVersion),
				})) as Json,
			);
		},
		async deleteSecret(id, deleteOptions: DeleteSecretOptions = {}) {
			checkId(id);
			checkVersion(deleteOptions.expectedVersion, "Invalid delete");
			await call({
				method: "DELETE",
				path: `/api/v1/secrets/${id}`,
				headers: ifMatch(deleteOptions.expectedVersion),
			});
		},
	};
}
