/**
 * A loopback TCP relay in front of the gRPC server, so that a `drop` fault can destroy
 * the very connection a call came in on (grpc-js does not expose a call's socket; the
 * peer address it reports is the relay's upstream socket, which maps back to the
 * client's connection).
 */
import net from "node:net";

/** A running relay. */
export interface Relay {
	readonly port: number;
	/** Destroys the client connection whose upstream socket has this local port. `false` if unknown. */
	drop(upstreamPort: number): boolean;
	close(): Promise<void>;
}

/** Starts a relay from a free loopback port to `127.0.0.1:targetPort`. */
export async function startRelay(targetPort: number): Promise<Relay> {
	const byUpstreamPort = new Map<number, { client: net.Socket; upstream: net.Socket }>();
	const sockets = new Set<net.Socket>();
	const server = net.createServer((client) => {
		const upstream = net.connect(targetPort, "127.0.0.1");
		const pair = { client, upstream };
		for (const socket of [client, upstream]) {
			// Without it, Nagle's algorithm and delayed ACKs stall small gRPC frames by ~40 ms.
			socket.setNoDelay(true);
			sockets.add(socket);
			socket.on("close", () => {
				sockets.delete(socket);
				client.destroy();
				upstream.destroy();
			});
			socket.on("error", () => {});
		}
		upstream.on("connect", () => {
			const localPort = upstream.localPort!;
			byUpstreamPort.set(localPort, pair);
			upstream.once("close", () => byUpstreamPort.delete(localPort));
		});
		client.pipe(upstream);
		upstream.pipe(client);
	});
	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => resolve());
	});
	const { port } = server.address() as net.AddressInfo;
	return {
		port,
		drop(upstreamPort) {
			const pair = byUpstreamPort.get(upstreamPort);
			if (!pair) return false;
			byUpstreamPort.delete(upstreamPort);
			pair.client.destroy();
			pair.upstream.destroy();
			return true;
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}
