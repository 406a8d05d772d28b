/**
 * The per-test context of the Secrets suite. The fixture is shared by the whole suite, so
 * every name a test creates starts with the test's own random prefix, and listings are
 * narrowed to that prefix: tests never see each other's secrets.
 */
import {
	type Page,
	type Secret,
	type SecretFilter,
	type SecretMetadata,
	type Secrets,
	StrongboxError,
} from "@strongbox/core";
import { expect } from "vitest";
import type { SecretsFixture } from "../secrets-suite.js";
import { assertNoLeak } from "./leaks.js";
import { makeCanary, token } from "./samples.js";

/** What a Secrets check receives. */
export interface SecretsCheckContext {
	readonly fixture: SecretsFixture;
	/** `alice`, member of `ws-a`. */
	readonly alice: Secrets;
	/** `bob`, member of `ws-a`. */
	readonly bob: Secrets;
	/** `carol`, member of `ws-b` only. */
	readonly carol: Secrets;
	/** This test's random prefix; every name it creates starts with it. */
	readonly prefix: string;
	/** A new unique name: `<prefix>-<suffix or random>`. */
	name(suffix?: string): string;
	/** A new canary value; every error and returned object checked by this context is searched for it. */
	canary(): string;
	/** Expects a rejection with an instance of `type`, and checks that no canary leaks through it. */
	rejects<E extends Error>(
		promise: Promise<unknown>,
		type: abstract new (...args: never[]) => E,
	): Promise<E>;
	/** Throws when a canary appears in any rendering of `value` (String, JSON, inspect...). */
	noLeak(value: unknown, what?: string): void;
	/** `who.listSecrets` narrowed to this test's names. */
	list(who: Secrets, filter?: SecretFilter): Promise<Page<SecretMetadata>>;
	/** Marks the test skipped, with the reason shown in the report. */
	skip(reason: string): never;
}

/** A Secrets check: one rule of the API, runnable on its own against any fixture. */
export interface SecretsCheck {
	name: string;
	run(ctx: SecretsCheckContext): Promise<void>;
}

/** A secret as plain data (dates as epoch ms), for comparing what two calls returned. */
export function plain(secret: SecretMetadata | Secret): Record<string, unknown> {
	const { createdAt, updatedAt, ...rest } = secret;
	return { ...rest, createdAt: createdAt.getTime(), updatedAt: updatedAt.getTime() };
}

/** Runs one check against `fixture`. `skip` is the test runner's own skip (vitest's `ctx.skip`). */
export async function runSecretsCheck(
	fixture: SecretsFixture,
	check: SecretsCheck,
	skip: (reason: string) => never = (reason) => {
		throw new Error(`Skipped: ${reason}`);
	},
): Promise<void> {
	const prefix = token();
	const canaries: string[] = [];
	const ctx: SecretsCheckContext = {
		fixture,
		alice: fixture.alice,
		bob: fixture.bob,
		carol: fixture.carol,
		prefix,
		name: (suffix) => `${prefix}-${suffix ?? token()}`,
		canary() {
			const c = makeCanary();
			canaries.push(c);
			return c;
		},
		async rejects(promise, type) {
			let error: unknown;
			try {
				await promise;
			} catch (e) {
				error = e;
			}
			expect(error, `expected a ${type.name}, but the call succeeded`).toBeDefined();
			assertNoLeak(error, canaries);
			if (!(error instanceof type)) {
				const got =
					error instanceof StrongboxError
						? `${error.name} (${error.code}): ${error.message}`
						: String((error as Error)?.stack ?? error);
				expect.fail(`expected a ${type.name}, got ${got}`);
			}
			return error as never;
		},
		noLeak: (value, what = "returned object") => assertNoLeak(value, canaries, what),
		list: (who, filter = {}) => who.listSecrets({ name: `startswith:${prefix}`, ...filter }),
		skip,
	};
	await check.run(ctx);
}
