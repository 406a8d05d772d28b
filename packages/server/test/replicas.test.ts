/**
 * Three real server processes (`dist/bin.js`, free loopback ports) on one PostgreSQL
 * database, with a 10-minute values cache and token cache. A write through one replica is
 * seen at once by the others (the cache is version-checked against the catalog row), and
 * every other replica hears the eviction notice within a short deadline, frees its entry,
 * and counts the notice in `/metrics`; a token revoked through one stops working on all.
 *
 * Needs the built server (`pnpm test` builds first through turbo) and PostgreSQL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertReachable, dropTables, randomPrefix } from "./shared-db.js";

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const POSTGRES = process.env.STRONGBOX_TEST_POSTGRES_URL;
const DEADLINE_MS = 2000;
const TTL_MS = 600_000;

interface Replica {
	child: ChildProcess;
	url: string;
	dir: string;
	output: () => string;
}

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field.
type Json = any;

// Needs PostgreSQL (LISTEN/NOTIFY between processes): set STRONGBOX_TEST_POSTGRES_URL to run
// it. When the variable is set and the database cannot be reached, `beforeAll` fails.
describe.skipIf(!POSTGRES)("three replicas on one PostgreSQL", () => {
	const prefix = randomPrefix("r");
	const replicas: Replica[] = [];
	// Every child, started or not, for the clean-up.
	const spawned: Array<Pick<Replica, "child" | "dir">> = [];
	let admin = "";

	async function start(): Promise<Replica & { token?: string }> {
		const dir = await mkdtemp(path.join(tmpdir(), "strongbox-replica-"));
		const child = spawn(process.execPath, [BIN, "--port", "0", "--data-dir", dir], {
			cwd: dir,
			env: {
				PATH: process.env.PATH ?? "",
				HOME: dir,
				STRONGBOX_DATABASE_URL: POSTGRES!,
				STRONGBOX_TABLE_PREFIX: prefix,
				STRONGBOX_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 5).toString("base64")}`,
				STRONGBOX_CACHE_TTL_MS: String(TTL_MS),
				STRONGBOX_AUTH_CACHE_TTL_MS: String(TTL_MS),
				STRONGBOX_RATE_LIMIT_PER_MINUTE: "0",
				STRONGBOX_RECONCILE_INTERVAL_SECONDS: "0",
				STRONGBOX_LOG_LEVEL: "info",
			},
			stdio: ["ignore", "pipe", "pipe"],
		});
		spawned.push({ child, dir });
		let out = "";
		let err = "";
		child.stderr!.on("data", (chunk) => (err += chunk));
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`replica did not start: ${err}`)), 30_000);
			child.on("exit", (code) => reject(new Error(`replica exited (${code}): ${err}`)));
			let started = false;
			child.stdout!.on("data", (chunk) => {
				out += chunk;
				const listening = started ? null : /"url":"(https?:\/\/[^"]+)","msg":"listening"/.exec(out);
				if (listening) {
					started = true;
					clearTimeout(timer);
					const token = /STRONGBOX_ADMIN_TOKEN=(sbx_[A-Za-z0-9_-]+)/.exec(out)?.[1];
					const replica = { child, url: listening[1]!, dir, output: () => out };
					replicas.push(replica);
					resolve({ ...replica, ...(token ? { token } : {}) });
				}
			});
		});
	}

	async function call(r: Replica, method: string, route: string, token = admin, body?: unknown) {
		const response = await fetch(`${r.url}${route}`, {
			method,
			headers: {
				authorization: `Bearer ${token}`,
				...(body ? { "content-type": "application/json" } : {}),
			},
			...(body ? { body: JSON.stringify(body) } : {}),
		});
		const text = await response.text();
		return { status: response.status, json: (text ? JSON.parse(text) : undefined) as Json };
	}

	async function metric(r: Replica, series: string): Promise<number> {
		const text = await (await fetch(`${r.url}/metrics`)).text();
		const line = text.split("\n").find((l) => l.startsWith(`${series} `));
		return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
	}

	/** Polls until `check` holds; fails after the invalidation deadline (far below the TTL). */
	async function within(check: () => Promise<boolean>): Promise<void> {
		const end = Date.now() + DEADLINE_MS;
		while (!(await check())) {
			if (Date.now() > end) throw new Error(`not within ${DEADLINE_MS} ms`);
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	}

	const RECEIVED = (kind: string) => `strongbox_invalidations_received_total{kind="${kind}"}`;

	beforeAll(async () => {
		await assertReachable(POSTGRES!);
		// The first start creates the admin; the others find it in the shared database.
		const first = await start();
		admin = first.token!;
		await Promise.all([start(), start()]);
		expect(replicas).toHaveLength(3);
	}, 90_000);

	afterAll(async () => {
		await Promise.all(
			spawned.map(
				(r) =>
					new Promise<void>((resolve) => {
						if (r.child.exitCode !== null) return resolve();
						const force = setTimeout(() => r.child.kill("SIGKILL"), 10_000);
						r.child.once("exit", () => {
							clearTimeout(force);
							resolve();
						});
						r.child.kill("SIGTERM");
					}),
			),
		);
		await Promise.all(spawned.map((r) => rm(r.dir, { recursive: true, force: true })));
		await dropTables(POSTGRES!, prefix);
	}, 30_000);

	it("every replica listens on its own connection", async () => {
		for (const r of replicas) {
			expect(await metric(r, "strongbox_invalidation_listening")).toBe(1);
			expect(r.output()).not.toContain("not listening for eviction notices");
		}
	});

	it("a write through one replica is read at once through the others, which free their cache entries", async () => {
		const [a, b, c] = replicas as [Replica, Replica, Replica];
		const created = await call(a, "POST", "/api/v1/secrets", admin, {
			name: "shared-db",
			values: { password: "v1" },
		});
		expect(created.status).toBe(201);
		const id = created.json.id as string;
		const route = `/api/v1/secrets/${id}`;
		// Warm every replica's cache: the second read of each is a hit.
		for (const r of replicas) {
			for (let i = 0; i < 2; i++)
				expect((await call(r, "GET", route)).json.values.password).toBe("v1");
			expect(await metric(r, "strongbox_cache_hits_total")).toBeGreaterThanOrEqual(1);
			expect(await metric(r, "strongbox_cache_entries")).toBe(1);
		}

		// Round 1: read right after the write, before any notice could matter.
		const before = await Promise.all(replicas.map((r) => metric(r, RECEIVED("secret"))));
		expect((await call(a, "PATCH", route, admin, { values: { password: "v2" } })).status).toBe(200);
		for (const r of [b, c]) expect((await call(r, "GET", route)).json.values.password).toBe("v2");
		// Every replica hears it, the writer included (its own notice is harmless).
		await within(async () => {
			const now = await Promise.all(replicas.map((r) => metric(r, RECEIVED("secret"))));
			return now.every((n, i) => n > before[i]!);
		});
		expect(await metric(a, 'strongbox_invalidations_sent_total{kind="secret"}')).toBeGreaterThan(0);

		// Round 2, written through another replica: the others free the entry on the notice.
		for (const r of [a, c]) await call(r, "GET", route);
		const before2 = await Promise.all([a, c].map((r) => metric(r, RECEIVED("secret"))));
		expect((await call(b, "PATCH", route, admin, { values: { password: "v3" } })).status).toBe(200);
		await within(async () => {
			const received = await Promise.all([a, c].map((r) => metric(r, RECEIVED("secret"))));
			const entries = await Promise.all([a, c].map((r) => metric(r, "strongbox_cache_entries")));
			return received.every((n, i) => n > before2[i]!) && entries.every((n) => n === 0);
		});
		for (const r of replicas) expect((await call(r, "GET", route)).json.values.password).toBe("v3");
	});

	it("a token revoked through one replica is refused by all of them within the deadline", async () => {
		const [a, b, c] = replicas as [Replica, Replica, Replica];
		await call(a, "POST", "/api/v1/workspaces", admin, { name: "ws-r" });
		expect(
			(await call(a, "POST", "/api/v1/users", admin, { name: "rita", defaultWorkspace: "ws-r" }))
				.status,
		).toBe(201);
		const created = await call(a, "POST", "/api/v1/tokens", admin, { name: "t", user: "rita" });
		const token = created.json.token as string;
		for (const r of replicas)
			expect((await call(r, "GET", "/api/v1/whoami", token)).status).toBe(200);
		expect((await call(a, "DELETE", `/api/v1/tokens/${created.json.info.id}`)).status).toBe(204);
		await within(async () => {
			const statuses = await Promise.all(
				[b, c].map(async (r) => (await call(r, "GET", "/api/v1/whoami", token)).status),
			);
			return statuses.every((s) => s === 401);
		});
		for (const r of [b, c]) expect(await metric(r, RECEIVED("token"))).toBeGreaterThanOrEqual(1);
	});
});
