/**
 * What every emulator shares: a log of the calls it received and a fault plan
 * (throttling, 5xx, latency, dropped connections) applied to a fraction of calls or to
 * the next N calls. Each emulator turns a fault into its own protocol's answer.
 */

/** A fault an emulator can inject. */
export type FaultKind = "throttle" | "error" | "latency" | "drop";

/** One entry of a fault plan. */
export interface FaultRule {
	kind: FaultKind;
	/** Apply to this fraction of matching calls (0–1). Ignored when `next` is set. */
	fraction?: number;
	/** Apply to the next N matching calls, then stop. */
	next?: number;
	/** Only calls of these operations (emulator-specific names, e.g. `GetSecretValue`). */
	operations?: readonly string[];
	/** Delay for `latency` faults. @default 100 */
	latencyMs?: number;
	/** HTTP status for `error` faults. @default 500 (or 503) */
	status?: number;
}

/** One call received by an emulator. */
export interface CallRecord {
	/** Emulator-specific operation name (`GetSecretValue`, `AccessSecretVersion`, `PUT /secrets/{name}`, `kv.read`). */
	operation: string;
	/** The secret or path the call named, when it names one. */
	target?: string;
	/** Fault injected into this call, if any. */
	fault?: FaultKind;
	/** Response status (HTTP status, or gRPC code). */
	status?: number;
	at: number;
}

/** The controls every emulator exposes. */
export interface EmulatorControls {
	/** Calls received, oldest first. */
	readonly calls: CallRecord[];
	/** Calls of an operation (or of all) since the log was last cleared. */
	count(operation?: string): number;
	clearCalls(): void;
	/** Adds a rule to the fault plan. Returns a function that removes it. */
	inject(rule: FaultRule): () => void;
	/** Removes every fault rule. */
	clearFaults(): void;
}

/** A fault plan plus a call log; emulators embed one. */
export class FaultPlan implements EmulatorControls {
	readonly calls: CallRecord[] = [];
	private rules: (FaultRule & { remaining?: number })[] = [];
	private readonly random: () => number;

	constructor(random: () => number = Math.random) {
		this.random = random;
	}

	count(operation?: string): number {
		return operation === undefined
			? this.calls.length
			: this.calls.filter((c) => c.operation === operation).length;
	}

	clearCalls(): void {
		this.calls.length = 0;
	}

	inject(rule: FaultRule): () => void {
		if (rule.fraction !== undefined && (rule.fraction < 0 || rule.fraction > 1)) {
			throw new RangeError("fraction must be between 0 and 1");
		}
		const entry = { ...rule, ...(rule.next === undefined ? {} : { remaining: rule.next }) };
		this.rules.push(entry);
		return () => {
			this.rules = this.rules.filter((r) => r !== entry);
		};
	}

	clearFaults(): void {
		this.rules = [];
	}

	/**
	 * Decides the fault for one call and records it. Latency rules are returned
	 * separately because they combine with the normal answer.
	 */
	decide(
		operation: string,
		target?: string,
	): { fault?: FaultRule; latencyMs: number; record: CallRecord } {
		let latencyMs = 0;
		let fault: FaultRule | undefined;
		for (const rule of this.rules) {
			if (rule.operations && !rule.operations.includes(operation)) continue;
			// Once a call has its fault, later fault rules are not consulted, so a
			// "next N calls" rule is only used up by calls it actually hits.
			if (fault && rule.kind !== "latency") continue;
			let hit: boolean;
			if (rule.remaining !== undefined) {
				hit = rule.remaining > 0;
				if (hit) rule.remaining--;
			} else {
				hit = this.random() < (rule.fraction ?? 1);
			}
			if (!hit) continue;
			if (rule.kind === "latency") latencyMs += rule.latencyMs ?? 100;
			else fault ??= rule;
		}
		this.rules = this.rules.filter((r) => r.remaining === undefined || r.remaining > 0);
		const record: CallRecord = {
			operation,
			...(target === undefined ? {} : { target }),
			...(fault ? { fault: fault.kind } : {}),
			at: Date.now(),
		};
		this.calls.push(record);
		return { ...(fault ? { fault } : {}), latencyMs, record };
	}
}

/** Sleeps `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
	return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
