/**
 * Server benchmark: `GET /api/v1/secrets/{id}` on a real Strongbox server (bearer token,
 * per-token rate limiter, audit entry per read, SQLite catalog and encrypted values)
 * against a bare fastify route answering a body of the same shape, in the same process,
 * measured in the same run with the same load generator. The figure is the ratio of
 * their requests per second; the goal is at least 0.5.
 *
 * The load generator runs in a worker thread (keep-alive `node:http` agents, a fixed
 * number of concurrent requesters) so that it does not share the event loop with the
 * servers. Needs the built server (`pnpm build`).
 *
 *   node bench/server.mjs [--duration 8]
 *
 * The lead's `bench/run.mjs` calls `runServerBench({ durationSeconds })`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const here = path.dirname(fileURLToPath(import.meta.url));
const serverDir = path.join(here, "..", "packages", "server");
const CONCURRENCY = 32;

/** Load generator (worker thread): `concurrency` requesters for `ms` milliseconds. */
async function load({ url, token, ms, concurrency }) {
	const http = await import("node:http");
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	const target = new URL(url);
	let ok = 0;
	let failed = 0;
	const deadline = Date.now() + ms;
	const once = () =>
		new Promise((resolve) => {
			const request = http.request(
				{
					host: target.hostname,
					port: target.port,
					path: target.pathname,
					agent,
					headers: token ? { authorization: `Bearer ${token}` } : {},
				},
				(response) => {
					response.on("data", () => {});
					response.on("end", () => {
						if (response.statusCode === 200) ok++;
						else failed++;
						resolve();
					});
				},
			);
			request.on("error", () => {
				failed++;
				resolve();
			});
			request.end();
		});
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (Date.now() < deadline) await once();
		}),
	);
	agent.destroy();
	return { ok, failed, seconds: ms / 1000 };
}

function measure(url, token, seconds) {
	return new Promise((resolve, reject) => {
		const worker = new Worker(fileURLToPath(import.meta.url), {
			workerData: { url, token, ms: seconds * 1000, concurrency: CONCURRENCY },
		});
		worker.once("message", resolve);
		worker.once("error", reject);
	});
}

async function bareServer() {
	const require = createRequire(path.join(serverDir, "package.json"));
	const Fastify = require("fastify");
	const app = Fastify({ logger: false });
	const now = new Date().toISOString();
	app.get("/api/v1/secrets/:id", async (request, reply) => {
		reply.header("etag", '"1"');
		return {
			id: request.params.id,
			name: "bench-db",
			scope: "workspace",
			workspace: "default",
			owner: null,
			keys: ["password", "username"],
			version: 1,
			createdAt: now,
			updatedAt: now,
			backend: "sql",
			values: { password: "p".repeat(32), username: "app" },
		};
	});
	await app.listen({ host: "127.0.0.1", port: 0 });
	return { url: `http://127.0.0.1:${app.server.address().port}`, close: () => app.close() };
}

async function strongboxServer(dataDir) {
	const entry = pathToFileURL(path.join(serverDir, "dist", "index.js")).href;
	const { createServer } = await import(entry);
	let token = "";
	const server = await createServer(
		{
			dataDir,
			server: { port: 0 },
			// Per-request info lines would go to the terminal; the limiter stays on, far above the load.
			log: { level: "warn" },
			rateLimit: { requestsPerMinute: 1_000_000 },
			reconcile: { intervalSeconds: 0 },
		},
		{ onBootstrap: (r) => (token = r.token) },
	);
	const { url } = await server.listen();
	const created = await fetch(`${url}/api/v1/secrets`, {
		method: "POST",
		headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
		body: JSON.stringify({
			name: "bench-db",
			values: { password: "p".repeat(32), username: "app" },
		}),
	}).then((r) => r.json());
	return { url, token, id: created.id, close: () => server.close() };
}

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs the benchmark: a warm-up of each target, then `rounds` rounds measuring both in
 * alternating order (as `lib.mjs` does), `durationSeconds` in all per target. Returns the
 * median requests per second of each and their ratio (Strongbox / bare; goal ≥ 0.5).
 *
 * @param {{ durationSeconds?: number, rounds?: number }} [options]
 */
export async function runServerBench({ durationSeconds = 5, rounds = 4 } = {}) {
	const dataDir = await mkdtemp(path.join(tmpdir(), "strongbox-bench-"));
	const bare = await bareServer();
	const sbx = await strongboxServer(dataDir);
	try {
		const targets = {
			bare: { url: `${bare.url}/api/v1/secrets/${sbx.id}`, token: undefined, rps: [] },
			strongbox: { url: `${sbx.url}/api/v1/secrets/${sbx.id}`, token: sbx.token, rps: [] },
		};
		for (const t of Object.values(targets)) await measure(t.url, t.token, 1);
		let failed = 0;
		for (let round = 0; round < rounds; round++) {
			const order = round % 2 === 0 ? ["bare", "strongbox"] : ["strongbox", "bare"];
			for (const name of order) {
				const t = targets[name];
				const result = await measure(t.url, t.token, durationSeconds / rounds);
				t.rps.push(result.ok / result.seconds);
				failed += result.failed;
			}
		}
		const bareRps = median(targets.bare.rps);
		const strongboxRps = median(targets.strongbox.rps);
		return {
			name: "server GET /api/v1/secrets/{id} (auth + rate limit + audit) vs bare fastify",
			bareRps: Math.round(bareRps),
			strongboxRps: Math.round(strongboxRps),
			ratio: Math.round((strongboxRps / bareRps) * 100) / 100,
			goal: 0.5,
			failedRequests: failed,
			concurrency: CONCURRENCY,
			durationSeconds,
			rounds,
		};
	} finally {
		await sbx.close();
		await bare.close();
		await rm(dataDir, { recursive: true, force: true });
	}
}

if (!isMainThread) {
	parentPort.postMessage(await load(workerData));
} else if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
	const at = process.argv.indexOf("--duration");
	const durationSeconds = at > 0 ? Number(process.argv[at + 1]) : 8;
	const result = await runServerBench({ durationSeconds });
	console.log(
		`server: Strongbox ${result.strongboxRps} req/s vs bare fastify ${result.bareRps} req/s → ratio ${result.ratio} (goal ≥ ${result.goal})${result.failedRequests ? `, ${result.failedRequests} failed requests` : ""}`,
	);
}
