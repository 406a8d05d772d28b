/**
 * Refuses every outgoing connection that does not go to loopback (or a Unix socket),
 * so a test can never reach a real cloud by accident (the GCP SDK, for one, probes the
 * metadata server at 169.254.169.254 when it finds no credentials).
 *
 * Install it for a whole test run with `setupFiles: ["@strongbox/testkit/network-guard"]`,
 * or call {@link installNetworkGuard}. Set `STRONGBOX_TEST_ALLOW_NETWORK=1` to run the
 * suites against real services.
 */
import net from "node:net";

/** Connections the guard refused, for assertions. */
export const blockedConnections: { host: string; port: number | undefined }[] = [];

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]);

/** Whether `host` is a loopback address or name. */
export function isLoopback(host: string | undefined | null): boolean {
	if (host === undefined || host === null || host === "") return true; // Node's default is localhost
	const h = host.replace(/^\[|\]$/g, "").toLowerCase();
	return LOOPBACK.has(h) || h.startsWith("127.") || h.endsWith(".localhost");
}

let installed = false;

/** Patches `net.Socket#connect` once per process; further calls do nothing. */
export function installNetworkGuard(): void {
	if (installed || process.env.STRONGBOX_TEST_ALLOW_NETWORK === "1") return;
	installed = true;
	const original = net.Socket.prototype.connect as (...args: unknown[]) => net.Socket;
	net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
		let first = args[0];
		if (Array.isArray(first)) first = first[0]; // net.connect() passes normalized args
		let host: string | undefined;
		let port: number | undefined;
		let path: string | undefined;
		if (typeof first === "object" && first !== null) {
			const o = first as { host?: string; port?: number | string; path?: string };
			host = o.host;
			port = o.port === undefined ? undefined : Number(o.port);
			path = o.path;
		} else if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
			port = Number(first);
			host = typeof args[1] === "string" ? args[1] : undefined;
		} else if (typeof first === "string") {
			path = first;
		}
		if (path === undefined && !isLoopback(host)) {
			blockedConnections.push({ host: host ?? "", port });
			const error = Object.assign(
				new Error(
					`[strongbox network guard] refused a connection to ${host}:${port ?? ""} (tests only reach loopback).`,
				),
				{ code: "ECONNREFUSED" },
			);
			process.nextTick(() => this.destroy(error));
			return this;
		}
		return original.apply(this, args);
	} as typeof net.Socket.prototype.connect;
}

installNetworkGuard();
