/**
 * Shared test plumbing: the emulator, store options pointing at it, raw reads of what it
 * holds, a capturing logger and a leak search over every rendering of an error.
 */
import { inspect } from "node:util";
import { decodePayload, type Logger } from "@strongbox/core";
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
		retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
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

/** Every way an error (and its cause chain) can be printed. */
export function renderings(value: unknown): string[] {
	const out: string[] = [];
	let current: unknown = value;
	for (let depth = 0; depth < 10 && current !== undefined && current !== null; depth++) {
		const v = current as { message?: unknown; stack?: unknown; cause?: unknown };
		out.push(String(v), JSON.stringify(v) ?? "", inspect(v, { depth: Infinity, showHidden: true }));
		out.push(String(v.message), String(v.stack));
		current = v.cause;
	}
	return out;
}

/** Fails when `canary` appears in any rendering of `value`. */
export function expectNoLeak(value: unknown, canary: string): void {
	for (const text of renderings(value)) {
		if (text.includes(canary)) throw new Error("A secret value leaked into an error rendering.");
	}
}

/** A deterministic random source (mulberry32), so fault runs are reproducible. */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
