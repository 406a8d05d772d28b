/**
 * The Secrets checks can fail: a `Secrets` wrapper reproducing one mistake at a time
 * (the kind an HTTP server or client could make) is caught by the check meant for it.
 */
import {
	ConflictError,
	createMemoryStore,
	createSecrets,
	ForbiddenError,
	memoryCatalog,
	type Secret,
	type SecretFilter,
	SecretNotFoundError,
	type Secrets,
} from "@strongbox/core";
import { describe, expect, it } from "vitest";
import {
	runSecretsCheck,
	type SecretsCheck,
	type SecretsFixture,
	secretsChecks,
} from "../src/secrets-suite.js";

type Flaw = (inner: Secrets) => Partial<Secrets>;

function fixture(flaw: Flaw): SecretsFixture {
	const alice = createSecrets({
		catalog: memoryCatalog(),
		store: createMemoryStore(),
		caller: { user: "alice", workspace: "ws-a" },
	});
	const wrap = (inner: Secrets): Secrets => {
		const overrides = flaw(inner);
		return new Proxy(inner, {
			get: (target, prop, receiver) =>
				prop in overrides ? overrides[prop as keyof Secrets] : Reflect.get(target, prop, receiver),
		});
	};
	return {
		alice: wrap(alice),
		bob: wrap(alice.as({ user: "bob", workspace: "ws-a" })),
		carol: wrap(alice.as({ user: "carol", workspace: "ws-b" })),
		reconcile: () => alice.reconcile(),
		close: () => alice.close(),
	};
}

/** Regex of a SQL LIKE pattern, as a server that forgot to escape `%` and `_` would match. */
function like(pattern: string): RegExp {
	const body = pattern
		.split("")
		.map((c) => (c === "%" ? ".*" : c === "_" ? "." : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
		.join("");
	return new RegExp(`^${body}$`);
}

const flaws: [string, Flaw, SecretsCheck, RegExp][] = [
	[
		"outsiders get 403 instead of 404",
		(inner) => ({
			getSecret: (id) =>
				inner.getSecret(id).catch((e: unknown) => {
					throw e instanceof SecretNotFoundError ? new ForbiddenError("Forbidden.") : e;
				}),
		}),
		secretsChecks.otherWorkspaceInvisible,
		/expected a SecretNotFoundError, got ForbiddenError/,
	],
	[
		"lookup tries the workspace first",
		(inner) => ({
			getSecretByName: (name, options = {}) =>
				options.scope
					? inner.getSecretByName(name, options)
					: inner
							.getSecretByName(name, { ...options, scope: "workspace" })
							.catch(() => inner.getSecretByName(name, { ...options, scope: "user" })),
		}),
		secretsChecks.lookupOrder,
		/expected \{ from: 'workspace' \} to deeply equal \{ from: 'user' \}/,
	],
	[
		"listings carry values",
		(inner) => ({
			listSecrets: async (filter?: SecretFilter) => {
				const page = await inner.listSecrets(filter);
				const full = await inner.getSecrets(page.items.map((s) => s.id));
				return { ...page, items: full.map((s) => ({ ...s })) };
			},
		}),
		secretsChecks.listingsHaveNoValues,
		/carries values/,
	],
	[
		"returned secrets are plain objects",
		(inner) => ({ getSecret: async (id) => ({ ...(await inner.getSecret(id)) }) as Secret }),
		secretsChecks.maskedSecrets,
		/leaked into the Secret from getSecret/,
	],
	[
		"a conflict error quotes the rejected values",
		(inner) => ({
			updateSecret: (id, input) =>
				inner.updateSecret(id, input).catch((e: unknown) => {
					throw e instanceof ConflictError
						? new ConflictError(`Conflict writing ${JSON.stringify(input.values)}`)
						: e;
				}),
		}),
		secretsChecks.expectedVersion,
		/leaked into the error/,
	],
	[
		"expectedVersion is ignored",
		(inner) => ({
			updateSecret: (id, { expectedVersion: _ignored, ...input }) => inner.updateSecret(id, input),
		}),
		secretsChecks.concurrentVersionedUpdates,
		/to have a length of 1 but got 50/,
	],
	[
		"% and _ are wildcards",
		(inner) => ({
			listSecrets: async (filter: SecretFilter = {}) => {
				if (typeof filter.name !== "string" || !filter.name.includes(":")) {
					return inner.listSecrets(filter);
				}
				const [op, value] = filter.name.split(":") as [string, string];
				const pattern =
					op === "contains"
						? `%${value}%`
						: op === "startswith"
							? `${value}%`
							: op === "endswith"
								? `%${value}`
								: value;
				const { name: _name, ...rest } = filter;
				const all = await inner.listSecrets({ ...rest, size: 1000 });
				const items = all.items.filter((s) => like(pattern).test(s.name));
				return { ...all, items, total: items.length };
			},
		}),
		secretsChecks.literalWildcards,
		/deeply equal/,
	],
];

describe("each Secrets flaw is caught", () => {
	it.each(flaws)("%s", async (_title, flaw, check, pattern) => {
		const fx = fixture(flaw);
		let message: string | undefined;
		try {
			await runSecretsCheck(fx, check);
		} catch (error) {
			message = String((error as Error).message);
		} finally {
			await fx.close();
		}
		expect(message, `"${check.name}" did not catch the flaw`).toBeDefined();
		expect(message).toMatch(pattern);
	});

	it("the same checks pass on the unwrapped implementation", async () => {
		const fx = fixture(() => ({}));
		try {
			for (const [, , check] of flaws) await runSecretsCheck(fx, check);
		} finally {
			await fx.close();
		}
	});
});
