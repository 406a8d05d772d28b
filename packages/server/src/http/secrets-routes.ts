/**
 * `/api/v1/secrets`: the Secrets API over REST. Every rule (validation, visibility,
 * merge, versions) is core's; this file maps HTTP onto it, sets `ETag: "<version>"` on
 * every secret answer, honours `If-Match` on PATCH and DELETE, and audits every call.
 * A secret the caller may not see answers 404 exactly like a missing one (core does it).
 */
import {
	metadataToJSON,
	type Secret,
	type SecretFilter,
	type SecretMetadata,
	secretToJSON,
	ValidationError,
} from "@strongbox/core";
import { audited, auditMany } from "./audited.js";
import { statusOf, toStrongboxError } from "./errors.js";
import { defineRoute, etag } from "./route.js";
import {
	createSecretBody,
	getManyBody,
	listSecretsQuery,
	lookupQuery,
	secret,
	secretIdParams,
	secretList,
	secretMetadata,
	secretNameParams,
	secretPage,
	updateSecretBody,
} from "./schemas.js";

const BASE = "/api/v1/secrets";
const TAG = "secrets";

function secretReply(value: Secret, status = 200) {
	return { status, body: secretToJSON(value), headers: { etag: etag(value.version) } };
}

function metadataReply(value: SecretMetadata) {
	return { body: metadataToJSON(value), headers: { etag: etag(value.version) } };
}

const subjectOf = (s: SecretMetadata) => ({
	secretId: s.id,
	secretName: s.name,
	workspace: s.workspace,
});

/** The secrets routes. */
export const secretRoutes = [
	defineRoute({
		method: "POST",
		url: BASE,
		operationId: "createSecret",
		summary: "Create a secret",
		tag: TAG,
		auth: "token",
		body: createSecretBody,
		responses: { 201: { description: "Created", schema: secret, headers: ["ETag", "Location"] } },
		errors: [400, 401, 403, 409, 413, 429, 503],
		async handler(ctx) {
			const created = await audited(
				ctx,
				{
					op: "secret.create",
					kind: "write",
					status: 201,
					subject: {
						secretName: ctx.body.name,
						workspace: ctx.body.workspace ?? ctx.caller.workspace,
					},
					describe: subjectOf,
				},
				() => ctx.secrets.createSecret(ctx.body),
			);
			const reply = secretReply(created, 201);
			return { ...reply, headers: { ...reply.headers, location: `${BASE}/${created.id}` } };
		},
	}),
	defineRoute({
		method: "GET",
		url: BASE,
		operationId: "listSecrets",
		summary: "List secrets (metadata only) with filters, sort and page",
		tag: TAG,
		auth: "token",
		query: listSecretsQuery,
		responses: { 200: { description: "One page", schema: secretPage } },
		errors: [400, 401, 429, 503],
		async handler(ctx) {
			const { page, size, ...rest } = ctx.query;
			const max = ctx.services.config.limits.maxPageSize;
			if (size !== undefined && Number(size) > max) {
				throw new ValidationError(`Invalid filter: size: must be at most ${max}`, [
					{ path: "size", message: `must be an integer from 1 to ${max}` },
				]);
			}
			const filter: SecretFilter = {
				...rest,
				...(page === undefined ? {} : { page: Number(page) }),
				...(size === undefined ? {} : { size: Number(size) }),
			};
			const result = await audited(
				ctx,
				{ op: "secret.list", kind: "read", subject: { workspace: rest.workspace ?? null } },
				() => ctx.secrets.listSecrets(filter),
			);
			return { body: { ...result, items: result.items.map(metadataToJSON) } };
		},
	}),
	defineRoute({
		method: "POST",
		url: `${BASE}/get-many`,
		operationId: "getSecrets",
		summary: "Read the values of many secrets (invisible or missing ids are left out)",
		tag: TAG,
		auth: "token",
		body: getManyBody,
		responses: {
			200: { description: "The visible secrets, in the order asked", schema: secretList },
		},
		errors: [400, 401, 429, 503],
		async handler(ctx) {
			let found: Secret[];
			try {
				found = await ctx.secrets.getSecrets(ctx.body.ids);
			} catch (error) {
				const mapped = toStrongboxError(error);
				await auditMany(ctx, "secret.get-many", [
					{ outcome: mapped.code, status: statusOf(mapped, false) },
				]).catch(() => {});
				throw error;
			}
			const byId = new Map(found.map((s) => [s.id, s]));
			const asked = [...new Set(ctx.body.ids)];
			await auditMany(
				ctx,
				"secret.get-many",
				asked.map((id) => {
					const s = byId.get(id);
					return s
						? { ...subjectOf(s), outcome: "ok", status: 200 }
						: { secretId: id.slice(0, 36), outcome: "SECRET_NOT_FOUND", status: 200 };
				}),
			);
			return { body: { items: found.map(secretToJSON) } };
		},
	}),
	defineRoute({
		method: "GET",
		url: `${BASE}/by-name/:name`,
		operationId: "getSecretByName",
		summary: "Read a secret by name: the caller's user scope first, then the workspace",
		tag: TAG,
		auth: "token",
		params: secretNameParams,
		query: lookupQuery,
		responses: { 200: { description: "The secret", schema: secret, headers: ["ETag"] } },
		errors: [400, 401, 404, 429, 503],
		async handler(ctx) {
			const found = await audited(
				ctx,
				{
					op: "secret.get-by-name",
					kind: "read",
					subject: {
						secretName: ctx.params.name,
						workspace: ctx.query.workspace ?? ctx.caller.workspace,
					},
					describe: subjectOf,
				},
				() => ctx.secrets.getSecretByName(ctx.params.name, ctx.query),
			);
			return secretReply(found);
		},
	}),
	defineRoute({
		method: "GET",
		url: `${BASE}/by-name/:name/metadata`,
		operationId: "getSecretMetadataByName",
		summary: "Metadata of a secret by name (no value is read)",
		tag: TAG,
		auth: "token",
		params: secretNameParams,
		query: lookupQuery,
		responses: { 200: { description: "The metadata", schema: secretMetadata, headers: ["ETag"] } },
		errors: [400, 401, 404, 429, 503],
		async handler(ctx) {
			const found = await audited(
				ctx,
				{
					op: "secret.metadata-by-name",
					kind: "read",
					subject: {
						secretName: ctx.params.name,
						workspace: ctx.query.workspace ?? ctx.caller.workspace,
					},
					describe: subjectOf,
				},
				() => ctx.secrets.getSecretMetadataByName(ctx.params.name, ctx.query),
			);
			return metadataReply(found);
		},
	}),
	defineRoute({
		method: "GET",
		url: `${BASE}/:id`,
		operationId: "getSecret",
		summary: "Read a secret with its values",
		tag: TAG,
		auth: "token",
		params: secretIdParams,
		responses: { 200: { description: "The secret", schema: secret, headers: ["ETag"] } },
		errors: [400, 401, 404, 429, 503],
		async handler(ctx) {
			const found = await audited(
				ctx,
				{
					op: "secret.get",
					kind: "read",
					subject: { secretId: ctx.params.id.slice(0, 36) },
					describe: subjectOf,
				},
				() => ctx.secrets.getSecret(ctx.params.id),
			);
			return secretReply(found);
		},
	}),
	defineRoute({
		method: "GET",
		url: `${BASE}/:id/metadata`,
		operationId: "getSecretMetadata",
		summary: "Metadata of a secret (no value is read)",
		tag: TAG,
		auth: "token",
		params: secretIdParams,
		responses: { 200: { description: "The metadata", schema: secretMetadata, headers: ["ETag"] } },
		errors: [400, 401, 404, 429, 503],
		async handler(ctx) {
			const found = await audited(
				ctx,
				{
					op: "secret.metadata",
					kind: "read",
					subject: { secretId: ctx.params.id.slice(0, 36) },
					describe: subjectOf,
				},
				() => ctx.secrets.getSecretMetadata(ctx.params.id),
			);
			return metadataReply(found);
		},
	}),
	defineRoute({
		method: "PATCH",
		url: `${BASE}/:id`,
		operationId: "updateSecret",
		summary: "Update a secret: values merge (null removes a key), rename, scope change",
		tag: TAG,
		auth: "token",
		ifMatch: true,
		params: secretIdParams,
		body: updateSecretBody,
		responses: {
			200: { description: "The secret after the update", schema: secret, headers: ["ETag"] },
		},
		errors: [400, 401, 403, 404, 409, 412, 413, 429, 503],
		async handler(ctx) {
			const updated = await audited(
				ctx,
				{
					op: "secret.update",
					kind: "write",
					subject: { secretId: ctx.params.id.slice(0, 36) },
					describe: subjectOf,
				},
				() =>
					ctx.secrets.updateSecret(ctx.params.id, {
						...ctx.body,
						...(ctx.ifMatch === undefined ? {} : { expectedVersion: ctx.ifMatch }),
					}),
			);
			return secretReply(updated);
		},
	}),
	defineRoute({
		method: "DELETE",
		url: `${BASE}/:id`,
		operationId: "deleteSecret",
		summary: "Delete a secret",
		tag: TAG,
		auth: "token",
		ifMatch: true,
		params: secretIdParams,
		responses: { 204: { description: "Deleted" } },
		errors: [400, 401, 404, 409, 412, 429, 503],
		async handler(ctx) {
			await audited(
				ctx,
				{
					op: "secret.delete",
					kind: "write",
					status: 204,
					subject: { secretId: ctx.params.id.slice(0, 36) },
				},
				() =>
					ctx.secrets.deleteSecret(
						ctx.params.id,
						ctx.ifMatch === undefined ? {} : { expectedVersion: ctx.ifMatch },
					),
			);
			return { status: 204 };
		},
	}),
];
