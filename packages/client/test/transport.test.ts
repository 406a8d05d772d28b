/**
 * The client's HTTP behaviour against small real HTTP servers that answer what a proxy,
 * a throttled or a failing server would: bounded retries on 503 and 429 honouring
 * Retry-After, no retry of a write whose outcome is unknown, the timeout, typed errors
 * (never "not found" for a foreign 404), and the token kept out of every message.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import {
	AuthError,
	ConflictError,
	RateLimitedError,
	SecretNotFoundError,
	StoreClosedError,
	StoreUnavailableError,
	StrongboxError,
	ValidationError,
} from "@strongbox/core";
import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "../src/index.js";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

const servers: http.Server[] = [];
const TOKEN = `sbx_${"t".repeat(43)}`;
const ID = "0b5d7b51-3a5d-4c7e-9a67-0e2a8a3b6c11";

afterEach(async () => {
	await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function serve(handler: Handler): Promise<{
	url: string;
	requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>;
}> {
	const requests: Array<{
		method: string;
		url: string;
		headers: http.IncomingHttpHeaders;
		body: string;
	}> = [];
	const server = http.createServer((req, res) => {
		let body = "";
		req.on("data", (c) => (body += c));
		req.on("end", () => {
			requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
			handler(req, res, body);
		});
	});
	servers.push(server);
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function json(
	res: http.ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
) {
	res.writeHead(status, { "content-type": "application/json", ...headers });
	res.end(JSON.stringify(body));
}

const secretJson = {
	id: ID,
	name: "db",
	scope: "workspace",
	workspace: "ws",
	owner: null,
	keys: ["password"],
	version: 3,
	createdAt: "2026-01-01T00:00:00.000Z",
	updatedAt: "2026-01-02T00:00:00.000Z",
	backend: "sql",
	values: { password: "canary-value-123" },
};

async function rejection<E extends Error>(
	promise: Promise<unknown>,
	type: abstract new (...args: never[]) => E,
): Promise<E> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(type);
	expect(String((error as Error).message)).not.toContain(TOKEN);
	return error as E;
}

describe("answers", () => {
	it("build Secret objects with Date fields and masked values, and send the token, workspace and If-Match", async () => {
		const { url, requests } = await serve((_req, res) => json(res, 200, secretJson));
		const client = createClient({ url, token: TOKEN, workspace: "ws-b" });
		const secret = await client.updateSecret(ID, { values: { password: "x" }, expectedVersion: 2 });
		expect(secret.createdAt).toEqual(new Date("2026-01-01T00:00:00.000Z"));
		expect(secret.values.password).toBe("canary-value-123");
		expect(JSON.stringify(secret)).not.toContain("canary-value-123");
		expect(String(secret)).not.toContain("canary-value-123");
		expect((await import("node:util")).inspect(secret)).not.toContain("canary-value-123");
		expect(requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
		expect(requests[0]!.headers["x-strongbox-workspace"]).toBe("ws-b");
		expect(requests[0]!.headers["if-match"]).toBe('"2"');
		expect(JSON.parse(requests[0]!.body)).toEqual({ values: { password: "x" } });
	});

	it("map error bodies to core's typed errors, and a foreign 404 or HTML page to a generic error", async () => {
		let answer: (res: http.ServerResponse) => void = () => {};
		const { url } = await serve((_req, res) => answer(res));
		const client = createClient({ url, token: TOKEN, retry: false });
		answer = (res) =>
			json(res, 404, {
				error: { code: "SECRET_NOT_FOUND", message: "Secret x not found.", requestId: "r" },
			});
		await rejection(client.getSecret(ID), SecretNotFoundError);
		answer = (res) =>
			json(res, 412, {
				error: {
					code: "CONFLICT",
					message: "moved on",
					details: { currentVersion: 4 },
					requestId: "r",
				},
			});
		expect(
			(await rejection(client.deleteSecret(ID, { expectedVersion: 3 }), ConflictError)).details,
		).toEqual({ currentVersion: 4 });
		answer = (res) =>
			json(res, 400, {
				error: {
					code: "VALIDATION_FAILED",
					message: "bad",
					details: { issues: [{ path: "name", message: "m" }] },
					requestId: "r",
				},
			});
		expect(
			(await rejection(client.createSecret({ name: "x", values: {} }), ValidationError)).issues,
		).toEqual([{ path: "name", message: "m" }]);
		answer = (res) =>
			json(res, 404, { error: { code: "ROUTE_NOT_FOUND", message: "No route", requestId: "r" } });
		const route = await rejection(client.getSecret(ID), StrongboxError);
		expect(route).not.toBeInstanceOf(SecretNotFoundError);
		answer = (res) => {
			res.writeHead(404, { "content-type": "text/html" });
			res.end("<html>nginx</html>");
		};
		expect(await rejection(client.getSecret(ID), StrongboxError)).not.toBeInstanceOf(
			SecretNotFoundError,
		);
		answer = (res) => {
			res.writeHead(401);
			res.end();
		};
		await rejection(client.getSecret(ID), AuthError);
	});

	it("refuse ids and names that would change the URL, like core does, without a request", async () => {
		const { url, requests } = await serve((_req, res) => json(res, 200, secretJson));
		const client = createClient({ url, token: TOKEN });
		await rejection(client.getSecret("../users"), ValidationError);
		await rejection(client.getSecretByName(""), ValidationError);
		await rejection(client.getSecretByName("a/b"), ValidationError);
		await rejection(client.updateSecret(ID, { values: {}, expectedVersion: -1 }), ValidationError);
		expect(requests).toHaveLength(0);
	});
});

describe("retries", () => {
	it("retry 503 and 429 with backoff, waiting Retry-After seconds", async () => {
		let calls = 0;
		const { url } = await serve((_req, res) => {
			calls++;
			if (calls === 1)
				json(res, 503, { error: { code: "STORE_UNAVAILABLE", message: "down", requestId: "r" } });
			else if (calls === 2)
				json(
					res,
					429,
					{
						error: {
							code: "RATE_LIMITED",
							message: "slow",
							details: { retryAfterSeconds: 1 },
							requestId: "r",
						},
					},
					{ "retry-after": "1" },
				);
			else json(res, 200, secretJson);
		});
		const client = createClient({ url, token: TOKEN, retry: { baseDelayMs: 1 } });
		const started = Date.now();
		expect((await client.getSecret(ID)).id).toBe(ID);
		expect(calls).toBe(3);
		// Retry-After is a lower bound on the wait (no upper bound is asserted).
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
	});

	it("give up after the configured attempts, and at once when Retry-After is longer than the client will wait", async () => {
		let calls = 0;
		const { url } = await serve((_req, res) => {
			calls++;
			json(res, 503, { error: { code: "STORE_UNAVAILABLE", message: "down", requestId: "r" } });
		});
		const client = createClient({ url, token: TOKEN, retry: { attempts: 3, baseDelayMs: 1 } });
		await rejection(client.getSecret(ID), StoreUnavailableError);
		expect(calls).toBe(3);
		calls = 0;
		const { url: slow } = await serve((_req, res) => {
			calls++;
			json(
				res,
				429,
				{
					error: {
						code: "RATE_LIMITED",
						message: "slow",
						details: { retryAfterSeconds: 3600 },
						requestId: "r",
					},
				},
				{ "retry-after": "3600" },
			);
		});
		const patient = createClient({ url: slow, token: TOKEN, retry: { maxRetryAfterSeconds: 5 } });
		expect((await rejection(patient.getSecret(ID), RateLimitedError)).retryAfterSeconds).toBe(3600);
		expect(calls).toBe(1);
	});

	it("time out, retrying a read but never a write whose outcome is unknown", async () => {
		let calls = 0;
		const { url } = await serve(() => {
			calls++; // never answers
		});
		const client = createClient({
			url,
			token: TOKEN,
			timeoutMs: 100,
			retry: { attempts: 2, baseDelayMs: 1 },
		});
		const read = await rejection(client.getSecret(ID), StoreUnavailableError);
		expect(read.message).toMatch(/did not answer within 100 ms/);
		expect(calls).toBe(2);
		calls = 0;
		await rejection(client.createSecret({ name: "db", values: { a: "b" } }), StoreUnavailableError);
		expect(calls).toBe(1);
	});

	it("retry a refused connection for writes too (the request never left), and report it as unavailable", async () => {
		const { url } = await serve(() => {});
		await new Promise((resolve) => servers.pop()!.close(resolve));
		const client = createClient({ url, token: TOKEN, retry: { attempts: 2, baseDelayMs: 1 } });
		const error = await rejection(
			client.createSecret({ name: "db", values: { a: "b" } }),
			StoreUnavailableError,
		);
		expect(error.message).toMatch(/Cannot reach the Strongbox server/);
	});
});

describe("options", () => {
	it("refuse plain HTTP to a non-loopback host, credentials in the URL, and an empty token", () => {
		expect(() => createClient({ url: "http://secrets.example.com", token: TOKEN })).toThrow(
			ValidationError,
		);
		expect(() =>
			createClient({ url: "http://secrets.example.com", token: TOKEN, allowInsecureHttp: true }),
		).not.toThrow();
		expect(() => createClient({ url: "https://u:p@secrets.example.com", token: TOKEN })).toThrow(
			ValidationError,
		);
		expect(() => createClient({ url: "https://secrets.example.com", token: "" })).toThrow(
			ValidationError,
		);
		expect(() => createClient({ url: "not a url", token: TOKEN })).toThrow(ValidationError);
	});

	it("refuse calls after close()", async () => {
		const { url } = await serve((_req, res) => json(res, 200, secretJson));
		const client = createClient({ url, token: TOKEN });
		await client.close();
		await rejection(client.getSecret(ID), StoreClosedError);
	});
});
