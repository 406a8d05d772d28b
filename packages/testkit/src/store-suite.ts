/**
 * `describeSecretsStore`: the conformance suite every store runs (work in progress).
 */
import type { StoreContext, StoreDefinition } from "@strongbox/core";

/** Options of {@link describeSecretsStore}. */
export interface DescribeSecretsStoreOptions<Options> {
	/** Options of a fresh store; called before every test. */
	options: () => Options | Promise<Options>;
	/** Label of the suite. @default the store type */
	name?: string;
	/** Context handed to the store. @default a random deployment id and a silent logger */
	context?: Partial<StoreContext>;
	/**
	 * What the back-end really holds for `id`, as bytes or text (`undefined` when it holds
	 * nothing). Lets the suite check that nothing was written and, for stores declaring
	 * `encryptsAtRest`, that no value is held in clear.
	 */
	raw?: { read(id: string): Promise<string | Uint8Array | undefined> };
	/**
	 * Makes the back-end fail (unreachable, or answering 5xx past the store's retries)
	 * until the returned function is called.
	 */
	failBackend?: () => Promise<() => Promise<void>>;
	/** Called after each test with the store's options (drop tables, stop servers...). */
	cleanup?: () => Promise<void>;
	/** Per-test timeout. @default 30000 */
	timeoutMs?: number;
}

export declare function describeSecretsStore<Options>(
	definition: StoreDefinition<Options>,
	options: DescribeSecretsStoreOptions<Options>,
): void;
