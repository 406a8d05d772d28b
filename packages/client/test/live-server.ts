/**
 * A real `@strongbox/server` on a free port with a temporary data directory, and the
 * three callers of the Secrets conformance suite (alice and bob in `ws-a`, carol in
 * `ws-b`), each with a real token created through the API.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer, type StrongboxConfigInput, type StrongboxServer } from "@strongbox/server";
import { openDatabase } from "@strongbox/store-sql";
import { type ClientOptions, createClient, type StrongboxClient } from "../src/index.js";

/** A running server and an admin client. */
export interface LiveServer {
	server: StrongboxServer;
	url: string;
	admin: StrongboxClient;
	/** A client for a new user (member of `workspace`, created if missing). */
	userClient(
		name: string,
		workspace: string,
		options?: Partial<ClientOptions>,
	): Promise<StrongboxClient>;
	close(): Promise<void>;
}

/** A shared database (`STRONGBOX_TEST_POSTGRES_URL` / `STRONGBOX_TEST_MYSQL_URL`) with a fresh table prefix. */
export function sharedDatabaseConfig(
	variable: "STRONGBOX_TEST_POSTGRES_URL" | "STRONGBOX_TEST_MYSQL_URL",
): StrongboxConfigInput {
	const url = process.env[variable];
	if (!url) throw new Error(`${variable} is not set`);
	return {
		database: { url, tablePrefix: `c${Math.random().toString(36).slice(2, 10)}_` },
		encryption: { keys: `k1:${Buffer.alloc(32, 9).toString("base64")}` },
	};
}

/** Drops the tables of a shared database's prefix, so that runs leave nothing behind. */
async function dropTables(url: string, prefix: string): Promise<void> {
	// One connection: MySQL's foreign-key switch is per session.
	const knex = openDatabase(url, { poolMax: 1 });
	const postgres = /^postgres(?:ql)?:/i.test(url);
	try {
		const names: string[] = postgres
			? (
					await knex.raw(
						"SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()",
					)
				).rows.map((r: { name: string }) => r.name)
			: (
					await knex.raw(
						"SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()",
					)
				)[0].map((r: { name: string }) => r.name);
		if (!postgres) await knex.raw("SET FOREIGN_KEY_CHECKS = 0");
		for (const table of names.filter((name) => name.startsWith(prefix))) {
			await knex.raw(
				postgres ? `DROP TABLE IF EXISTS "${table}" CASCADE` : `DROP TABLE IF EXISTS \`${table}\``,
			);
		}
	} finally {
		await knex.destroy();
	}
}

/** Starts a server (quiet logs, no rate limit unless configured). */
export async function startLiveServer(config: StrongboxConfigInput = {}): Promise<LiveServer> {
	const dataDir = await mkdtemp(path.join(tmpdir(), "strongbox-client-"));
	let adminToken = "";
	const server = await createServer(
		{
			dataDir,
			log: { level: "warn" },
			rateLimit: { requestsPerMinute: 0 },
			reconcile: { intervalSeconds: 0 },
			...config,
			server: { port: 0, ...config.server },
		},
		{ onBootstrap: (result) => (adminToken = result.token) },
	);
	const { url } = await server.listen();
	const clients: StrongboxClient[] = [];
	const admin = createClient({ url, token: adminToken });
	clients.push(admin);
	const workspaces = new Set<string>(["default"]);
	return {
		server,
		url,
		admin,
		async userClient(name, workspace, options = {}) {
			if (!workspaces.has(workspace)) {
				await admin.createWorkspace(workspace);
				workspaces.add(workspace);
			}
			await admin.createUser({ name, defaultWorkspace: workspace });
			const { token } = await admin.createToken({ name: "test", user: name });
			const client = createClient({ url, token, ...options });
			clients.push(client);
			return client;
		},
		async close() {
			await Promise.all(clients.map((c) => c.close()));
			await server.close();
			await rm(dataDir, { recursive: true, force: true });
			const { url, tablePrefix } = config.database ?? {};
			if (url !== undefined && tablePrefix !== undefined && !url.startsWith("sqlite:")) {
				await dropTables(url, tablePrefix);
			}
		},
	};
}
