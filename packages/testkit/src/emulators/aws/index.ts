/**
 * A wire-level emulator of AWS Secrets Manager: AWS JSON 1.1 over plain HTTP on
 * loopback (`POST /`, `X-Amz-Target: secretsmanager.<Operation>`), SigV4-checked, with
 * the service's error codes, limits, versions and staging labels, soft deletion,
 * pagination, tag filters, an optional listing lag (eventual consistency) and fault
 * injection. A minimal STS AssumeRole lets role-based credentials run against it too.
 *
 * Point the real SDK at it:
 * ```ts
 * const aws = await startAwsEmulator();
 * const client = new SecretsManagerClient({ endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials, maxAttempts: 1 });
 * ```
 */
import { randomBytes, randomUUID } from "node:crypto";
import type http from "node:http";
import { type EmulatorControls, FaultPlan, type FaultRule } from "../faults.js";
import {
	applyTransportFault,
	BodyTooLargeError,
	readBody,
	sendJson,
	startServer,
} from "../http.js";
import { authenticate, type KnownKey } from "./auth.js";
import { SecretsBackend } from "./backend.js";
import { AwsError, type Input } from "./model.js";
import { type RawAwsSecret, rawView } from "./records.js";
import { type AwsAssumeRoleRecord, assumeRole, stsErrorBody } from "./sts.js";

export type { RawAwsSecret } from "./records.js";
export type { AwsAssumeRoleRecord } from "./sts.js";

/** Options of {@link startAwsEmulator}. */
export interface AwsEmulatorOptions {
	/** The region requests must be signed for. @default "us-east-1" */
	region?: string;
	/** The account id in ARNs. @default "123456789012" */
	accountId?: string;
	/** ListSecrets (and filtered BatchGetSecretValue) lag writes by this long. @default 0 */
	eventualConsistencyMs?: number;
	/** Lifetime of the keys STS AssumeRole issues, overriding the requested duration. @default the requested duration, else 3600 */
	roleCredentialTtlSeconds?: number;
	/** Clock in epoch ms (listing lag, recovery windows, key expiry). @default Date.now */
	clock?: () => number;
	/** Random source of the fault plan, for reproducible fault runs. @default Math.random */
	random?: () => number;
}

/** A denial rule: matching calls answer `AccessDeniedException`. */
export interface AwsDenyRule {
	/** Only these operations (`GetSecretValue` also denies each entry of a BatchGetSecretValue). @default every operation */
	operations?: readonly string[];
}

/** A running AWS Secrets Manager emulator. */
export interface AwsEmulator extends EmulatorControls {
	/** `http://127.0.0.1:<port>`: the SDK's `endpoint`. */
	readonly endpoint: string;
	readonly region: string;
	readonly accountId: string;
	/** The only long-term key pair the emulator accepts (a fresh copy on each read: the SDK annotates the objects it is given). */
	readonly credentials: { accessKeyId: string; secretAccessKey: string };
	/** AssumeRole calls answered, oldest first. */
	readonly assumedRoles: readonly AwsAssumeRoleRecord[];
	/** Refuse matching calls with `AccessDeniedException` until the returned function is called. */
	deny(rule?: AwsDenyRule): () => void;
	/** A secret by name or ARN (soft-deleted ones included), or `undefined`. */
	rawSecret(nameOrArn: string): RawAwsSecret | undefined;
	/** Every secret held, soft-deleted ones included. */
	rawSecrets(): RawAwsSecret[];
	close(): Promise<void>;
}

const MAX_BODY = 2 * 1024 * 1024;
const JSON_TYPE = "application/x-amz-json-1.1";

function header(req: http.IncomingMessage, name: string): string {
	const value = req.headers[name];
	return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
}

/** Starts an emulator on a free loopback port. */
export async function startAwsEmulator(options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
	const region = options.region ?? "us-east-1";
	const accountId = options.accountId ?? "123456789012";
	const clock = options.clock ?? Date.now;
	const plan = new FaultPlan(options.random);
	const backend = new SecretsBackend({
		region,
		accountId,
		eventualConsistencyMs: options.eventualConsistencyMs ?? 0,
		clock,
	});
	const credentials = {
		accessKeyId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
		secretAccessKey: randomBytes(30).toString("base64"),
	};
	const keys = new Map<string, KnownKey>([
		[
			credentials.accessKeyId,
			{
				secretAccessKey: credentials.secretAccessKey,
				principal: `arn:aws:iam::${accountId}:user/strongbox-test`,
			},
		],
	]);
	const assumedRoles: AwsAssumeRoleRecord[] = [];
	let denyRules: AwsDenyRule[] = [];
	const isDenied = (op: string) =>
		denyRules.some((rule) => !rule.operations || rule.operations.includes(op));

	function faultAnswer(rule: FaultRule): {
		status: number;
		body: { __type: string; message: string };
	} {
		if (rule.kind === "throttle") {
			return { status: 400, body: { __type: "ThrottlingException", message: "Rate exceeded" } };
		}
		const status = rule.status ?? 500;
		return {
			status,
			body:
				status === 500
					? { __type: "InternalServiceError", message: "An error occurred on the server side." }
					: {
							__type: "ServiceUnavailableException",
							message: "The service is unavailable. Please try again later.",
						},
		};
	}

	async function handleSts(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		body: Buffer,
	): Promise<void> {
		const params = new URLSearchParams(body.toString("utf8"));
		const decision = await applyTransportFault(
			plan,
			params.get("Action") ?? "Unknown",
			params.get("RoleArn") ?? undefined,
			req,
		);
		if (decision.dropped) return;
		const send = (status: number, text: string) => {
			decision.record.status = status;
			res.writeHead(status, {
				"content-type": "text/xml",
				"content-length": String(Buffer.byteLength(text)),
			});
			res.end(text);
		};
		if (decision.answer) {
			const { status, body: b } = faultAnswer(decision.answer);
			send(
				status,
				stsErrorBody(
					new AwsError(
						decision.answer.kind === "throttle" ? "Throttling" : b.__type,
						b.message,
						status,
					),
				),
			);
			return;
		}
		try {
			authenticate(req, body, { keys, region, service: "sts", now: clock() });
			if (isDenied("AssumeRole"))
				throw new AwsError("AccessDenied", "Not authorized to perform sts:AssumeRole", 403);
			const result = assumeRole(params, {
				accountId,
				now: clock(),
				...(options.roleCredentialTtlSeconds === undefined
					? {}
					: { ttlSeconds: options.roleCredentialTtlSeconds }),
			});
			keys.set(result.keys.accessKeyId, {
				secretAccessKey: result.keys.secretAccessKey,
				sessionToken: result.keys.sessionToken,
				expiresAt: result.keys.expiresAt,
				principal: `arn:aws:sts::${accountId}:assumed-role/${result.record.roleArn.split("/").pop()}/${result.record.roleSessionName}`,
			});
			assumedRoles.push(result.record);
			send(200, result.body);
		} catch (error) {
			if (!(error instanceof AwsError)) throw error;
			send(error.status, stsErrorBody(error));
		}
	}

	async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		let body: Buffer;
		try {
			body = await readBody(req, MAX_BODY);
		} catch (error) {
			if (!(error instanceof BodyTooLargeError)) throw error;
			sendJson(
				res,
				413,
				{ __type: "RequestEntityTooLargeException", message: "Request entity too large" },
				{ "content-type": JSON_TYPE },
			);
			return;
		}
		if (header(req, "content-type").startsWith("application/x-www-form-urlencoded")) {
			await handleSts(req, res, body);
			return;
		}
		const target = header(req, "x-amz-target");
		const operation = target.startsWith("secretsmanager.")
			? target.slice("secretsmanager.".length)
			: "Unknown";
		let input: Input | undefined;
		try {
			const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
			if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
				input = parsed as Input;
		} catch {
			input = undefined;
		}
		const secretId = input?.SecretId ?? input?.Name;
		const decision = await applyTransportFault(
			plan,
			operation,
			typeof secretId === "string" ? secretId : undefined,
			req,
		);
		if (decision.dropped) return;
		const answer = (status: number, payload: unknown) => {
			decision.record.status = status;
			sendJson(res, status, payload, {
				"content-type": JSON_TYPE,
				"x-amzn-requestid": randomUUID(),
			});
		};
		if (decision.answer) {
			const { status, body: errorBody } = faultAnswer(decision.answer);
			answer(status, errorBody);
			return;
		}
		try {
			if (req.method !== "POST" || (req.url ?? "/").split("?")[0] !== "/") {
				throw new AwsError("UnknownOperationException", "Unknown operation.", 404);
			}
			if (!backend.supports(operation))
				throw new AwsError("UnknownOperationException", `Unknown operation ${target}.`);
			if (input === undefined)
				throw new AwsError("SerializationException", "The request body is not a JSON object.");
			const principal = authenticate(req, body, {
				keys,
				region,
				service: "secretsmanager",
				now: clock(),
			});
			if (isDenied(operation)) {
				throw new AwsError(
					"AccessDeniedException",
					`User: ${principal} is not authorized to perform: secretsmanager:${operation} on resource: ${typeof secretId === "string" ? secretId : "*"} because no identity-based policy allows the secretsmanager:${operation} action`,
				);
			}
			answer(200, backend.handle(operation, input, isDenied));
		} catch (error) {
			if (!(error instanceof AwsError)) throw error;
			answer(error.status, { __type: error.type, message: error.message });
		}
	}

	const server = await startServer(handle);

	return {
		endpoint: server.origin,
		region,
		accountId,
		get credentials() {
			return { ...credentials };
		},
		assumedRoles,
		get calls() {
			return plan.calls;
		},
		count: (operation?: string) => plan.count(operation),
		clearCalls: () => plan.clearCalls(),
		inject: (rule: FaultRule) => plan.inject(rule),
		clearFaults: () => plan.clearFaults(),
		deny(rule: AwsDenyRule = {}) {
			denyRules.push(rule);
			return () => {
				denyRules = denyRules.filter((r) => r !== rule);
			};
		},
		rawSecret: (nameOrArn: string) => {
			const secret = backend.find(nameOrArn);
			return secret ? rawView(secret) : undefined;
		},
		rawSecrets: () => [...backend.secrets.values()].map(rawView),
		close: () => server.close(),
	};
}
