/**
 * A wire-level emulator of Google Secret Manager: Google's real gRPC protocol, served by
 * `@grpc/grpc-js` with the service definition loaded from the protos of the installed
 * `@google-cloud/secret-manager` (see `protos.ts`), on loopback, with fault injection.
 *
 * Point the real SDK at it with insecure channel credentials from google-gax's own
 * grpc-js, and an auth option so that no metadata server is probed:
 *
 * @example
 * const emulator = await startGcpEmulator();
 * const client = new SecretManagerServiceClient({
 *   apiEndpoint: emulator.apiEndpoint, port: emulator.port,
 *   sslCreds: grpc.credentials.createInsecure(),   // `import { grpc } from "google-gax"`
 *   universeDomain: "googleapis.com",
 * });
 */
import * as grpc from "@grpc/grpc-js";
import { delay, type EmulatorControls, FaultPlan, type FaultRule } from "../faults.js";
import { SecretManagerModel } from "./model.js";
import { loadSecretManagerService } from "./protos.js";
import { startRelay } from "./proxy.js";
import type { RawGcpSecret } from "./resources.js";
import { GrpcFault } from "./rules.js";

export type { RawGcpSecret, VersionState } from "./resources.js";

/** Options of {@link startGcpEmulator}. */
export interface GcpEmulatorOptions {
	/** The project the emulator serves; any other project is PERMISSION_DENIED. @default "strongbox-test" */
	projectId?: string;
	/**
	 * The project number used in resource names of answers (the real service answers
	 * `projects/<number>/…` even when asked with the project id). @default "123456789012"
	 */
	projectNumber?: string;
	/** Random source of the fault plan, for reproducible fault runs. @default Math.random */
	random?: () => number;
}

/** A running GCP emulator. */
export interface GcpEmulator extends EmulatorControls {
	/** Host for the SDK's `apiEndpoint` option. */
	readonly apiEndpoint: "127.0.0.1";
	readonly port: number;
	readonly projectId: string;
	readonly projectNumber: string;
	/** What the emulator holds for a secret id (or full resource name), or `undefined`. */
	rawSecret(name: string): RawGcpSecret | undefined;
	/** Every secret id the emulator holds, oldest first. */
	secretIds(): string[];
	/** Stops the server and drops every connection. */
	close(): Promise<void>;
}

type Handler = (request: Record<string, unknown>) => Record<string, unknown>;

const HTTP_TO_GRPC: Record<number, grpc.status> = {
	400: grpc.status.INVALID_ARGUMENT,
	401: grpc.status.UNAUTHENTICATED,
	403: grpc.status.PERMISSION_DENIED,
	404: grpc.status.NOT_FOUND,
	409: grpc.status.ABORTED,
	429: grpc.status.RESOURCE_EXHAUSTED,
	500: grpc.status.INTERNAL,
	501: grpc.status.UNIMPLEMENTED,
	503: grpc.status.UNAVAILABLE,
	504: grpc.status.DEADLINE_EXCEEDED,
};

/** The gRPC answer of an injected `throttle` or `error` fault. */
function faultAnswer(fault: FaultRule): GrpcFault {
	if (fault.kind === "throttle") {
		return new GrpcFault(
			grpc.status.RESOURCE_EXHAUSTED,
			"Quota exceeded for quota metric 'Access requests' and limit 'Access requests per minute per project'.",
		);
	}
	const code = HTTP_TO_GRPC[fault.status ?? 500] ?? grpc.status.INTERNAL;
	return new GrpcFault(
		code,
		code === grpc.status.PERMISSION_DENIED
			? "Permission 'secretmanager.versions.access' denied (injected)."
			: "Internal error encountered (injected).",
	);
}

/** The secret id a request names, for the call log. */
function targetOf(request: Record<string, unknown>): string | undefined {
	const secret = request.secret as { name?: unknown } | null | undefined;
	const name = [request.name, request.parent, secret?.name].find(
		(v): v is string => typeof v === "string" && v.includes("/secrets/"),
	);
	if (name) return name.split("/secrets/")[1]!.split("/")[0];
	return typeof request.secretId === "string" && request.secretId ? request.secretId : undefined;
}

function peerPort(call: grpc.ServerUnaryCall<unknown, unknown>): number | undefined {
	const match = /:(\d+)$/.exec(call.getPeer());
	return match ? Number(match[1]) : undefined;
}

/**
 * Starts a Secret Manager emulator on a free loopback port.
 *
 * Faults: `throttle` answers RESOURCE_EXHAUSTED; `error` answers INTERNAL (or the gRPC code
 * matching `status`: 503 → UNAVAILABLE, 403 → PERMISSION_DENIED, 429 → RESOURCE_EXHAUSTED…);
 * `latency` delays the answer; `drop` destroys the connection the call came in on.
 */
export async function startGcpEmulator(options: GcpEmulatorOptions = {}): Promise<GcpEmulator> {
	const service = loadSecretManagerService();
	const projectId = options.projectId ?? "strongbox-test";
	const projectNumber = options.projectNumber ?? "123456789012";
	const model = new SecretManagerModel(projectId, projectNumber);
	const plan = new FaultPlan(options.random);
	let relay: Awaited<ReturnType<typeof startRelay>> | undefined;

	const operations: Record<string, Handler> = {
		CreateSecret: (r) => model.createSecret(r),
		GetSecret: (r) => model.getSecret(r),
		UpdateSecret: (r) => model.updateSecret(r),
		DeleteSecret: (r) => model.deleteSecret(r),
		ListSecrets: (r) => model.listSecrets(r),
		AddSecretVersion: (r) => model.addSecretVersion(r),
		AccessSecretVersion: (r) => model.accessSecretVersion(r),
		GetSecretVersion: (r) => model.getSecretVersion(r),
		ListSecretVersions: (r) => model.listSecretVersions(r),
		DisableSecretVersion: (r) => model.disableSecretVersion(r),
		EnableSecretVersion: (r) => model.enableSecretVersion(r),
		DestroySecretVersion: (r) => model.destroySecretVersion(r),
	};

	const implementation: grpc.UntypedServiceImplementation = {};
	for (const [method, definition] of Object.entries(service)) {
		const handler = operations[method];
		implementation[method] = async (
			call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>,
			callback: grpc.sendUnaryData<unknown>,
		) => {
			const decision = plan.decide(method, targetOf(call.request ?? {}));
			await delay(decision.latencyMs);
			const fail = (error: GrpcFault) => {
				decision.record.status = error.code;
				callback({ code: error.code, details: error.details, metadata: new grpc.Metadata() });
			};
			if (decision.fault?.kind === "drop") {
				decision.record.status = grpc.status.UNAVAILABLE;
				const port = peerPort(call);
				// Without a known connection, answer what a client sees after a reset: UNAVAILABLE, no data.
				if (port === undefined || !relay?.drop(port))
					fail(new GrpcFault(grpc.status.UNAVAILABLE, ""));
				return;
			}
			if (decision.fault) return fail(faultAnswer(decision.fault));
			if (!handler || definition.requestStream || definition.responseStream) {
				return fail(new GrpcFault(grpc.status.UNIMPLEMENTED, `Method ${method} is not emulated.`));
			}
			try {
				const response = handler(call.request ?? {});
				decision.record.status = grpc.status.OK;
				callback(null, response);
			} catch (error) {
				fail(
					error instanceof GrpcFault
						? error
						: new GrpcFault(grpc.status.INTERNAL, "Internal error encountered (emulator failure)."),
				);
			}
		};
	}

	const server = new grpc.Server();
	server.addService(service, implementation);
	const grpcPort = await new Promise<number>((resolve, reject) =>
		server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) =>
			error ? reject(error) : resolve(port),
		),
	);
	relay = await startRelay(grpcPort);

	return {
		apiEndpoint: "127.0.0.1",
		port: relay.port,
		projectId,
		projectNumber,
		calls: plan.calls,
		count: (operation) => plan.count(operation),
		clearCalls: () => plan.clearCalls(),
		inject: (rule) => plan.inject(rule),
		clearFaults: () => plan.clearFaults(),
		rawSecret: (name) => model.raw(name),
		secretIds: () => model.ids(),
		async close() {
			await relay?.close();
			server.forceShutdown();
		},
	};
}
