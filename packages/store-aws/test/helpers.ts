/**
 * Shared by the store's tests: an emulator per file, store options pointing at it with
 * small retry delays, a `createSecrets` runtime over the SQLite catalog, and a leak check.
 */
import { inspect } from "node:util";
import {
	type Caller,
	createSecrets,
	createStore,
	type Logger,
	type ManagedStore,
	type SecretsService,
} from "@strongbox/core";
import { createSqlCatalog } from "@strongbox/store-sql";
import type { AwsEmulator } from "@strongbox/testkit";
import awsStore, { type AwsStoreOptions } from "../src/index.js";

/** Store options against `aws`, retrying fast. */
export function emulatorOptions(
	aws: AwsEmulator,
	extra: Partial<AwsStoreOptions> = {},
): AwsStoreOptions {
	return {
		endpoint: aws.endpoint,
		region: aws.region,
		credentials: aws.credentials,
		retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
		timeoutMs: 5000,
		...extra,
	};
}

/** A log line a store wrote. */
export interface Logged {
	level: string;
	message: string;
	fields?: Record<string, unknown>;
}

/** A logger that keeps every line. */
export function capturingLogger(lines: Logged[]): Logger {
	const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
		lines.push({ level, message, ...(fields === undefined ? {} : { fields }) });
	return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/** A wrapped store against the emulator. */
export function openStore(
	aws: AwsEmulator,
	options: { deploymentId?: string; logger?: Logger; extra?: Partial<AwsStoreOptions> } = {},
): Promise<ManagedStore> {
	return createStore(awsStore, emulatorOptions(aws, options.extra), {
		deploymentId: options.deploymentId ?? `sbtest-${crypto.randomUUID()}`,
		...(options.logger ? { logger: options.logger } : {}),
	});
}

/** `createSecrets` over a fresh in-memory SQLite catalog and the AWS store. */
export async function openSecrets(
	aws: AwsEmulator,
	options: {
		deploymentId?: string;
		logger?: Logger;
		extra?: Partial<AwsStoreOptions>;
		caller?: Caller;
	} = {},
): Promise<SecretsService & { deploymentId: string }> {
	const deploymentId = options.deploymentId ?? `sbtest-${crypto.randomUUID()}`;
	const store = await openStore(aws, { ...options, deploymentId });
	const catalog = createSqlCatalog({ url: "sqlite::memory:" });
	const secrets = createSecrets({
		catalog,
		store,
		...(options.logger ? { logger: options.logger } : {}),
		...(options.caller ? { caller: options.caller } : {}),
	});
	return Object.assign(secrets, { deploymentId });
}

/** Every way an error or a log line can be printed, causes included. */
export function renderings(value: unknown): string {
	const out: string[] = [];
	let current: unknown = value;
	for (let depth = 0; depth < 10 && current !== undefined && current !== null; depth++) {
		const v = current;
		out.push(
			String(v),
			JSON.stringify(v) ?? "",
			inspect(v, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
		);
		if (typeof v === "object" && v !== null && "message" in v) {
			const e = v as { message?: unknown; stack?: unknown; details?: unknown; cause?: unknown };
			out.push(String(e.message), String(e.stack), JSON.stringify(e.details) ?? "");
			current = e.cause;
		} else break;
	}
	return out.join("\n");
}
