/**
 * Old-version clean-up: after a write, enabled versions older than the newest
 * `keepVersions` are destroyed (or disabled), so old values neither stay readable nor
 * billed. It runs in the background, off the write's latency path; a failure is logged
 * (value-free) and the next write of the secret cleans up everything it missed.
 */
import type { Logger } from "@strongbox/core";
import { type Caller, Code } from "./client.js";
import type { Naming } from "./naming.js";
import { errorCode, versionNumber } from "./write.js";

const PAGE_SIZE = 250;

/** The clean-up of one store. */
export interface VersionCleaner {
	/** Starts the clean-up below `newest` (the version just written) in the background. */
	schedule(id: string, newest: number): void;
	/** Waits for every clean-up in flight (called by `close()`). */
	drain(): Promise<void>;
}

/** Makes the clean-up of a store. */
export function makeVersionCleaner(
	call: Caller,
	naming: Naming,
	logger: Logger,
	keepVersions: number,
	oldVersions: "destroy" | "disable",
): VersionCleaner {
	const running = new Set<Promise<void>>();

	async function enabledVersions(id: string): Promise<number[]> {
		const numbers: number[] = [];
		let pageToken = "";
		do {
			const page = await call(
				"cleanup",
				async (client, o) => {
					const [versions, next] = await client.listSecretVersions(
						{
							parent: naming.secretName(id),
							filter: "state:ENABLED",
							pageSize: PAGE_SIZE,
							pageToken,
						},
						o,
					);
					return {
						numbers: versions.map((v) => versionNumber(v.name)),
						next: next?.pageToken ?? "",
					};
				},
				{ [Code.NOT_FOUND]: { numbers: [], next: "" } },
			);
			numbers.push(...page.numbers);
			pageToken = page.next;
		} while (pageToken);
		return numbers;
	}

	async function clean(id: string, newest: number): Promise<void> {
		// Versions newer than this write belong to a later write, which cleans up after itself.
		const old = (await enabledVersions(id))
			.filter((n) => n > 0 && n <= newest)
			.sort((a, b) => b - a)
			.slice(keepVersions);
		for (const n of old) {
			await call(
				"cleanup",
				async (client, o) => {
					const request = { name: `${naming.secretName(id)}/versions/${n}` };
					if (oldVersions === "disable") await client.disableSecretVersion(request, o);
					else await client.destroySecretVersion(request, o);
				},
				// Already gone, or already destroyed by a concurrent clean-up.
				{ [Code.NOT_FOUND]: undefined, [Code.FAILED_PRECONDITION]: undefined },
			);
		}
	}

	return {
		schedule(id, newest) {
			if (newest <= keepVersions) return;
			const task = clean(id, newest).catch((error: unknown) => {
				logger.warn("Could not remove old secret versions; the next write retries.", {
					id,
					error: errorCode(error),
				});
			});
			running.add(task);
			void task.finally(() => running.delete(task));
		},
		async drain() {
			await Promise.allSettled([...running]);
		},
	};
}
