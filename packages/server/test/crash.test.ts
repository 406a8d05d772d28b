/**
 * Crash safety of the real server process: `dist/bin.js` runs as a child process and is
 * killed with SIGKILL 20 times while three clients write (create, merge, delete). After
 * each kill, `reconcile()` settles what the kill left (no pending row, no orphaned
 * value), and after each restart every acknowledged write reads back exactly, while
 * each write in flight at the kill is all-or-nothing.
 *
 * Needs the built server (`pnpm test` builds first through turbo).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { openRuntime } from "../src/index.js";

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const KILLS = 20;
const WRITERS = 3;

type Values = Record<string, string>;
/** What a client knows about one secret: the acknowledged state, and a write whose answer never came. */
interface Tracked {
	name: string;
	id?: string;
	state: { values: Values; version: number } | "deleted" | "absent";
	inFlight?: { values: Values; version: number } | "deleted";
}

const dataDir = await mkdtemp(path.join(tmpdir(), "strongbox-crash-"));
const children: ChildProcess[] = [];

afterAll(async () => {
	for (const child of children) child.kill("SIGKILL");
	await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<{ child: ChildProcess; url: string; token?: string }> {
	const child = spawn(process.execPath, [BIN, "--port", "0"], {
		cwd: dataDir,
		env: {
			...process.env,
			STRONGBOX_DATA_DIR: dataDir,
			STRONGBOX_RATE_LIMIT_PER_MINUTE: "0",
			STRONGBOX_RECONCILE_INTERVAL_SECONDS: "0",
			STRONGBOX_LOG_LEVEL: "info",
		},
		stdio: ["ignore", "pipe", "pipe"],
	});
	children.push(child);
	let out = "";
	let err = "";
	child.stderr!.on("data", (chunk) => (err += chunk));
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 20_000);
		child.on("exit", (code) => reject(new Error(`server exited (${code}): ${err}`)));
		child.stdout!.on("data", (chunk) => {
			out += chunk;
			const listening = /"url":"(https?:\/\/[^"]+)","msg":"listening"/.exec(out);
			if (listening) {
				clearTimeout(timer);
				const token = /STRONGBOX_ADMIN_TOKEN=(sbx_[A-Za-z0-9_-]+)/.exec(out)?.[1];
				resolve({ child, url: listening[1]!, ...(token ? { token } : {}) });
			}
		});
	});
}

function killed(child: ChildProcess): Promise<void> {
	return new Promise((resolve) => {
		child.once("exit", () => resolve());
		child.kill("SIGKILL");
	});
}

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field.
type Json = any;

async function call(url: string, token: string, method: string, route: string, body?: unknown) {
	const response = await fetch(`${url}${route}`, {
		method,
		headers: {
			authorization: `Bearer ${token}`,
			...(body ? { "content-type": "application/json" } : {}),
		},
		...(body ? { body: JSON.stringify(body) } : {}),
		signal: AbortSignal.timeout(5000),
	});
	const text = await response.text();
	return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

let sequence = 0;
let acknowledged = 0;

/** One writer: its own secrets, one write at a time, until the server dies. */
async function writer(url: string, token: string, mine: Tracked[], w: number): Promise<void> {
	for (;;) {
		const live = mine.filter((s) => typeof s.state === "object");
		const roll = Math.random();
		let target: Tracked;
		let intended: Tracked["inFlight"];
		let send: () => Promise<{ status: number; json: Json }>;
		if (live.length < 3 || roll < 0.3) {
			target = { name: `w${w}-${++sequence}`, state: "absent" };
			mine.push(target);
			const values = { v: crypto.randomUUID() };
			intended = { values, version: 1 };
			send = () => call(url, token, "POST", "/api/v1/secrets", { name: target.name, values });
		} else if (roll < 0.85) {
			target = live[Math.floor(Math.random() * live.length)]!;
			const current = target.state as { values: Values; version: number };
			const patch = { v: crypto.randomUUID(), [`k${sequence++ % 4}`]: "x" };
			intended = { values: { ...current.values, ...patch }, version: current.version + 1 };
			send = () => call(url, token, "PATCH", `/api/v1/secrets/${target.id}`, { values: patch });
		} else {
			target = live[Math.floor(Math.random() * live.length)]!;
			intended = "deleted";
			send = () => call(url, token, "DELETE", `/api/v1/secrets/${target.id}`);
		}
		target.inFlight = intended;
		let answer: { status: number; json: Json };
		try {
			answer = await send();
		} catch {
			return; // The server is gone; the write stays in flight.
		}
		if (answer.status >= 500) return;
		expect(answer.status, JSON.stringify(answer.json)).toBeLessThan(300);
		if (intended === "deleted") target.state = "deleted";
		else {
			target.id ??= answer.json.id;
			target.state = intended;
			expect(answer.json.values).toEqual(intended.values);
			expect(answer.json.version).toBe(intended.version);
		}
		target.inFlight = undefined;
		acknowledged++;
	}
}

/** Reconciles in-process while the server is down: nothing pending, no orphaned value. */
async function reconcileOffline(): Promise<void> {
	const runtime = await openRuntime({ dataDir, log: { level: "silent" } });
	try {
		const report = await runtime.secrets.reconcile({ staleAfterMs: 0 });
		expect(report.deferred).toBe(0);
		expect(await runtime.catalog.listUnsettled(new Date(Date.now() + 3_600_000), 1000)).toEqual([]);
		const ids: string[] = [];
		for await (const id of runtime.secrets.store.listIds()) ids.push(id);
		const known = await runtime.catalog.existing(ids);
		expect(ids.filter((id) => !known.has(id))).toEqual([]);
	} finally {
		await runtime.close();
	}
}

/** Every acknowledged write reads back; a write in flight is either fully there or not at all. */
async function verify(url: string, token: string, tracked: Tracked[]): Promise<void> {
	for (const s of tracked) {
		const r = s.id
			? await call(url, token, "GET", `/api/v1/secrets/${s.id}`)
			: await call(url, token, "GET", `/api/v1/secrets/by-name/${s.name}`);
		const found =
			r.status === 200
				? { values: r.json.values as Values, version: r.json.version as number }
				: undefined;
		if (r.status !== 200) expect(r.status).toBe(404);
		const allowed = [s.state, ...(s.inFlight ? [s.inFlight] : [])];
		const matches = allowed.find((state) =>
			typeof state === "object"
				? found !== undefined && JSON.stringify(found) === JSON.stringify(state)
				: found === undefined,
		);
		expect(
			matches,
			`${s.name}: found ${JSON.stringify(found)}, allowed ${JSON.stringify(allowed)}`,
		).toBeDefined();
		s.state = matches!;
		if (found && !s.id) s.id = r.json.id;
		s.inFlight = undefined;
	}
}

it(`survives ${KILLS} SIGKILLs during writes without losing an acknowledged write`, async () => {
	expect(existsSync(BIN), `${BIN} is missing: build the server first (pnpm test does)`).toBe(true);
	const tracked: Tracked[][] = Array.from({ length: WRITERS }, () => []);
	let token = "";
	for (let round = 0; round <= KILLS; round++) {
		const server = await start();
		token ||= server.token!;
		expect(token).toMatch(/^sbx_/);
		await verify(server.url, token, tracked.flat());
		if (round === KILLS) {
			await killed(server.child);
			break;
		}
		const writing = tracked.map((mine, w) => writer(server.url, token, mine, w));
		await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 250));
		await killed(server.child);
		await Promise.all(writing);
		await reconcileOffline();
	}
	expect(acknowledged).toBeGreaterThan(KILLS * WRITERS);
	expect(tracked.flat().some((s) => typeof s.state === "object")).toBe(true);
}, 120_000);
