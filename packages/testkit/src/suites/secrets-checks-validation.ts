/**
 * Secrets checks of input rules: every rule refused with `ValidationError` (messages
 * never echoing the offending value), nothing written afterwards, and the size limit.
 */
import {
	PayloadTooLargeError,
	type SecretFilter,
	SecretNotFoundError,
	ValidationError,
} from "@strongbox/core";
import { expect } from "vitest";
import { valuesOfSize } from "./samples.js";
import type { SecretsCheck } from "./secrets-context.js";

/** Inputs of the wrong type are part of the test: callers over HTTP can send anything. */
// biome-ignore lint/suspicious/noExplicitAny: deliberately ill-typed input
type Loose = any;

function badNames(prefix: string, canary: string): unknown[] {
	return [
		"",
		".",
		`${prefix}.db`,
		`${prefix} db`,
		`${prefix}/db`,
		`${prefix}é`,
		`${prefix}名前`,
		`${prefix}\tdb`,
		`${prefix}-${canary} `,
		prefix + "a".repeat(256 - prefix.length),
		42,
		null,
		{ name: prefix },
	];
}

function badKeys(canary: string): string[] {
	return ["", "a.b", "has space", "k".repeat(256), "ключ", "$version", "a/b", `${canary}!`];
}

/** Names. */
export const invalidNames: SecretsCheck = {
	name: "invalid names are ValidationError everywhere (empty, 256 chars, dot, space, slash, unicode)",
	async run({ alice, prefix, name, canary, rejects, list }) {
		const target = await alice.createSecret({ name: name("target"), values: { k: "v" } });
		for (const bad of badNames(prefix, canary())) {
			await rejects(
				alice.createSecret({ name: bad as Loose, values: { k: "v" } }),
				ValidationError,
			);
			await rejects(alice.getSecretByName(bad as Loose), ValidationError);
			await rejects(alice.getSecretMetadataByName(bad as Loose), ValidationError);
			await rejects(alice.updateSecret(target.id, { name: bad as Loose }), ValidationError);
		}
		expect((await list(alice)).total).toBe(1);
		expect(await alice.getSecret(target.id)).toMatchObject({ name: target.name, version: 1 });
		// The boundary itself is valid: 255 characters.
		const longest = prefix + "a".repeat(255 - prefix.length);
		expect((await alice.createSecret({ name: longest, values: { k: "v" } })).name).toBe(longest);
	},
};

/** Keys and values. */
export const invalidValues: SecretsCheck = {
	name: "invalid keys, non-string values and non-object values are ValidationError and write nothing",
	async run({ alice, name, canary, rejects }) {
		const target = await alice.createSecret({ name: name("target"), values: { k: "v" } });
		const n = name();
		const secret = canary();
		const bad: unknown[] = [
			...badKeys(canary()).map((key) => ({ [key]: secret })),
			JSON.parse('{"__proto__":"x"}'),
			{ k: 1 },
			{ k: true },
			{ k: {} },
			{ k: [secret] },
			{ k: "\uD800 lone surrogate" },
			null,
			[secret],
			secret,
			42,
		];
		for (const values of bad) {
			await rejects(alice.createSecret({ name: n, values: values as Loose }), ValidationError);
			await rejects(alice.updateSecret(target.id, { values: values as Loose }), ValidationError);
		}
		// `null` removes a key in an update, but cannot be a value of a new secret.
		await rejects(alice.createSecret({ name: n, values: { k: null } as Loose }), ValidationError);
		await rejects(alice.getSecretByName(n), SecretNotFoundError);
		expect(await alice.getSecret(target.id)).toMatchObject({ version: 1, values: { k: "v" } });
		const longKey = "k".repeat(255);
		expect((await alice.createSecret({ name: n, values: { [longKey]: "v" } })).keys).toEqual([
			longKey,
		]);
	},
};

/** Unknown fields, bad scopes, workspaces, versions, empty updates. */
export const invalidFields: SecretsCheck = {
	name: "unknown fields, bad scope, workspace and expectedVersion, and empty updates are ValidationError",
	async run({ alice, name, canary, rejects }) {
		const target = await alice.createSecret({ name: name("target"), values: { k: "v" } });
		const n = name();
		const v = { k: canary() };
		const creates: unknown[] = [
			{ name: n, values: v, extra: 1 },
			{ name: n, values: v, owner: "bob" },
			{ name: n, values: v, id: target.id },
			{ name: n, values: v, scope: "global" },
			{ name: n, values: v, workspace: "bad workspace" },
			{ name: n },
			{ values: v },
		];
		for (const input of creates) await rejects(alice.createSecret(input as Loose), ValidationError);
		await rejects(alice.getSecretByName(n), SecretNotFoundError);
		const updates: unknown[] = [
			{},
			{ expectedVersion: 1 },
			{ values: v, extra: 1 },
			{ values: v, owner: "bob" },
			{ scope: "team" },
			{ values: v, expectedVersion: -1 },
			{ values: v, expectedVersion: 1.5 },
			{ values: v, expectedVersion: "1" },
		];
		for (const input of updates) {
			await rejects(alice.updateSecret(target.id, input as Loose), ValidationError);
		}
		await rejects(alice.deleteSecret(target.id, { expectedVersion: -1 }), ValidationError);
		expect(await alice.getSecret(target.id)).toMatchObject({ version: 1, values: { k: "v" } });
	},
};

/** Ids. */
export const invalidIds: SecretsCheck = {
	name: "ids that are not UUIDs are ValidationError for every call",
	async run({ alice, rejects, name }) {
		const target = await alice.createSecret({ name: name(), values: { k: "v" } });
		const ids = ["", "not-a-uuid", "123", "../../etc/passwd", `${target.id}x`, `${target.id}/..`];
		for (const id of ids) {
			await rejects(alice.getSecret(id), ValidationError);
			await rejects(alice.getSecretMetadata(id), ValidationError);
			await rejects(alice.updateSecret(id, { values: { k: "x" } }), ValidationError);
			await rejects(alice.deleteSecret(id), ValidationError);
			await rejects(alice.getSecrets([target.id, id]), ValidationError);
		}
		const tooMany = Array.from({ length: 1001 }, () => target.id);
		await rejects(alice.getSecrets(tooMany), ValidationError);
		await rejects(alice.getSecrets("nope" as Loose), ValidationError);
		expect(await alice.getSecret(target.id)).toMatchObject({ version: 1, values: { k: "v" } });
	},
};

/** Filters. */
export const invalidFilters: SecretsCheck = {
	name: "bad filters are ValidationError (unknown field, operator, scope, sort, page, size, dates)",
	async run({ alice, rejects }) {
		const filters: unknown[] = [
			{ bogus: 1 },
			{ name: "like:x" },
			{ name: "contains:" },
			{ name: "" },
			{ name: { op: "regex", value: "x" } },
			{ name: "x".repeat(256) },
			{ scope: "all" },
			{ workspace: "a b" },
			{ owner: "bad owner!" },
			{ sortBy: "id" },
			{ sortOrder: "up" },
			{ page: 0 },
			{ page: -1 },
			{ page: 1.5 },
			{ size: 0 },
			{ size: 1001 },
			{ createdAfter: "yesterday" },
			{ createdAfter: "2026-01-01T00:00:00" },
			{ createdBefore: "2026-01-01" },
			{ updatedAfter: "2026-13-01T00:00:00Z" },
			{ updatedBefore: 1767225600000 },
		];
		for (const filter of filters) {
			await rejects(alice.listSecrets(filter as SecretFilter), ValidationError);
		}
	},
};

/** The size limit. */
export const sizeLimit: SecretsCheck = {
	name: "values at the size limit are accepted; one byte more is PayloadTooLargeError and writes nothing",
	async run({ alice, fixture, name, canary, rejects }) {
		const max = fixture.maxValueBytes ?? 64 * 1024;
		const atLimit = valuesOfSize(max, canary());
		const ok = await alice.createSecret({ name: name(), values: atLimit });
		expect((await alice.getSecret(ok.id)).values.v === atLimit.v).toBe(true);
		const over = valuesOfSize(max + 1, canary());
		const n = name();
		await rejects(alice.createSecret({ name: n, values: over }), PayloadTooLargeError);
		await rejects(alice.getSecretByName(n), SecretNotFoundError);
		// An update is measured after the merge.
		const small = await alice.createSecret({ name: name(), values: { v: "x" } });
		await rejects(alice.updateSecret(small.id, { values: over }), PayloadTooLargeError);
		expect(await alice.getSecret(small.id)).toMatchObject({ version: 1, values: { v: "x" } });
	},
};
