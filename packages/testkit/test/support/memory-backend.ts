/**
 * Core's memory catalog and memory store on a shared in-process back-end, with a switch
 * that makes the store fail before it acts, and the raw back-end access a consistency
 * check needs: the reference runtime of the fault-run tests.
 */
import { randomUUID } from "node:crypto";
import {
	createSecrets,
	memoryBackend,
	memoryCatalog,
	memoryStore,
	type SecretsService,
	type SecretsStore,
	silentLogger,
	wrapStore,
} from "@strongbox/core";
import { onTestFinished } from "vitest";
import type { BackendProbe } from "../../src/suites/consistency.js";

/** How the store under the runtime misbehaves. */
export interface Misbehaviour {
	/** Asked before every store call: an error to throw instead of acting. */
	fault?: () => Error | undefined;
	/** Writes at these versions are acknowledged but never made (a lost write). */
	dropWrite?: (version: number) => boolean;
}

/** A runtime over a fresh shared memory back-end, and a probe of that back-end. */
export async function memoryRuntime(misbehaviour: Misbehaviour = {}, deploymentId = "dep-test") {
	const { fault = () => undefined, dropWrite = () => false } = misbehaviour;
	const name = `testkit-${randomUUID()}`;
	const backend = memoryBackend(name);
	const inner = await memoryStore.create({ backend: name }, { deploymentId, logger: silentLogger });
	const guard = () => {
		const error = fault();
		if (error) throw error;
	};
	const raw: SecretsStore = {
		async set(id, values, meta) {
			guard();
			if (!dropWrite(meta.version)) await inner.set(id, values, meta);
		},
		async get(id) {
			guard();
			return inner.get(id);
		},
		async getMany(ids) {
			guard();
			return inner.getMany!(ids);
		},
		async delete(id) {
			guard();
			return inner.delete(id);
		},
		async *listIds() {
			guard();
			yield* inner.listIds!();
		},
		verify: () => inner.verify(),
		close: () => inner.close(),
	};
	const store = wrapStore(raw, { type: "memory", capabilities: memoryStore.capabilities });
	const secrets: SecretsService = createSecrets({ catalog: memoryCatalog(), store });
	onTestFinished(() => secrets.close());
	const probe: BackendProbe = {
		read(id) {
			const entry = backend.data.get(id);
			return entry && { values: entry.values, version: entry.version, owner: entry.deployment };
		},
		listIds: () =>
			[...backend.data].filter(([, entry]) => entry.deployment === deploymentId).map(([id]) => id),
	};
	return { secrets, backend, probe, deploymentId };
}
