/**
 * `strongbox doctor [--repair]` as a real process, in local mode and against a real
 * server: the embedded store with an AWS backup store (the testkit's emulator), a write
 * made while the backup is unavailable (a divergence), a write a crash left pending, and
 * the repair of both.
 */
import "@strongbox/testkit/network-guard";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openRuntime } from "@strongbox/server/runtime";
import { type AwsEmulator, startAwsEmulator } from "@strongbox/testkit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CANARY, cli, json, type RunOptions, requireBuild, tempDir } from "./helpers.js";
import { startServer, type TestServer } from "./server.js";

const cleanups: (() => Promise<unknown>)[] = [];
let aws: AwsEmulator;

beforeAll(async () => {
	requireBuild();
	aws = await startAwsEmulator();
	cleanups.push(() => aws.close());
});

afterAll(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup();
});

interface DoctorJson {
	mode: string;
	ok: boolean;
	catalog: { ok: boolean };
	stores: { name: string; type: string; role: string; ok: boolean; error?: string }[];
	unsettled: number | null;
	divergences: { store: string; id: string; op: string; side: string; version: number | null }[];
	encryption?: { used: boolean; source: string; keyIds: string[]; fileMode?: string; ok: boolean };
	repair?: {
		reconcile: { rolledBack: number; deferred: number } | null;
		resync: { repaired: number; failed: unknown[] };
	};
}

/** A configuration with an AWS backup store (each suite under its own prefix). */
async function backupConfig(dir: string, prefix: string): Promise<string> {
	const file = join(dir, "strongbox.config.json");
	const backup = {
		type: "aws",
		options: {
			endpoint: aws.endpoint,
			region: aws.region,
			credentials: aws.credentials,
			prefix,
			retry: { attempts: 1 },
		},
	};
	await writeFile(file, JSON.stringify({ backup }));
	return file;
}

const liveIn = (prefix: string) =>
	aws
		.rawSecrets()
		.filter((s) => s.deletedDate === undefined && s.name.startsWith(prefix))
		.map((s) => s.name.slice(prefix.length));

describe("local mode", () => {
	let home: string;
	const sb = (args: string[], options?: RunOptions) => cli(args, home, options);

	beforeAll(async () => {
		const dir = await tempDir("strongbox-doctor-");
		cleanups.push(dir.remove);
		home = dir.path;
		await backupConfig(home, "local/");
	});

	test("a healthy set-up: every check passes, keys reported by id", async () => {
		expect((await sb(["secret", "create", "a", "--k=1"])).code).toBe(0);
		const result = await sb(["doctor"]);
		expect(result.code, result.stdout + result.stderr).toBe(0);
		expect(result.stdout).toMatch(/^backup\s+aws\s+backup\s+ok$/m);
		expect(result.stdout).toMatch(/^sql\s+sql\s+primary\s+ok$/m);
		expect(result.stdout).toMatch(
			/encryption\s+key file .*strongbox\.key \(mode 600\), 1 key, active `local-\d{8}`/,
		);
		expect(result.stdout).toContain("Everything is fine.");
		const report = json<DoctorJson>(await sb(["doctor", "--json"]));
		expect(report).toMatchObject({ mode: "local", ok: true, unsettled: 0, divergences: [] });
		expect(report.encryption).toMatchObject({
			used: true,
			source: "keyFile",
			fileMode: "600",
			ok: true,
		});
		expect(liveIn("local/")).toHaveLength(1);
	});

	test("a write while the backup is down is a divergence, writes in flight are counted; --repair resyncs", async () => {
		const unfault = aws.inject({ kind: "error", status: 503 });
		const created = await sb(["secret", "create", "b", "--password=@-", "--json"], {
			stdin: CANARY,
		});
		expect(created.code, created.stderr).toBe(0);
		const id = String(json(created).id);

		// Two creates whose values never arrived: one a crash left two minutes ago (every
		// local command settles those when it opens), one still in flight (left alone).
		const runtime = await openRuntime({ dataDir: home });
		for (const [name, at] of [
			["crashed", Date.now() - 120_000],
			["in-flight", Date.now()],
		] as const) {
			await runtime.catalog.insertPending({
				id: crypto.randomUUID(),
				name,
				scope: "workspace",
				workspace: "default",
				owner: null,
				keys: ["k"],
				backend: "sql",
				now: new Date(at),
			});
		}
		await runtime.close();

		const down = await sb(["doctor"]);
		expect(down.code).toBe(1);
		expect(down.stdout).toMatch(/^backup\s+aws\s+backup\s+FAILED STORE_UNAVAILABLE/m);
		expect(down.stdout).toMatch(/^unsettled writes\s+1 /m);
		expect(down.stdout).toMatch(/^backup divergences\s+1$/m);
		expect(down.stdout).toMatch(new RegExp(`^sql\\s+${id}\\s+set\\s+backup\\s+1\\s`, "m"));
		expect(down.stdout).toContain("store `backup` (backup) failed its check (STORE_UNAVAILABLE)");
		unfault();

		const still = json<DoctorJson>(await sb(["doctor", "--json"]));
		expect(still.ok).toBe(false);
		expect(still.stores.every((s) => s.ok)).toBe(true);
		expect(still.divergences).toEqual([
			expect.objectContaining({ store: "sql", id, op: "set", side: "backup", version: 1 }),
		]);
		expect(liveIn("local/")).not.toContain(id);

		const repaired = await sb(["doctor", "--repair", "--json"]);
		expect(repaired.code, repaired.stderr).toBe(0);
		const report = json<DoctorJson>(repaired);
		expect(report.repair?.resync).toEqual({ repaired: 1, failed: [] });
		expect(report.repair?.reconcile).toMatchObject({ rolledBack: 0, deferred: 0 });
		// The write in flight is not taken for a crash's leftover.
		expect(report).toMatchObject({ ok: true, unsettled: 1, divergences: [] });
		expect(liveIn("local/")).toContain(id);
		const text = await sb(["doctor", "--repair"]);
		expect(text.stdout).toContain("Resync: 0 divergences repaired, 0 left.");
		expect(text.stdout).toContain("Everything is fine.");
	});
});

describe("remote mode", () => {
	let server: TestServer;
	let home: string;
	const sb = (args: string[], options?: RunOptions) => cli(args, home, options);

	beforeAll(async () => {
		const dir = await tempDir("strongbox-doctor-remote-");
		cleanups.push(dir.remove);
		home = dir.path;
		const config = await backupConfig(dir.path, "remote/");
		// The server imports store packages from its own dependencies, then from its working
		// directory: this package, which has @strongbox/store-aws among its devDependencies.
		server = await startServer({ args: ["--config", config], cwd: process.cwd() });
		cleanups.push(async () => {
			expect(await server.stop()).toBe(0);
			expect(server.log()).toContain("/api/v1/admin/doctor");
			expect(server.log()).not.toContain(CANARY);
		});
		expect((await sb(["login", server.url], { stdin: server.adminToken })).code).toBe(0);
	});

	test("doctor through the server; --repair resyncs the divergence", async () => {
		const unfault = aws.inject({ kind: "error", status: 503 });
		const created = await sb(["secret", "create", "b", "--password=@-", "--json"], {
			stdin: CANARY,
		});
		expect(created.code, created.stderr).toBe(0);
		const id = String(json(created).id);
		const down = await sb(["doctor"]);
		expect(down.code).toBe(1);
		expect(down.stdout).toMatch(/^backup\s+aws\s+backup\s+FAILED STORE_UNAVAILABLE/m);
		expect(down.stdout).toMatch(/^encryption\s+checked by the server when it starts$/m);
		expect(down.stdout).toMatch(new RegExp(`^sql\\s+${id}\\s+set\\s+backup\\s+1\\s`, "m"));
		unfault();

		const repaired = await sb(["doctor", "--repair"]);
		expect(repaired.code, repaired.stdout).toBe(0);
		expect(repaired.stdout).toContain("Reconciliation: the server runs it on its own schedule.");
		expect(repaired.stdout).toContain("Resync: 1 divergence repaired, 0 left.");
		expect(repaired.stdout).toContain("Everything is fine.");
		expect(liveIn("remote/")).toContain(id);
		expect(json<DoctorJson>(await sb(["doctor", "--json"]))).toMatchObject({
			mode: "remote",
			ok: true,
			divergences: [],
		});
	});
});
