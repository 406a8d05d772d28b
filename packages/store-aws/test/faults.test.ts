/**
 * A fault run: 200 random operations through `createSecrets` while the emulator throttles
 * 30% and fails 10% of calls. Every operation succeeds or fails with
 * `StoreUnavailableError`; after the faults stop, `reconcile` leaves the catalog and AWS
 * consistent, and every acknowledged write reads back (the testkit's workload and check).
 */
import { decodePayload } from "@strongbox/core";
import {
	type AwsEmulator,
	checkConsistency,
	mulberry32,
	runFaultWorkload,
	startAwsEmulator,
} from "@strongbox/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEPLOYMENT_TAG, SECRET_ID_TAG } from "../src/index.js";
import { openSecrets } from "./helpers.js";

const SEED = Number(process.env.STRONGBOX_TEST_SEED ?? 20_261_123);
let aws: AwsEmulator;

beforeAll(async () => {
	aws = await startAwsEmulator({ random: mulberry32(SEED) });
});

afterAll(async () => {
	await aws.close();
});

it(`200 mixed operations under 30% throttling and 10% 5xx stay consistent (seed ${SEED})`, async () => {
	const secrets = await openSecrets(aws);
	await secrets.init();
	aws.inject({ kind: "throttle", fraction: 0.3 });
	aws.inject({ kind: "error", fraction: 0.1 });

	const run = await runFaultWorkload(secrets, {
		random: mulberry32(SEED + 1),
		mix: { create: 2, get: 1, update: 2, delete: 1, list: 1 },
	});
	// The run really was faulty, and most operations still got through thanks to retries.
	expect(aws.calls.filter((call) => call.fault !== undefined).length).toBeGreaterThan(50);
	expect(run.ok).toBeGreaterThan(150);

	aws.clearFaults();
	const report = await secrets.reconcile({ staleAfterMs: 0 });
	expect(report.deferred).toBe(0);
	await checkConsistency(
		secrets,
		{
			read(id) {
				const text = aws.rawSecret(`strongbox/${id}`)?.secretString;
				return text === undefined ? undefined : decodePayload(text);
			},
			listIds: () =>
				aws
					.rawSecrets()
					.filter((secret) => secret.tags[DEPLOYMENT_TAG] === secrets.deploymentId)
					.map((secret) => secret.tags[SECRET_ID_TAG]!),
		},
		{ deploymentId: secrets.deploymentId, run },
	);
	await secrets.close();
}, 120_000);
