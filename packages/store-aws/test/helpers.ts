/**
 * Shared by the store's tests: an emulator per file, store options pointing at it with
 * small retry delays, and a `createSecrets` runtime over the SQLite catalog.
 */
import {
	type Caller,
	createSecrets,
	createStore,
	type Logger,
	type ManagedStore,
	type SecretsService,
} from "@strongbox/core";
import { createSqlCatalog } from "@strongbox/store-sql";
import { type AwsEmulator, FAST_RETRY } from "@strongbox/testkit";
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
		retry: FAST_RETRY,
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
