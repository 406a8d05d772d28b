/**
 * TLS: the server starts with a certificate from the testkit's test CA, answers over
 * HTTPS to a client that trusts that CA, is refused by one that does not, and may then
 * listen on a non-loopback address without `allowInsecureHttp`.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateTestCertificates } from "@strongbox/testkit/emulators";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createServer, type StrongboxServer } from "../src/index.js";

let dir: string;
let ca: string;
let server: StrongboxServer;
let url: string;
let token = "";

function get(
	route: string,
	options: { ca?: string } = {},
): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const request = https.get(
			`${url}${route}`,
			{ ...(options.ca ? { ca: options.ca } : {}), headers: { authorization: `Bearer ${token}` } },
			(response) => {
				let body = "";
				response.on("data", (chunk) => (body += chunk));
				response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
			},
		);
		request.on("error", reject);
	});
}

beforeAll(async () => {
	dir = await mkdtemp(path.join(tmpdir(), "strongbox-tls-"));
	const certs = await generateTestCertificates();
	ca = certs.ca;
	await writeFile(path.join(dir, "cert.pem"), certs.cert);
	await writeFile(path.join(dir, "key.pem"), certs.key, { mode: 0o600 });
	server = await createServer(
		{
			dataDir: dir,
			// A non-loopback address is allowed with TLS, without allowInsecureHttp.
			server: {
				host: "0.0.0.0",
				port: 0,
				tls: { cert: path.join(dir, "cert.pem"), key: path.join(dir, "key.pem") },
			},
			log: { level: "silent" },
		},
		{ onBootstrap: (r) => (token = r.token) },
	);
	url = (await server.listen()).url;
});

afterAll(async () => {
	await server?.close();
	await rm(dir, { recursive: true, force: true });
});

it("serves HTTPS to a client trusting the CA", async () => {
	expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
	const r = await get("/api/v1/whoami", { ca });
	expect(r.status).toBe(200);
	expect(JSON.parse(r.body).user).toBe("admin");
});

it("is refused by a client that does not trust the CA", async () => {
	await expect(get("/health")).rejects.toThrow(/certificate/i);
	await expect(fetch(`${url}/health`)).rejects.toThrow();
});

it("reports unreadable certificate files as a configuration error", async () => {
	await expect(
		createServer({
			dataDir: dir,
			server: {
				port: 0,
				tls: { cert: path.join(dir, "none.pem"), key: path.join(dir, "key.pem") },
			},
		}),
	).rejects.toThrow(/server\.tls\.cert: file cannot be read/);
});
