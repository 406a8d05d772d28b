/**
 * `strongbox migrate` as a real process: the embedded SQLite store → AWS Secrets Manager
 * (the testkit's emulator, reached by the CLI child through the real SDK) → PostgreSQL,
 * values equal at every hop and the catalog's backend column following; a run killed
 * with SIGKILL half-way and resumed while a reader keeps reading every secret; dry runs;
 * `--delete-source` only after verification; refusals.
 */
import "@strongbox/testkit/network-guard";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { SecretValues } from "@strongbox/core";
import { openRuntime, type Runtime } from "@strongbox/server/runtime";
import { openDatabase } from "@strongbox/store-sql";
import { type AwsEmulator, startAwsEmulator } from "@strongbox/testkit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CANARY, cli, collect, json, requireBuild, spawnCli, tempDir } from "./helpers.js";

const PG = process.env.STRONGBOX_TEST_POSTGRES_URL;
const cleanups: (() => Promise<unknown>)[] = [];

afterAll(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
});

beforeAll(() => {
	requireBuild();
});

interface MigrationJson {
	from: string;
	to: string;
	dryRun: boolean;
	aborted: boolean;
	total: number;
	moved: number;
	skipped: number;
	failed: { id: string; name: string; reason: string }[];
	sourceDeleted: number;
	nextConfig: { store: Record<string, unknown>; secondaryStores: Record<string, unknown>[] } | null;
}

/** The store entry the CLI child gets: the emulator, with small retry delays. */
function awsEntry(aws: AwsEmulator, extra: Record<string, unknown> = {}) {
	return {
		type: "aws",
		options: {
			endpoint: aws.endpoint,
			region: aws.region,
			credentials: aws.credentials,
			retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
			...extra,
		},
	};
}

/** The runtime the test reads with: the CLI's catalog, with every store a secret may be in. */
function openReader(
	home: string,
	store: Record<string, unknown>,
	secondaryStores: Record<string, unknown>[],
): Promise<Runtime> {
	return openRuntime(
		{ dataDir: home, store, secondaryStores, cache: { ttlMs: 0 } } as Parameters<
			typeof openRuntime
		>[0],
		{ import: (specifier) => import(specifier) },
	);
}

/** Secrets seeded through `secret import`: name → values, each holding the canary. */
function seedValues(count: number, prefix: string): Record<string, SecretValues> {
	return Object.fromEntries(
		Array.from({ length: count }, (_, i) => [
			`${prefix}${i}`,
			{ password: `${CANARY}-${i}`, user: `user-${i}`, note: "multi\nline 'quoted' \"value\"" },
		]),
	);
}

async function seed(home: string, values: Record<string, SecretValues>, scope?: "user") {
	const file = `seed-${randomBytes(4).toString("hex")}.json`;
	await writeFile(join(home, file), JSON.stringify(values));
	const result = await cli(["secret", "import", file, ...(scope ? ["--scope", scope] : [])], home);
	expect(result.code, result.stderr).toBe(0);
}

async function backends(home: string): Promise<Record<string, string>> {
	const list = json<{ items: { name: string; backend: string }[] }>(
		await cli(["secret", "list", "--json", "--size", "1000"], home),
	);
	return Object.fromEntries(list.items.map((item) => [item.name, item.backend]));
}

/** Every value, read by the CLI through its configuration with one `resolve`. */
async function valuesThroughCli(home: string, names: readonly string[]) {
	const template = Object.fromEntries(
		names.map((name) => [
			name,
			{ password: `{{${name}.password}}`, user: `{{${name}.user}}`, note: `{{${name}.note}}` },
		]),
	);
	await writeFile(join(home, "all.json"), JSON.stringify(template));
	const result = await cli(["resolve", "all.json"], home, { reveals: true });
	expect(result.code, result.stderr).toBe(0);
	return JSON.parse(result.stdout) as Record<string, SecretValues>;
}

async function writeConfig(home: string, config: Record<string, unknown>) {
	await writeFile(join(home, "strongbox.config.json"), JSON.stringify(config));
}

describe("round trip: SQLite → AWS → PostgreSQL", () => {
	let home: string;
	let aws: AwsEmulator;
	const expected = { ...seedValues(4, "app"), ...seedValues(2, "mine") };
	const names = Object.keys(expected);
	const pgPrefix = `sbt${randomBytes(4).toString("hex")}_`;

	beforeAll(async () => {
		const dir = await tempDir("strongbox-migrate-");
		cleanups.push(dir.remove);
		home = dir.path;
		aws = await startAwsEmulator();
		cleanups.push(() => aws.close());
		await seed(home, seedValues(4, "app"));
		await seed(home, seedValues(2, "mine"), "user");
	});

	test("--dry-run reads every secret and writes nothing", async () => {
		const result = await cli(
			["migrate", "--to", JSON.stringify(awsEntry(aws)), "--dry-run", "--json"],
			home,
		);
		expect(result.code, result.stderr).toBe(0);
		expect(json<MigrationJson>(result)).toMatchObject({
			from: "sql",
			to: "aws",
			dryRun: true,
			moved: 6,
			failed: [],
			nextConfig: null,
		});
		expect(aws.rawSecrets()).toEqual([]);
		expect(aws.count("CreateSecret") + aws.count("PutSecretValue")).toBe(0);
		expect(Object.values(await backends(home))).toEqual(Array(6).fill("sql"));

		const text = await cli(["migrate", "--to", JSON.stringify(awsEntry(aws)), "--dry-run"], home);
		expect(text.stdout).toContain("Dry run: 6 secrets would move from `sql` to `aws`");
		expect(text.stderr).toContain("[6/6] would move ");
	});

	test("SQLite → AWS: verified, the backend column follows, values equal through the new config", async () => {
		const result = await cli(["migrate", "--to", JSON.stringify(awsEntry(aws))], home);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toContain(
			"Moved 6 secrets from `sql` to `aws` (each verified by checksum)",
		);
		// Plain progress lines when stderr is not a terminal.
		expect(result.stderr.match(/^\[\d\/6\] moved /gm)).toHaveLength(6);
		// What to change: the target becomes the store, the source stays a secondary store.
		expect(result.stdout).toContain('"store": {"type":"aws","options":{"endpoint":');
		expect(result.stdout).toContain('"credentials":"********"');
		expect(result.stdout).toContain('"secondaryStores": [{"type":"sql","options":{}}]');
		expect(result.stdout).toContain("strongbox migrate --to aws --from sql --delete-source");
		expect(result.stdout).not.toContain(aws.credentials.secretAccessKey);

		expect(aws.rawSecrets()).toHaveLength(6);
		expect(Object.values(await backends(home))).toEqual(Array(6).fill("aws"));
		// Until the configuration names `aws`, its values cannot be read.
		expect((await cli(["secret", "get", "app0", "--reveal"], home)).code).toBe(7);
		await writeConfig(home, { store: awsEntry(aws), secondaryStores: [{ type: "sql" }] });
		expect(await valuesThroughCli(home, names)).toEqual(expected);

		const again = json<MigrationJson>(
			await cli(["migrate", "--to", "aws", "--from", "sql", "--json"], home),
		);
		expect(again).toMatchObject({ moved: 0, skipped: 0, failed: [], total: 0 });
	});

	// PostgreSQL runs when STRONGBOX_TEST_POSTGRES_URL is set (CI sets it); if it is set and
	// unreachable, the migration fails and so does this test.
	test.skipIf(!PG)("AWS → PostgreSQL store, then --delete-source of the AWS copies", async () => {
		cleanups.push(async () => {
			const knex = openDatabase(PG!);
			try {
				const { rows } = (await knex.raw("SELECT tablename FROM pg_tables WHERE tablename LIKE ?", [
					`${pgPrefix}%`,
				])) as { rows: { tablename: string }[] };
				for (const { tablename } of rows) await knex.schema.dropTableIfExists(tablename);
			} finally {
				await knex.destroy();
			}
		});
		const pg = { type: "sql", name: "pg", options: { url: PG, tablePrefix: pgPrefix } };
		const result = await cli(["migrate", "--to", JSON.stringify(pg), "--json"], home);
		expect(result.code, result.stderr).toBe(0);
		const report = json<MigrationJson>(result);
		expect(report).toMatchObject({ from: "aws", to: "pg", moved: 6, failed: [] });
		expect(report.nextConfig?.store).toEqual({
			type: "sql",
			name: "pg",
			options: { url: "********", tablePrefix: pgPrefix },
		});
		expect(result.stdout).not.toContain(PG!);
		expect(Object.values(await backends(home))).toEqual(Array(6).fill("pg"));
		await writeConfig(home, {
			store: pg,
			secondaryStores: [awsEntry(aws), { type: "sql" }],
		});
		expect(await valuesThroughCli(home, names)).toEqual(expected);

		const deleted = json<MigrationJson>(
			await cli(["migrate", "--to", "pg", "--from", "aws", "--delete-source", "--json"], home),
		);
		expect(deleted).toMatchObject({ moved: 0, failed: [], sourceDeleted: 6 });
		expect(aws.rawSecrets()).toEqual([]);
		expect(await valuesThroughCli(home, names)).toEqual(expected);
	});
});

describe("a migration killed half-way", () => {
	test("resumes: nothing lost, nothing duplicated, every secret readable throughout; a third run is a no-op", async () => {
		const dir = await tempDir("strongbox-migrate-kill-");
		cleanups.push(dir.remove);
		const home = dir.path;
		const aws = await startAwsEmulator();
		cleanups.push(() => aws.close());
		const count = 16;
		const seeded = seedValues(count, "s");
		await seed(home, seeded);
		const entry = awsEntry(aws);
		const reader = await openReader(home, { type: "sql" }, [entry]);
		cleanups.push(() => reader.close());
		const items = (await reader.secrets.listSecrets({ size: 100 })).items;
		const ids = items.map((item) => item.id);
		const nameOf = new Map(items.map((item) => [item.id, item.name]));

		// Slow enough to stop it half-way: every write and read-back waits.
		aws.inject({
			kind: "latency",
			latencyMs: 120,
			operations: ["CreateSecret", "PutSecretValue", "DescribeSecret", "GetSecretValue"],
		});
		let stop = false;
		let reads = 0;
		const problems: string[] = [];
		const loop = (async () => {
			for (let round = 0; !stop && problems.length < 20; round++) {
				try {
					const all = await reader.secrets.getSecrets(ids);
					if (all.length !== count) problems.push(`round ${round}: ${all.length} secrets`);
					for (const secret of all) {
						if (!isDeepStrictEqual(secret.values, seeded[secret.name])) {
							problems.push(`round ${round}: ${secret.name} differs`);
						}
					}
					const one = await reader.secrets.getSecret(ids[round % count]!);
					if (one.values.user !== seeded[one.name]!.user) problems.push(`${one.name} differs`);
					reads++;
				} catch (error) {
					const e = error as { code?: string; message?: string };
					problems.push(`round ${round}: ${e.code ?? "error"} ${e.message ?? ""}`);
				}
				// Yield to the event loop: the child's output must be read meanwhile.
				await new Promise((resolve) => setTimeout(resolve, 5));
			}
		})();

		const child = spawnCli(["migrate", "--to", JSON.stringify(entry)], home);
		const done = collect(child);
		await new Promise<void>((resolve) => {
			let seen = "";
			child.stderr?.on("data", (chunk: string) => {
				seen += chunk;
				if (/^\[6\/16\] moved /m.test(seen)) resolve();
			});
			// An early exit fails the assertions below, with its output.
			child.once("exit", () => resolve());
		});
		child.kill("SIGKILL");
		const killed = await done;
		expect(killed.signal).toBe("SIGKILL");
		expect(killed.stdout).not.toContain(CANARY);
		expect(killed.stderr).not.toContain(CANARY);
		const movedBefore = (await reader.catalog.listByBackend("aws", null, 100)).length;
		expect(movedBefore).toBeGreaterThanOrEqual(6);
		expect(movedBefore).toBeLessThan(count);
		const readsAtKill = reads;

		const rerun = await cli(["migrate", "--to", JSON.stringify(entry), "--json"], home);
		expect(rerun.code, rerun.stderr).toBe(0);
		const report = json<MigrationJson>(rerun);
		expect(report).toMatchObject({ failed: [], skipped: 0, aborted: false });
		expect(report.moved).toBe(count - movedBefore);
		stop = true;
		await loop;
		expect(problems).toEqual([]);
		expect(readsAtKill).toBeGreaterThan(0);
		expect(reads).toBeGreaterThan(readsAtKill);

		// Exactly one AWS secret per migrated secret, under its id; none twice.
		const live = aws.rawSecrets().filter((secret) => secret.deletedDate === undefined);
		expect(live.map((secret) => secret.name).sort()).toEqual(
			ids.map((id) => `strongbox/${id}`).sort(),
		);
		expect((await reader.catalog.listByBackend("aws", null, 100)).length).toBe(count);
		for (const secret of await reader.secrets.getSecrets(ids)) {
			expect(secret.values).toEqual(seeded[nameOf.get(secret.id)!]);
		}

		aws.clearFaults();
		aws.clearCalls();
		const third = json<MigrationJson>(
			await cli(["migrate", "--to", JSON.stringify(entry), "--json"], home),
		);
		expect(third).toMatchObject({ moved: 0, skipped: 0, failed: [], total: 0 });
		expect(aws.count("CreateSecret") + aws.count("PutSecretValue")).toBe(0);
	});
});

describe("--delete-source", () => {
	test("removes source copies only after verification", async () => {
		const dir = await tempDir("strongbox-migrate-delete-");
		cleanups.push(dir.remove);
		const home = dir.path;
		const aws = await startAwsEmulator();
		cleanups.push(() => aws.close());
		const seeded = seedValues(3, "d");
		await seed(home, seeded);
		const entry = awsEntry(aws, { retry: { attempts: 1 } });
		const reader = await openReader(home, { type: "sql" }, [entry]);
		cleanups.push(() => reader.close());
		const ids = (await reader.secrets.listSecrets()).items.map((item) => item.id);
		const sql = reader.secrets.storeFor("sql");

		// The read-back fails: nothing is verified, so nothing may be deleted or switched.
		const unfault = aws.inject({ kind: "error", status: 500, operations: ["GetSecretValue"] });
		const failed = await cli(
			["migrate", "--to", JSON.stringify(entry), "--delete-source", "--json"],
			home,
		);
		expect(failed.code).toBe(1);
		const report = json<MigrationJson>(failed);
		expect(report.moved).toBe(0);
		expect(report.sourceDeleted).toBe(0);
		expect(report.failed.map((f) => f.reason)).toEqual(Array(3).fill("STORE_UNAVAILABLE"));
		for (const id of ids) expect(await sql.get(id)).toBeDefined();
		expect(Object.values(await backends(home))).toEqual(Array(3).fill("sql"));
		// The unverified copies were taken back.
		expect(aws.rawSecrets().filter((s) => s.deletedDate === undefined)).toEqual([]);
		const text = await cli(["migrate", "--to", JSON.stringify(entry), "--delete-source"], home);
		expect(text.code).toBe(1);
		expect(text.stdout).toMatch(/^FAILED\s+ID\s+REASON$/m);
		expect(text.stdout).toContain("The failed secrets stay readable where they were.");
		unfault();

		const done = json<MigrationJson>(
			await cli(["migrate", "--to", JSON.stringify(entry), "--delete-source", "--json"], home),
		);
		expect(done).toMatchObject({ moved: 3, failed: [], sourceDeleted: 3 });
		expect(done.nextConfig?.secondaryStores).toEqual([]);
		for (const id of ids) expect(await sql.get(id)).toBeUndefined();
		for (const secret of await reader.secrets.getSecrets(ids)) {
			expect(secret.values).toEqual(seeded[secret.name]);
		}
	});
});

describe("refusals", () => {
	let home: string;
	beforeAll(async () => {
		const dir = await tempDir("strongbox-migrate-refuse-");
		cleanups.push(dir.remove);
		home = dir.path;
	});

	test("remote mode: run it where the server's configuration lives", async () => {
		const result = await cli(["migrate", "--to", "aws"], home, {
			env: { STRONGBOX_URL: "http://127.0.0.1:9", STRONGBOX_TOKEN: "sbx_x" },
		});
		expect(result.code).toBe(2);
		expect(result.stderr).toContain("runs where the server's configuration lives");
		expect(result.stderr).toContain(
			"hint: Run it on the machine that holds the server's configuration",
		);
	});

	test("--to: every problem listed, credentials never quoted; names checked against the configuration", async () => {
		const secret = `${CANARY}-credential`;
		const bad = await cli(
			[
				"migrate",
				"--to",
				JSON.stringify({
					type: "aws",
					name: "Bad Name",
					extra: 1,
					options: {
						region: "nowhere",
						credentials: { accessKeyId: "!", secretAccessKey: secret },
					},
				}),
			],
			home,
		);
		expect(bad.code).toBe(7);
		expect(bad.stderr).toContain("Invalid --to store (4 problems):");
		expect(bad.stderr).toContain("  - extra: is not a store field");
		expect(bad.stderr).toContain("  - name: must be 1–64 lower-case letters");
		expect(bad.stderr).toContain("  - options.region: must be an AWS region");
		expect(bad.stderr).toContain("  - options.credentials.accessKeyId:");
		expect(bad.stderr).not.toContain(secret);

		const broken = await cli(
			["migrate", "--to", `{"type": "aws", "options": {"x": "${secret}"`],
			home,
		);
		expect(broken.code).toBe(7);
		expect(broken.stderr).not.toContain(secret);
		expect((await cli(["migrate", "--to", '{"type":"nope"}'], home)).code).toBe(7);
		const unknown = await cli(["migrate", "--to", "vault"], home);
		expect(unknown.code).toBe(7);
		expect(unknown.stderr).toContain(
			"Your configuration has no store named `vault` (it has `sql`)",
		);
		const clash = await cli(["migrate", "--to", '{"type":"sql","options":{}}', "--dry-run"], home);
		expect(clash.code).toBe(7);
		expect(clash.stderr).toContain("pass `--to sql`");
		expect((await cli(["migrate", "--to", "sql"], home)).code).toBe(2);
		expect((await cli(["migrate"], home)).code).toBe(2);
	});
});
