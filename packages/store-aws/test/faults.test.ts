/**
 * A fault run: 200 random operations through `createSecrets` while the emulator throttles
 * 30% and fails 10% of calls. Every operation succeeds or fails with
 * `StoreUnavailableError`; after the faults stop, `reconcile` leaves the catalog and AWS
 * consistent, and every acknowledged write reads back.
 */
import {
	decodePayload,
	SecretNotFoundError,
	type SecretValues,
	StoreUnavailableError,
} from "@strongbox/core";
import { type AwsEmulator, startAwsEmulator } from "@strongbox/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEPLOYMENT_TAG } from "../src/index.js";
import { openSecrets } from "./helpers.js";

/** A small seeded PRNG, so a failing run can be replayed. */
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

const SEED = Number(process.env.STRONGBOX_TEST_SEED ?? 20_261_123);
let aws: AwsEmulator;

beforeAll(async () => {
	aws = await startAwsEmulator({ random: mulberry32(SEED) });
});

afterAll(async () => {
	await aws.close();
});

it(`200 mixed operations under 30% throttling and 10% 5xx stay consistent (seed ${SEED})`, async () => {
	const random = mulberry32(SEED + 1);
	const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
	const secrets = await openSecrets(aws);
	await secrets.init();
	aws.inject({ kind: "throttle", fraction: 0.3 });
	aws.inject({ kind: "error", fraction: 0.1 });

	// What the caller was told: acknowledged values per id. An id whose last write failed
	// is uncertain: either outcome is allowed, but it must still be consistent.
	const acknowledged = new Map<string, SecretValues>();
	const uncertain = new Set<string>();
	const deleted = new Set<string>();
	const failures: unknown[] = [];
	let succeeded = 0;
	let n = 0;

	for (let i = 0; i < 200; i++) {
		const ids = [...acknowledged.keys()];
		const kind =
			ids.length === 0
				? "create"
				: pick(["create", "create", "get", "update", "update", "delete", "list"]);
		const id = ids.length === 0 ? "" : pick(ids);
		try {
			switch (kind) {
				case "create": {
					const values = { n: String(n), pad: "x".repeat(Math.floor(random() * 50)) };
					const created = await secrets.createSecret({ name: `f${n++}`, values });
					acknowledged.set(created.id, values);
					break;
				}
				case "get": {
					const secret = await secrets.getSecret(id);
					if (!uncertain.has(id)) expect(secret.values).toEqual(acknowledged.get(id));
					break;
				}
				case "update": {
					uncertain.add(id);
					const patch = { n: `u${i}` };
					const updated = await secrets.updateSecret(id, { values: patch });
					acknowledged.set(id, { ...acknowledged.get(id), ...patch });
					uncertain.delete(id);
					expect(updated.values).toEqual(acknowledged.get(id));
					break;
				}
				case "delete": {
					uncertain.add(id);
					await secrets.deleteSecret(id);
					acknowledged.delete(id);
					uncertain.delete(id);
					deleted.add(id);
					break;
				}
				default: {
					const page = await secrets.listSecrets({ size: 1000 });
					expect(page.total).toBeGreaterThanOrEqual(acknowledged.size - uncertain.size);
				}
			}
			succeeded++;
		} catch (error) {
			failures.push(error);
		}
	}

	for (const error of failures) expect(error).toBeInstanceOf(StoreUnavailableError);
	// The run really was faulty, and most operations still got through thanks to retries.
	expect(aws.calls.filter((call) => call.fault !== undefined).length).toBeGreaterThan(50);
	expect(succeeded).toBeGreaterThan(150);

	aws.clearFaults();
	const report = await secrets.reconcile({ staleAfterMs: 0 });
	expect(report.deferred).toBe(0);

	// Every active row has its values, at the row's version, in AWS.
	const rows = (await secrets.listSecrets({ size: 1000 })).items;
	const rowIds = new Set(rows.map((row) => row.id));
	for (const row of rows) {
		const raw = aws.rawSecret(`strongbox/${row.id}`);
		expect(raw?.secretString, `values of ${row.name}`).toBeDefined();
		const stored = decodePayload(raw!.secretString!);
		expect(stored.owner).toBe(secrets.deploymentId);
		expect(stored.version).toBe(row.version);
		expect(Object.keys(stored.values).sort()).toEqual(row.keys);
	}
	// Every AWS secret of this deployment has a row: nothing orphaned.
	const ours = aws
		.rawSecrets()
		.filter((secret) => secret.tags[DEPLOYMENT_TAG] === secrets.deploymentId);
	for (const secret of ours) {
		expect(rowIds.has(secret.tags["strongbox:secret-id"]!), `row of ${secret.name}`).toBe(true);
	}
	expect(ours.length).toBe(rows.length);
	// Every acknowledged write reads back; acknowledged deletes stay deleted.
	for (const [id, values] of acknowledged) {
		if (uncertain.has(id)) continue;
		expect((await secrets.getSecret(id)).values).toEqual(values);
	}
	for (const id of deleted) {
		await expect(secrets.getSecret(id)).rejects.toBeInstanceOf(SecretNotFoundError);
	}
	await secrets.close();
}, 120_000);
