/**
 * A TCP proxy in front of a database server, to take the server away for real: `fail()`
 * cuts every connection and stops listening (clients get ECONNREFUSED), the returned
 * function listens again on the same port.
 */
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";

/** A running proxy. */
export interface TcpProxy {
	port: number;
	/** The URL with host and port replaced by the proxy's. */
	url(target: string): string;
	fail(): Promise<() => Promise<void>>;
	close(): Promise<void>;
}

/** Starts a proxy to `host:port` on a free loopback port. */
export async function startProxy(host: string, port: number): Promise<TcpProxy> {
	const sockets = new Set<Socket>();
	const accept = (client: Socket) => {
		const upstream = connect(port, host);
		for (const s of [client, upstream]) {
			sockets.add(s);
			s.on("close", () => sockets.delete(s));
			s.on("error", () => {});
		}
		client.pipe(upstream).pipe(client);
		client.on("close", () => upstream.destroy());
		upstream.on("close", () => client.destroy());
	};
	let server: Server = createServer(accept);
	server.listen(0, "127.0.0.1");
	await once(server, "listening");
	const address = server.address();
	const proxyPort = typeof address === "object" && address ? address.port : 0;

	async function stop(): Promise<void> {
		const closed = new Promise<void>((resolve) => server.close(() => resolve()));
		for (const s of sockets) s.destroy();
		await closed;
		// Let clients notice their dead connections before the next query.
		await new Promise((resolve) => setTimeout(resolve, 50));
	}

	return {
		port: proxyPort,
		url(target) {
			const u = new URL(target);
			u.hostname = "127.0.0.1";
			u.port = String(proxyPort);
			return u.toString();
		},
		async fail() {
			await stop();
			return async () => {
				server = createServer(accept);
				server.listen(proxyPort, "127.0.0.1");
				await once(server, "listening");
			};
		},
		close: stop,
	};
}
