/**
 * The Secrets suite, proven on the reference implementation: `createSecrets` over core's
 * memory catalog and memory store.
 */
import { createMemoryStore, memoryCatalog } from "@strongbox/core";
import { describeSecrets } from "../src/secrets-suite.js";
import { inProcessSecretsFixture } from "../src/suites/secrets-fixture.js";

describeSecrets("Secrets (memory catalog + memory store)", async () =>
	inProcessSecretsFixture({ catalog: memoryCatalog(), store: createMemoryStore() }),
);
