/**
 * The store suite, proven on the reference implementation: core's memory store over a
 * shared in-process back-end, with every hook given so that every group runs.
 */
import { randomUUID } from "node:crypto";
import { memoryBackend, memoryStore } from "@strongbox/core";
import { describeSecretsStore } from "../src/store-suite.js";

const backend = `testkit-${randomUUID()}`;

describeSecretsStore(memoryStore, {
	name: "store memory (shared back-end, every hook)",
	options: () => ({ backend }),
	raw: {
		async read(id) {
			const entry = memoryBackend(backend).data.get(id);
			return entry === undefined ? undefined : JSON.stringify(entry);
		},
	},
	async failBackend() {
		memoryBackend(backend).unavailable = true;
		return async () => {
			memoryBackend(backend).unavailable = false;
		};
	},
});

// The same definition with a smaller per-instance limit: the size checks read the live
// store's capabilities, not the definition's.
describeSecretsStore(memoryStore, {
	name: "store memory (maxValueBytes option, no hooks)",
	options: () => ({ backend, maxValueBytes: 1000 }),
});
