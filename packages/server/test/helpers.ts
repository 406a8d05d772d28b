/**
 * Test fixtures: a real server on a temporary data directory (SQLite), its log lines
 * captured, and callers with real tokens created through the API. The shared databases
 * (PostgreSQL, MySQL) are covered by the client's conformance run against a live server.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import {
	type CreateServerOptions,
	createServer,
	type StrongboxConfigInput,
	type StrongboxServer,
} from "../src/index.js";

/** A running test server. */
export interface TestServer {
	server: StrongboxServer;
	url: string;
	adminToken: string;
	dataDir: string;
	/** Every log line written so far. */
	logs(): string;
	/** `fetch` against the server with a token. */
	request(
		method: string,
		route: string,
		options?: {
			token?: string;
			body?: unknown;
			headers?: Record<string, string>;
			rawBody?: string;
		},
		// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field.
	): Promise<{ status: number; headers: Headers; text: string; json: any }>;
	/** Creates a user (member of `workspace`) and a token for it. */
	user(name: string, workspace: string, extra?: { admin?: boolean }): Promise<string>;
	workspace(name: string): Promise<void>;
	close(): Promise<void>;
}

/** Starts a server on a free port with a fresh data directory. */
export async function startTestServer(
	config: StrongboxConfigInput = {},
	options: Pick<CreateServerOptions, "import"> = {},
): Promise<TestServer> {
	const dataDir = await mkdtemp(path.join(tmpdir(), "strongbox-server-"));
	const lines: string[] = [];
	const logStream = new Writable({
		write(chunk, _encoding, done) {
			lines.push(String(chunk));
			done();
		},
	});
	let adminToken = "";
	const server = await createServer(
		{
			dataDir,
			...config,
			server: { port: 0, ...config.server },
			log: { level: "debug", ...config.log },
			reconcile: { intervalSeconds: 0, ...config.reconcile },
		},
		{
			...options,
			logStream,
			onBootstrap: (result) => {
				adminToken = result.token;
			},
		},
	);
	const { url } = await server.listen();
	const request: TestServer["request"] = async (method, route, options = {}) => {
		const headers: Record<string, string> = { ...options.headers };
		if (options.token) headers.authorization = `Bearer ${options.token}`;
		let body: string | undefined;
		if (options.rawBody !== undefined) body = options.rawBody;
		else if (options.body !== undefined) {
			body = JSON.stringify(options.body);
			headers["content-type"] ??= "application/json";
		}
		const response = await fetch(`${url}${route}`, {
			method,
			headers,
			...(body === undefined ? {} : { body }),
		});
		const text = await response.text();
		let json: unknown;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: response.status, headers: response.headers, text, json };
	};
	const fixture: TestServer = {
		server,
		url,
		adminToken,
		dataDir,
		logs: () => lines.join(""),
		request,
		async workspace(name) {
			const r = await request("POST", "/api/v1/workspaces", { token: adminToken, body: { name } });
			if (r.status !== 201 && r.status !== 409)
				throw new Error(`workspace ${name}: ${r.status} ${r.text}`);
		},
		async user(name, workspace, extra = {}) {
			await fixture.workspace(workspace);
			const u = await request("POST", "/api/v1/users", {
				token: adminToken,
				body: { name, defaultWorkspace: workspace, ...extra },
			});
			if (u.status !== 201) throw new Error(`user ${name}: ${u.status} ${u.text}`);
			const t = await request("POST", "/api/v1/tokens", {
				token: adminToken,
				body: { name: "test", user: name },
			});
			if (t.status !== 201) throw new Error(`token ${name}: ${t.status} ${t.text}`);
			return t.json.token as string;
		},
		async close() {
			await server.close();
			await rm(dataDir, { recursive: true, force: true });
		},
	};
	return fixture;
}
