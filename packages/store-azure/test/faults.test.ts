/**
 * A fault run: 200 random operations through `createSecrets` while Key Vault throttles 30%
 * of calls (429 + Retry-After) and fails 10% with 503. Every operation either succeeds or
 * fails with `StoreUnavailableError`; after the faults stop and reconciliation runs, the
 * catalog and the vault agree, and every acknowledged write reads back.
 */
import {
	decodePayload,
	type SecretsService,
	type SecretValues,
	StoreUnavailableError,
} from "@strongbox/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEPLOYMENT_TAG, SECRET_ID_TAG } from "../src/index.js";
import { type AzureEmulator, nameOf, openSecrets, startAzureEmulator } from "./emulator.js";

/** A small seeded generator, so a failing run can be replayed. */
function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const SEED = 20_260_401;
const DEPLOYMENT = "fault-run";

/** What the test knows about one secret: the values it may hold, and whether it may be gone. */
interface Expectation {
	candidates: SecretValues[];
	mayBeGone: boolean;
	gone: boolean;
}

let emu: AzureEmulator;
let secrets: SecretsService;

beforeAll(async () => {
	emu = await startAzureEmulator({ random: mulberry32(SEED) });
	// Two attempts instead of four: more operations exhaust their retries, so the failure
	// paths (undo of a create, abort of an update, unmark of a delete) run too.
	secrets = await openSecrets(emu, {
		deploymentId: DEPLOYMENT,
		store: { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 } },
	});
	await secrets.init();
});

afterAll(async () => {
	await secrets.close();
	await emu.close();
});

it("200 operations under 30% throttling and 10% 5xx end consistent after reconcile", async () => {
	const random = mulberry32(SEED + 1);
	const model = new Map<string, Expectation>();
	const live = () =>
		[...model.entries()].filter(([, e]) => !e.gone && !e.mayBeGone).map(([id]) => id);
	const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
	const outcomes = { ok: 0, unavailable: 0 };

	emu.inject({ kind: "throttle", fraction: 0.3 });
	emu.inject({ kind: "error", fraction: 0.1, status: 503 });

	for (let i = 0; i < 200; i++) {
		const roll = random();
		const id = pick(live());
		let onFailure: (() => void) | undefined;
		try {
			if (roll < 0.3 || id === undefined) {
				const values = { user: `u${i}`, password: `p${i}` };
				const created = await secrets.createSecret({ name: `s-${i}`, values });
				model.set(created.id, { candidates: [values], mayBeGone: false, gone: false });
			} else if (roll < 0.5) {
				const expectation = model.get(id)!;
				const got = await secrets.getSecret(id);
				expect(expectation.candidates).toContainEqual(got.values);
			} else if (roll < 0.7) {
				const expectation = model.get(id)!;
				const values = { user: `u${i}`, password: `p${i}-updated` };
				// Failed: the write may or may not have landed.
				onFailure = () => expectation.candidates.push(values);
				await secrets.updateSecret(id, {
					values: { password: values.password, user: values.user },
				});
				expectation.candidates = [values];
			} else if (roll < 0.8) {
				const expectation = model.get(id)!;
				onFailure = () => {
					expectation.mayBeGone = true;
				};
				await secrets.deleteSecret(id);
				expectation.gone = true;
			} else {
				await secrets.listSecrets({ name: "startswith:s-", sortBy: "updatedAt", size: 50 });
			}
			outcomes.ok++;
		} catch (error) {
			if (!(error instanceof StoreUnavailableError)) throw error;
			outcomes.unavailable++;
			onFailure?.();
		}
	}
	expect(outcomes.ok + outcomes.unavailable).toBe(200);
	// The run is meaningful only if some operations ran out of retries.
	expect(outcomes.unavailable).toBeGreaterThan(5);
	expect(emu.calls.filter((c) => c.fault === "throttle").length).toBeGreaterThan(10);
	expect(emu.calls.filter((c) => c.fault === "error").length).toBeGreaterThan(3);

	emu.clearFaults();
	await secrets.reconcile({ staleAfterMs: 0 });

	// Every secret the test knows of: an acknowledged state reads back exactly.
	for (const [id, expectation] of model) {
		const row = await secrets.catalog.get(id);
		const raw = emu.rawSecret(nameOf(id));
		if (expectation.gone) {
			expect(row, `deleted ${id} has no row`).toBeUndefined();
			expect(raw, `deleted ${id} is not in the vault`).toBeUndefined();
			continue;
		}
		if (row === undefined) {
			expect(expectation.mayBeGone, `${id} vanished without a delete`).toBe(true);
			expect(raw).toBeUndefined();
			continue;
		}
		expect(row.state).toBe("active");
		const got = await secrets.getSecret(id);
		expect(expectation.candidates).toContainEqual(got.values);
	}

	// Every active row has its values at the row's version in the vault.
	const page = await secrets.listSecrets({ size: 1000 });
	for (const item of page.items) {
		const row = (await secrets.catalog.get(item.id))!;
		const raw = emu.rawSecret(nameOf(item.id));
		expect(raw, `row ${item.id} has values in the vault`).toBeDefined();
		const decoded = decodePayload(raw!.value);
		expect(decoded.version).toBe(row.valuesVersion);
		expect(decoded.owner).toBe(DEPLOYMENT);
	}

	// Every secret of this deployment in the vault has an active row (no orphan).
	const ours = emu.rawSecrets().filter((s) => s.tags?.[DEPLOYMENT_TAG] === DEPLOYMENT);
	for (const secret of ours) {
		const row = await secrets.catalog.get(secret.tags![SECRET_ID_TAG]!);
		expect(row?.state, `vault secret ${secret.name} has an active row`).toBe("active");
	}
	expect(ours.length).toBe(page.total);
});
