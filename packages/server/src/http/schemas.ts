/**
 * The zod schemas of every request and response: requests are parsed with them
 * (unknown fields refused, every string and array bounded) and the OpenAPI document is
 * generated from the same objects. Rules that belong to the model (name and key
 * alphabets, value sizes, dates) stay in core, which checks them on every call.
 */
import { z } from "zod";

const str = (max: number) => z.string().max(max);
const name = str(255).meta({ description: "1–255 letters, digits, '-' and '_'" });
const workspace = str(64).meta({ description: "1–64 letters, digits, '-' and '_'" });
const scope = z.enum(["workspace", "user"]);
const isoDate = z.string().meta({ format: "date-time" });
const digits = z.string().regex(/^\d{1,7}$/, "must be a positive integer");

// ── Secrets ────────────────────────────────────────────────────────────────────

export const secretIdParams = z.strictObject({ id: str(64).meta({ format: "uuid" }) });
export const secretNameParams = z.strictObject({ name });

export const createSecretBody = z.strictObject({
	name,
	values: z
		.record(str(255), z.string())
		.meta({ description: "key → value; bounded by the values size limit" }),
	scope: scope.optional(),
	workspace: workspace.optional(),
});

export const updateSecretBody = z.strictObject({
	name: name.optional(),
	scope: scope.optional(),
	values: z
		.record(str(255), z.string().nullable())
		.meta({ description: "merged into the current values; null removes a key" })
		.optional(),
});

export const listSecretsQuery = z.strictObject({
	name: str(300)
		.meta({
			description: "`<op>:<value>` with op equals|contains|startswith|endswith, or a bare name",
		})
		.optional(),
	scope: scope.optional(),
	workspace: workspace.optional(),
	owner: str(255).optional(),
	createdAfter: str(64).meta({ format: "date-time" }).optional(),
	createdBefore: str(64).meta({ format: "date-time" }).optional(),
	updatedAfter: str(64).meta({ format: "date-time" }).optional(),
	updatedBefore: str(64).meta({ format: "date-time" }).optional(),
	sortBy: z.enum(["name", "createdAt", "updatedAt"]).optional(),
	sortOrder: z.enum(["asc", "desc"]).optional(),
	page: digits.optional(),
	size: digits.optional(),
});

export const lookupQuery = z.strictObject({
	workspace: workspace.optional(),
	scope: scope.optional(),
});

export const getManyBody = z.strictObject({
	ids: z.array(str(64)).max(1000),
});

export const secretMetadata = z
	.object({
		id: z.string().meta({ format: "uuid" }),
		name: z.string(),
		scope,
		workspace: z.string(),
		owner: z.string().nullable(),
		keys: z.array(z.string()),
		version: z.number().int(),
		createdAt: isoDate,
		updatedAt: isoDate,
		backend: z.string(),
	})
	.meta({ id: "SecretMetadata" });

export const secret = secretMetadata
	.extend({ values: z.record(z.string(), z.string()) })
	.meta({ id: "Secret" });

export const secretPage = z
	.object({
		items: z.array(secretMetadata),
		page: z.number().int(),
		size: z.number().int(),
		total: z.number().int(),
		totalPages: z.number().int(),
	})
	.meta({ id: "SecretMetadataPage" });

export const secretList = z.object({ items: z.array(secret) }).meta({ id: "SecretList" });

// ── References ─────────────────────────────────────────────────────────────────

const validationLevel = z.enum(["NONE", "SECRET_EXISTS", "SECRET_AND_KEY_EXISTS"]);

export const resolveBody = z.strictObject({
	document: z.unknown().meta({
		description:
			"Any JSON value; `{{name.key}}` in its strings is replaced by that key of the secret `name` (the caller's user scope first, then the workspace)",
	}),
	validateOnly: z.boolean().optional().meta({
		description: "Check the references without reading a value; answers `{ level, references }`",
	}),
	level: validationLevel.optional().meta({
		description: "With validateOnly: how much to check. @default SECRET_AND_KEY_EXISTS",
	}),
	workspace: workspace
		.optional()
		.meta({ description: "Look names up in this workspace instead of the caller's" }),
});

const secretReference = z
	.object({ reference: z.string(), name: z.string(), key: z.string(), path: z.string() })
	.meta({ id: "SecretReference" });

export const resolveResult = z
	.union([
		z.object({ document: z.unknown() }),
		z.object({ level: validationLevel, references: z.array(secretReference) }),
	])
	.meta({ id: "ResolveResult" });

// ── Administration ─────────────────────────────────────────────────────────────

const check = { ok: z.boolean(), error: z.string().optional(), message: z.string().optional() };

export const doctorReport = z
	.object({
		ok: z.boolean(),
		catalog: z.object(check),
		stores: z.array(
			z.object({
				name: z.string(),
				type: z.string(),
				role: z.enum(["primary", "secondary", "backup"]),
				...check,
			}),
		),
		unsettled: z.number().int().nullable(),
		divergences: z
			.array(
				z.object({
					store: z.string(),
					id: z.string(),
					op: z.enum(["set", "delete"]),
					side: z.enum(["primary", "backup"]),
					at: isoDate,
					version: z.number().int().nullable(),
				}),
			)
			.nullable(),
	})
	.meta({ id: "DoctorReport" });

export const resyncReport = z
	.object({
		repaired: z.number().int(),
		failed: z.array(z.object({ store: z.string(), id: z.string(), reason: z.string() })),
	})
	.meta({ id: "ResyncReport" });

// ── Identity ───────────────────────────────────────────────────────────────────

const userName = str(255);
const role = z.enum(["admin", "member"]);

export const userParams = z.strictObject({ name: userName });
export const workspaceParams = z.strictObject({ name: workspace });
export const memberParams = z.strictObject({ name: workspace, user: userName });
export const tokenParams = z.strictObject({ id: str(64) });

export const createUserBody = z.strictObject({
	name: userName,
	admin: z.boolean().optional(),
	defaultWorkspace: workspace,
});

export const updateUserBody = z.strictObject({
	admin: z.boolean().optional(),
	disabled: z.boolean().optional(),
	defaultWorkspace: workspace.optional(),
});

export const createWorkspaceBody = z.strictObject({ name: workspace });
export const setMemberBody = z.strictObject({ role });

export const createTokenBody = z.strictObject({
	name: str(255),
	user: userName.optional().meta({ description: "another user's token (admins only)" }),
	expiresAt: str(64).meta({ format: "date-time" }).optional(),
	expiresInSeconds: z
		.number()
		.int()
		.min(60)
		.max(10 * 366 * 24 * 3600)
		.optional(),
});

export const tokensQuery = z.strictObject({ user: userName.optional() });

export const auditQuery = z.strictObject({
	actor: userName.optional(),
	secretId: str(64).optional(),
	op: str(64).optional(),
	outcome: str(64).optional(),
	since: str(64).meta({ format: "date-time" }).optional(),
	until: str(64).meta({ format: "date-time" }).optional(),
	page: digits.optional(),
	size: digits.optional(),
});

export const user = z
	.object({
		name: z.string(),
		admin: z.boolean(),
		disabled: z.boolean(),
		defaultWorkspace: z.string(),
		createdAt: isoDate,
	})
	.meta({ id: "User" });

export const workspaceSchema = z
	.object({ name: z.string(), createdAt: isoDate })
	.meta({ id: "Workspace" });

export const membership = z
	.object({ workspace: z.string(), user: z.string(), role, createdAt: isoDate })
	.meta({ id: "Membership" });

export const tokenInfo = z
	.object({
		id: z.string(),
		user: z.string(),
		name: z.string(),
		createdBy: z.string(),
		createdAt: isoDate,
		expiresAt: isoDate.nullable(),
		revokedAt: isoDate.nullable(),
		lastUsedAt: isoDate.nullable(),
	})
	.meta({ id: "TokenInfo" });

export const createdToken = z
	.object({ token: z.string().meta({ description: "shown once" }), info: tokenInfo })
	.meta({ id: "CreatedToken" });

export const whoami = z
	.object({
		user: z.string(),
		admin: z.boolean(),
		workspace: z.string(),
		defaultWorkspace: z.string(),
		workspaces: z.array(z.object({ workspace: z.string(), role })),
		tokenId: z.string(),
	})
	.meta({ id: "Whoami" });

export const auditRecord = z
	.object({
		id: z.string(),
		at: isoDate,
		actor: z.string(),
		op: z.string(),
		secretId: z.string().nullable(),
		secretName: z.string().nullable(),
		workspace: z.string().nullable(),
		target: z.string().nullable(),
		outcome: z.string(),
		status: z.number().int(),
		requestId: z.string(),
		sourceIp: z.string().nullable(),
	})
	.meta({ id: "AuditRecord" });

export const auditPage = z
	.object({
		items: z.array(auditRecord),
		page: z.number().int(),
		size: z.number().int(),
		total: z.number().int(),
		totalPages: z.number().int(),
	})
	.meta({ id: "AuditPage" });

export const listOf = <T extends z.ZodType>(item: T, id: string) =>
	z.object({ items: z.array(item) }).meta({ id });

// ── System ─────────────────────────────────────────────────────────────────────

export const health = z
	.object({
		status: z.enum(["ok", "unavailable"]),
		checks: z.record(z.string(), z.object({ ok: z.boolean(), code: z.string().optional() })),
	})
	.meta({ id: "Health" });

export const errorBodySchema = z
	.object({
		error: z.object({
			code: z.string(),
			message: z.string(),
			details: z.record(z.string(), z.unknown()).optional(),
			requestId: z.string(),
		}),
	})
	.meta({ id: "Error" });
