/**
 * Shared test plumbing: the emulator, store options pointing at it, raw reads of what it
 * holds and a capturing logger.
 */
import { decodePayload, type Logger } from "@strongbox/core";
import { FAST_RETRY } from "@strongbox/testkit";
import type { GcpEmulator } from "@strongbox/testkit/emulators";
import type { GcpStoreOptions } from "../src/index.js";

export { startGcpEmulator } from "@strongbox/testkit/emulators";

/** Options of a store talking to `emulator`, with small retry delays. */
export function emulatorOptions(
	emulator: GcpEmulator,
	extra: Partial<GcpStoreOptions> = {},
): GcpStoreOptions {
	return {
		projectId: emulator.projectId,
		apiEndpoint: emulator.apiEndpoint,
		port: emulator.port,
		insecure: true,
		retry: FAST_RETRY,
		timeoutMs: 5_000,
		...extra,
	};
}

/** The emulator's secret id holding Strongbox id `id` (any deployment), if any. */
export function backendIdOf(emulator: GcpEmulator, id: string): string | undefined {
	return emulator.secretIds().find((name) => name.endsWith(`-${id}`));
}

/**
 * What the emulator holds for Strongbox id `id`: the newest version's payload, an empty
 * string for a secret without versions (a half-done create would show up), or `undefined`.
 */
export function rawText(emulator: GcpEmulator, id: string): string | undefined {
	const name = backendIdOf(emulator, id);
	if (name === undefined) return undefined;
	const newest = emulator.rawSecret(name)?.versions.at(-1);
	return newest?.data?.toString("utf8") ?? "";
}

/** The decoded newest payload of `id`, or `undefined`. */
export function rawPayload(emulator: GcpEmulator, id: string) {
	const text = rawText(emulator, id);
	return text ? decodePayload(text) : undefined;
}

/** One captured log call. */
export interface LogLine {
	level: string;
	message: string;
	fields?: Record<string, unknown>;
}

/** A logger that records every call. */
export function capturingLogger(lines: LogLine[]): Logger {
	const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
		lines.push({ level, message, ...(fields === undefined ? {} : { fields }) });
	};
	return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}
