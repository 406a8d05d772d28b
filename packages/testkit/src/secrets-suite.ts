/**
 * `describeSecrets`: the conformance suite of the whole Secrets API (work in progress).
 */
import type { Secrets } from "@strongbox/core";

/** One running `Secrets` implementation under test, with a few callers. */
export interface SecretsFixture {
	/** User `alice`, member of workspace `ws-a` (her default workspace). */
	alice: Secrets;
	/** User `bob`, also a member of `ws-a`. */
	bob: Secrets;
	/** User `carol`, member of `ws-b` only. */
	carol: Secrets;
	/** Settle interrupted writes (in-process implementations and servers that expose it). */
	reconcile?: () => Promise<unknown>;
	/** Release everything. */
	close(): Promise<void>;
}

export declare function describeSecrets(name: string, factory: () => Promise<SecretsFixture>): void;
