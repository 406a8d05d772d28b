/**
 * A fault run: 200 operations through `createSecrets` while Key Vault throttles 30% of
 * calls (429 + Retry-After) and fails 10% with 503. Every operation either succeeds or
 * fails with `StoreUnavailableError`; after the faults stop and reconciliation runs, the
 * catalog and the vault agree, and every acknowledged write reads back (the testkit's
 * workload and check).
 */
import { decodePayload, type SecretsService } from "@strongbox/core";
import { checkConsistency, mulberry32, runFaultWorkload } from "@strongbox/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEPLOYMENT_TAG, SECRET_ID_TAG } from "../src/index.js";
import { type AzureEmulator, nameOf, openSecrets, startAzureEmulator } from "./emulator.js";

const SEED = 20_260_401;
const DEPLOYMENT = "fault-run";

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
	emu.inject({ kind: "throttle", fraction: 0.3 });
	emu.inject({ kind: "error", fraction: 0.1, status: 503 });

	const run = await runFaultWorkload(secrets, {
		random: mulberry32(SEED + 1),
		mix: { create: 3, get: 2, update: 2, delete: 1, list: 2 },
	});
	expect(run.ok + run.unavailable).toBe(200);
	// The run is meaningful only if some operations ran out of retries.
	expect(run.unavailable).toBeGreaterThan(5);
	expect(emu.calls.filter((c) => c.fault === "throttle").length).toBeGreaterThan(10);
	expect(emu.calls.filter((c) => c.fault === "error").length).toBeGreaterThan(3);

	emu.clearFaults();
	await secrets.reconcile({ staleAfterMs: 0 });
	await checkConsistency(
		secrets,
		{
			read(id) {
				const raw = emu.rawSecret(nameOf(id));
				return raw && decodePayload(raw.value);
			},
			listIds: () =>
				emu
					.rawSecrets()
					.filter((secret) => secret.tags?.[DEPLOYMENT_TAG] === DEPLOYMENT)
					.map((secret) => secret.tags![SECRET_ID_TAG]!),
		},
		{ deploymentId: DEPLOYMENT, run },
	);
});
