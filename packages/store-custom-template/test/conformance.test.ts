/**
 * The published conformance suites on this store: `describeSecretsStore` on the store
 * alone (a fresh directory per test), `describeSecrets` on `createSecrets` with the
 * SQLite catalog of `@strongbox/store-sql` and this store.
 *
 * "Back-end down" for a file store: its directory disappears (an unmounted volume). The
 * hook renames the directory away; permissions would not do, since tests may run as root.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStore } from "@strongbox/core";
import { createSqlCatalog } from "@strongbox/store-sql";
import { describeSecrets, describeSecretsStore, inProcessSecretsFixture } from "@strongbox/testkit";
import { afterAll } from "vitest";
import customTemplateStore, { type CustomTemplateStoreOptions } from "../src/index.js";

const key = randomBytes(32).toString("base64");
/** The directory of the test running now (tests of one file run one after another). */
let current: string | undefined;
const dirs: string[] = [];

afterAll(async () => {
	for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function freshOptions(): Promise<CustomTemplateStoreOptions> {
	current = await mkdtemp(join(tmpdir(), "sb-custom-template-"));
	dirs.push(current);
	return { path: join(current, "secrets.json"), key };
}

/** Every entry the file holds for `id`, whatever the deployment. */
async function rawEntries(path: string, id: string): Promise<string | undefined> {
	let text: string;
	try {
		text = await readFile(path, "utf8");
	} catch {
		return undefined;
	}
	const doc = JSON.parse(text) as { deployments: Record<string, Record<string, unknown>> };
	const found = Object.values(doc.deployments).flatMap((entries) =>
		Object.hasOwn(entries, id) ? [entries[id]] : [],
	);
	return found.length === 0 ? undefined : JSON.stringify(found);
}

describeSecretsStore(customTemplateStore, {
	options: freshOptions,
	raw: { read: (id) => rawEntries(join(current!, "secrets.json"), id) },
	async failBackend() {
		const dir = current!;
		await rename(dir, `${dir}-down`);
		return () => rename(`${dir}-down`, dir);
	},
	cleanup: async (options) => {
		await rm(join(options.path!, ".."), { recursive: true, force: true });
	},
});

describeSecrets("Secrets API on store-custom-template (SQLite catalog)", async () =>
	inProcessSecretsFixture({
		catalog: createSqlCatalog({ url: "sqlite::memory:" }),
		store: await createStore(customTemplateStore, await freshOptions(), {
			deploymentId: "conformance",
		}),
	}),
);
