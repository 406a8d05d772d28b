/**
 * The HTTP(S) plumbing the HTTP-based emulators share: a loopback server on a free
 * port, bounded body reading, JSON answers, and the protocol-independent faults
 * (latency and dropped connections) of a {@link FaultPlan}.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { delay, type FaultPlan, type FaultRule } from "./faults.js";

/** A running loopback server. */
export interface RunningServer {
	readonly port: number;
	/** `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`. */
	readonly origin: string;
	/** Stops accepting and destroys open connections. */
	close(): Promise<void>;
}

/** Options of {@link startServer}. */
export interface StartServerOptions {
	/** TLS key and certificate (PEM) for an HTTPS server. */
	tls?: { key: string; cert: string };
	/** Port to listen on. @default 0 (a free port) */
	port?: number;
	/**
	 * Answers requests Node's parser refuses before any handler runs (for example the
	 * `LIST` verb Vault clients send). Without it Node answers a bare 400.
	 */
	onClientError?: (error: Error & { code?: string }, socket: Duplex) => void;
}

/** Starts an HTTP(S) server on 127.0.0.1. Handler errors answer 500 instead of crashing. */
export async function startServer(
	handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void,
	options: StartServerOptions = {},
): Promise<RunningServer> {
	const sockets = new Set<Socket>();
	const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
		Promise.resolve(handler(req, res)).catch(() => {
			if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
			res.end('{"message":"emulator failure"}');
		});
	};
	const server = options.tls
		? https.createServer({ ...options.tls }, listener)
		: http.createServer(listener);
	if (options.onClientError) server.on("clientError", options.onClientError);
	server.on("connection", (socket: Socket) => {
		sockets.add(socket);
		socket.on("close", () => sockets.delete(socket));
	});
	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	return {
		port,
		origin: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}

/** Thrown by {@link readBody} when a body exceeds its limit. */
export class BodyTooLargeError extends Error {}

/** Reads a request body up to `limit` bytes. */
export async function readBody(req: http.IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > limit) throw new BodyTooLargeError(`body larger than ${limit} bytes`);
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}

/** Sends a JSON answer. */
export function sendJson(
	res: http.ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	const text = body === undefined ? "" : JSON.stringify(body);
	res.writeHead(status, {
		"content-type": "application/json",
		"content-length": String(Buffer.byteLength(text)),
		...headers,
	});
	res.end(text);
}

/**
 * Applies the protocol-independent part of a fault decision: waits for injected latency,
 * and for a `drop` fault destroys the connection without an answer. Returns the fault
 * the emulator must still answer in its own protocol (`throttle` or `error`), if any.
 */
export async function applyTransportFault(
	plan: FaultPlan,
	operation: string,
	target: string | undefined,
	req: http.IncomingMessage,
): Promise<{
	answer?: FaultRule;
	dropped: boolean;
	record: ReturnType<FaultPlan["decide"]>["record"];
}> {
	const decision = plan.decide(operation, target);
	await delay(decision.latencyMs);
	if (decision.fault?.kind === "drop") {
		req.socket.destroy();
		return { dropped: true, record: decision.record };
	}
	return {
		...(decision.fault ? { answer: decision.fault } : {}),
		dropped: false,
		record: decision.record,
	};
}
