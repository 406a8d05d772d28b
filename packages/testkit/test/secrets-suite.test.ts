/**
 * The Secrets suite, proven on the reference implementation: `createSecrets` over core's
 * memory catalog and memory store.
 */
import { createMemoryStore, createSecrets, memoryCatalog } from "@strongbox/core";
import { describeSecrets } from "../src/secrets-suite.js";

describeSecrets("Secrets (memory catalog + memory store)", async () => {
	const alice = createSecrets({
		catalog: memoryCatalog(),
		store: createMemoryStore(),
		caller: { user: "alice", workspace: "ws-a" },
	});
	return {
		alice,
		bob: alice.as({ user: "bob", workspace: "ws-a" }),
		carol: alice.as({ user: "carol", workspace: "ws-b" }),
		reconcile: () => alice.reconcile(),
		close: () => alice.close(),
		maxValueBytes: 64 * 1024,
	};
});
