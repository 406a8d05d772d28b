/**
 * The audit log's group commit on real databases (SQLite always; PostgreSQL and MySQL
 * when configured): entries nobody waits for (fail-open) and awaited ones share inserts,
 * a burst larger than one batch and one SQLite statement is stored exactly once, and a
 * failed insert rejects the awaited entries and counts every entry of the batch.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { silentLogger } from "@strongbox/core";
import { openDatabase } from "@strongbox/store-sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuditEntry, type AuditLog, createAuditLog } from "../src/audit.js";
import { createDb, type Knex, SQLITE_ROWS_PER_STATEMENT } from "../src/db.js";
import { type Dialect, migrateServerTables, serverTables } from "../src/identity/migrations.js";
import { assertReachable, dropTables, randomPrefix } from "./shared-db.js";

const entry = (requestId: string, outcome = "ok"): AuditEntry => ({
	actor: "batch-tester",
	op: "secret.get",
	secretId: null,
	outcome,
	status: outcome === "ok" ? 200 : 404,
	requestId,
	sourceIp: "127.0.0.1",
});

const targets: Array<{ name: string; dialect: Dialect; url: () => Promise<string> }> = [
	{
		name: "SQLite",
		dialect: "sqlite",
		url: async () =>
			`sqlite:${path.join(await mkdtemp(path.join(tmpdir(), "strongbox-audit-")), "a.db")}`,
	},
];
for (const [name, dialect, url] of [
	["PostgreSQL", "postgres", process.env.STRONGBOX_TEST_POSTGRES_URL],
	["MySQL", "mysql", process.env.STRONGBOX_TEST_MYSQL_URL],
] as const) {
	if (url) targets.push({ name, dialect, url: async () => url });
}

describe.each(targets)("audit log on $name", ({ dialect, url: urlOf }) => {
	let url: string;
	let knex: Knex;
	const prefix = randomPrefix("a");
	const tables = serverTables(prefix);

	beforeAll(async () => {
		url = await urlOf();
		if (dialect !== "sqlite") await assertReachable(url);
		knex = openDatabase(url) as unknown as Knex;
		await migrateServerTables(knex, tables, dialect);
	});

	afterAll(async () => {
		await knex?.destroy();
		if (dialect === "sqlite")
			await rm(path.dirname(url.slice("sqlite:".length)), { recursive: true });
		else if (url) await dropTables(url, prefix);
	});

	const auditLog = (onFailure?: (count: number) => void): AuditLog =>
		createAuditLog({
			db: createDb(knex, dialect),
			tables,
			logger: silentLogger,
			batchWindowMs: 5,
			...(onFailure ? { onFailure } : {}),
		});

	it("stores a burst of queued and awaited entries, several batches' worth, exactly once", async () => {
		const log = auditLog();
		// More than two batches of 500, and not a multiple of a SQLite statement's rows.
		const count = 1000 + SQLITE_ROWS_PER_STATEMENT * 2 + 7;
		const awaited: Promise<void>[] = [];
		for (let i = 0; i < count; i++) {
			if (i % 10 === 0) awaited.push(log.record(entry(`burst-${i}`)));
			else log.enqueue(entry(`burst-${i}`, i % 7 === 0 ? "SECRET_NOT_FOUND" : "ok"));
		}
		await Promise.all(awaited);
		await log.flush();
		const page = await log.query({ actor: "batch-tester", size: 1000 });
		expect(page.total).toBe(count);
		const ids = new Set(page.items.map((item) => item.requestId));
		expect(ids.size).toBe(1000);
		// Newest first: the last entry queued is on the first page.
		expect(ids).toContain(`burst-${count - 1}`);
		let probe = count - 1;
		while (probe % 7 !== 0 || probe % 10 === 0) probe--;
		const notFound = page.items.find((item) => item.requestId === `burst-${probe}`);
		expect(notFound).toMatchObject({ outcome: "SECRET_NOT_FOUND", status: 404, secretId: null });
		await log.close();
	});

	it("rejects the awaited entries of a failed insert and counts every entry of the batch", async () => {
		const failures: number[] = [];
		const log = auditLog((n) => failures.push(n));
		await knex.schema.renameTable(tables.audit, `${tables.audit}_away`);
		try {
			log.enqueue(entry("lost-1"));
			await expect(log.record(entry("lost-2"))).rejects.toThrow();
			await log.flush();
		} finally {
			await knex.schema.renameTable(`${tables.audit}_away`, tables.audit);
		}
		expect(failures.reduce((a, b) => a + b, 0)).toBe(2);
		await log.close();
		// A closed log refuses entries, and counts them.
		log.enqueue(entry("after-close"));
		await expect(log.record(entry("after-close"))).rejects.toThrow();
		expect(failures.reduce((a, b) => a + b, 0)).toBe(4);
	});
});
