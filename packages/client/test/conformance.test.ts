/**
 * The Secrets conformance suite through the client against a live server: the same
 * rules, types and typed errors over HTTP as in-process. On SQLite always, and on
 * PostgreSQL / MySQL when STRONGBOX_TEST_POSTGRES_URL / STRONGBOX_TEST_MYSQL_URL are set
 * (failing, not skipping, when the database cannot be reached).
 */

import type { StrongboxConfigInput } from "@strongbox/server";
import { describeSecrets, type SecretsFixture } from "@strongbox/testkit";
import { sharedDatabaseConfig, startLiveServer } from "./live-server.js";

async function fixture(config: StrongboxConfigInput = {}): Promise<SecretsFixture> {
	const live = await startLiveServer(config);
	try {
		const alice = await live.userClient("alice", "ws-a");
		const bob = await live.userClient("bob", "ws-a");
		const carol = await live.userClient("carol", "ws-b");
		return {
			alice,
			bob,
			carol,
			reconcile: () => live.server.runtime.secrets.reconcile(),
			maxValueBytes: live.server.config.limits.maxValueBytes,
			close: () => live.close(),
		};
	} catch (error) {
		await live.close();
		throw error;
	}
}

describeSecrets("client → server (SQLite)", () => fixture());

if (process.env.STRONGBOX_TEST_POSTGRES_URL) {
	describeSecrets("client → server (PostgreSQL)", () =>
		fixture(sharedDatabaseConfig("STRONGBOX_TEST_POSTGRES_URL")),
	);
}

if (process.env.STRONGBOX_TEST_MYSQL_URL) {
	describeSecrets("client → server (MySQL)", () =>
		fixture(sharedDatabaseConfig("STRONGBOX_TEST_MYSQL_URL")),
	);
}
