/**
 * References benchmark: resolving one config that holds 200 `{{name.key}}` references to
 * 50 secrets (4 keys each), through core's `resolveReferences`.
 *
 * 1. Back-end value reads, counted: each distinct secret is read once, so 50 reads with a
 *    store that cannot batch (a memory store declaring no bulk read), where a naive
 *    resolver would make 200. Goal: exactly 50.
 * 2. AWS Secrets Manager through the testkit's emulator (the real SDK over HTTP): the
 *    values come in BatchGetSecretValue calls of at most 20 ids. Goal: ≤ 3 calls, no
 *    GetSecretValue.
 * 3. Time of one resolve with the runtime's values cache warm vs cold (cache cleared
 *    before each cold run), on the embedded SQL store (SQLite, AES-256-GCM) and on AWS
 *    through the emulator. Printed as warm / cold; every run still reads the catalog.
 *
 * Needs the built packages (`pnpm build`): plain node, no bundler.
 *
 *   node bench/references.mjs
 *
 * The lead's `bench/run.mjs` calls `runReferencesBench()`, which returns table rows.
 */
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import {
	createSecrets,
	createStore,
	defineStore,
	memoryStore,
	resolveReferences,
} from "@strongbox/core";
import awsStore from "@strongbox/store-aws";
import sqlStore, { createSqlCatalog, generateKey } from "@strongbox/store-sql";
import { startAwsEmulator } from "@strongbox/testkit/emulators";
import { compare, printTable, row } from "./lib.mjs";

const SECRETS = 50;

/** 50 secrets of 4 keys, and a config referencing every key of every secret once (200). */
function fixture() {
	const values = Array.from({ length: SECRETS }, (_, i) => ({
		name: `svc-${i}`,
		values: {
			user: `app-${i}`,
			password: `pw-${randomUUID()}`,
			host: `db-${i}.internal`,
			port: String(5432 + i),
		},
	}));
	const config = {
		services: values.map(({ name }) => ({
			name,
			url: `postgres://{{${name}.user}}:{{${name}.password}}@{{${name}.host}}/app`,
			port: `{{ ${name}.port }}`,
			replicas: 2,
		})),
	};
	return { values, config };
}

async function seed(secrets, values) {
	for (const { name, values: v } of values) await secrets.createSecret({ name, values: v });
}

function check(resolved, values) {
	const first = resolved.services[0];
	const want = values[0].values;
	if (
		first.url !== `postgres://${want.user}:${want.password}@${want.host}/app` ||
		first.port !== want.port
	) {
		throw new Error("references bench: the resolved config is wrong");
	}
}

/** Reads counted on a store that declares no bulk read. */
async function countNonBatching({ values, config }) {
	const reads = { get: 0, getMany: 0 };
	const unbatched = defineStore({
		type: "memory",
		configSchema: memoryStore.configSchema,
		capabilities: { ...memoryStore.capabilities, bulkGet: false },
		create: memoryStore.create,
	});
	const store = await createStore(
		unbatched,
		{},
		{
			observe: (event) => {
				if (event.op in reads) reads[event.op]++;
			},
		},
	);
	const catalog = createSqlCatalog({ url: "sqlite::memory:" });
	const secrets = createSecrets({ catalog, store });
	try {
		await seed(secrets, values);
		reads.get = 0;
		reads.getMany = 0;
		check(await resolveReferences(secrets, config), values);
		const total = reads.get + reads.getMany;
		return {
			name: "value reads, store without bulk read (200 refs → 50 secrets)",
			baseline: "200 (one per reference)",
			subject: `${total}`,
			ratio: `${(total / 200).toFixed(2)}×`,
			goal: `= ${SECRETS} (${total === SECRETS ? "met" : "NOT met"})`,
		};
	} finally {
		await secrets.close();
	}
}

/** A runtime over an in-memory SQLite catalog, `store`, and the values cache. */
async function runtimeOver(store) {
	const catalog = createSqlCatalog({ url: "sqlite::memory:" });
	return createSecrets({ catalog, store, cache: { ttlMs: 60_000, max: 1000 } });
}

async function awsRows({ values, config }) {
	const aws = await startAwsEmulator();
	const store = await createStore(
		awsStore,
		{
			endpoint: aws.endpoint,
			region: aws.region,
			credentials: aws.credentials,
			retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
		},
		{ deploymentId: `bench-${randomUUID()}` },
	);
	const secrets = await runtimeOver(store);
	try {
		await seed(secrets, values);
		secrets.cache.clear();
		aws.clearCalls();
		check(await resolveReferences(secrets, config), values);
		const batches = aws.count("BatchGetSecretValue");
		const singles = aws.count("GetSecretValue");
		const calls = {
			name: "AWS calls for one resolve (emulator, real SDK)",
			baseline: `${SECRETS} GetSecretValue (unbatched)`,
			subject: `${batches} BatchGetSecretValue, ${singles} GetSecretValue`,
			ratio: `${((batches + singles) / SECRETS).toFixed(2)}×`,
			goal: `≤ 3 batch calls (${batches <= 3 && singles === 0 ? "met" : "NOT met"})`,
		};
		const timing = await timeWarmCold(
			secrets,
			config,
			"resolve 200 refs, AWS (emulator): cold → warm cache",
		);
		return [calls, timing];
	} finally {
		await secrets.close();
		await aws.close();
	}
}

async function sqlRow({ values, config }) {
	const catalog = createSqlCatalog({ url: "sqlite::memory:" });
	await catalog.init();
	const store = await createStore(
		sqlStore,
		{ keys: `bench:${generateKey()}` },
		{ catalogConnection: catalog.knex, deploymentId: `bench-${randomUUID()}` },
	);
	const secrets = createSecrets({ catalog, store, cache: { ttlMs: 60_000, max: 1000 } });
	try {
		await seed(secrets, values);
		return await timeWarmCold(secrets, config, "resolve 200 refs, embedded SQL: cold → warm cache");
	} finally {
		await secrets.close();
	}
}

/** Baseline: the cache emptied before each run. Subject: the cache holding every secret. */
async function timeWarmCold(secrets, config, name) {
	const result = await compare({
		baseline: async () => {
			secrets.cache.clear();
			await resolveReferences(secrets, config);
		},
		subject: async () => {
			await resolveReferences(secrets, config);
		},
		rounds: 5,
		timeMs: 400,
	});
	return row(name, result, { text: "warm < cold", check: (r) => r.ratio < 1 });
}

/** Runs the references benchmark; returns rows for `printTable`. */
export async function runReferencesBench() {
	const data = fixture();
	return [await countNonBatching(data), ...(await awsRows(data)), await sqlRow(data)];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
	printTable("References (200 references over 50 secrets)", await runReferencesBench());
}
