/**
 * SQL benchmarks (embedded SQLite, the default):
 * 1. `getSecret` through `createSecrets` vs the raw path it cannot beat: a better-sqlite3
 *    point read + AES-256-GCM decrypt + JSON.parse of the same data. Goal ≤ 2.0×.
 * 2. A selective filtered listing (name contains, one scope, page of 20) at 100,000
 *    secrets vs at 1,000. Goal ≤ 1.5× (indexes, not scans) and p50 ≤ 5 ms.
 */
import {
	createCipheriv,
	createDecipheriv,
	createSecretKey,
	randomBytes,
	randomUUID,
} from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEmbedded } from "@strongbox/store-sql";
import Database from "better-sqlite3";
import { compare, row } from "./lib.mjs";

function sampleValues(i) {
	return {
		username: `app-${i}`,
		password: randomBytes(18).toString("base64url"),
		host: `db-${i % 17}.internal.example.com`,
		port: "5432",
	};
}

/**
 * The raw baseline, the fastest honest path to the same data: one WITHOUT ROWID table
 * keyed by id, a prepared point read, AES-256-GCM with a prepared key object, JSON.parse.
 */
function rawStore(dir, entries) {
	const db = new Database(join(dir, "raw.db"));
	db.pragma("journal_mode = WAL");
	db.exec("CREATE TABLE raw (id TEXT PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID");
	const key = createSecretKey(randomBytes(32));
	const insert = db.prepare("INSERT INTO raw (id, body) VALUES (?, ?)");
	db.transaction(() => {
		for (const [id, values] of entries) {
			const nonce = randomBytes(12);
			const cipher = createCipheriv("aes-256-gcm", key, nonce);
			cipher.setAAD(Buffer.from(id));
			const body = Buffer.concat([
				nonce,
				cipher.update(JSON.stringify(values)),
				cipher.final(),
				cipher.getAuthTag(),
			]);
			insert.run(id, body);
		}
	})();
	const select = db.prepare("SELECT body FROM raw WHERE id = ?");
	return {
		read(id) {
			const body = select.get(id).body;
			const decipher = createDecipheriv("aes-256-gcm", key, body.subarray(0, 12));
			decipher.setAAD(Buffer.from(id));
			decipher.setAuthTag(body.subarray(body.length - 16));
			return JSON.parse(
				Buffer.concat([
					decipher.update(body.subarray(12, body.length - 16)),
					decipher.final(),
				]).toString("utf8"),
			);
		},
		close: () => db.close(),
	};
}

export async function benchGetSecret({ secrets: count = 1000 } = {}) {
	const dir = mkdtempSync(join(tmpdir(), "strongbox-bench-get-"));
	const embedded = await openEmbedded({ dataDir: dir });
	try {
		const entries = [];
		for (let i = 0; i < count; i++) {
			const values = sampleValues(i);
			const secret = await embedded.secrets.createSecret({ name: `bench-${i}`, values });
			entries.push([secret.id, values]);
		}
		const raw = rawStore(dir, entries);
		const ids = entries.map(([id]) => id);
		let a = 0;
		let b = 0;
		const result = await compare({
			baseline: async () => raw.read(ids[a++ % ids.length]),
			subject: async () => embedded.secrets.getSecret(ids[b++ % ids.length]),
		});
		raw.close();
		return row("getSecret (embedded SQLite) vs raw read+decrypt+parse", result, {
			text: "≤ 2.0×",
			check: (r) => r.ratio <= 2.0,
		});
	} finally {
		await embedded.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

/** A catalog of `count` secrets, exactly 50 of which have "payments" in their name. */
async function populatedCatalog(count) {
	const dir = mkdtempSync(join(tmpdir(), "strongbox-bench-list-"));
	const embedded = await openEmbedded({ dataDir: dir });
	const { catalog } = embedded;
	const step = Math.floor(count / 50);
	const now = Date.now();
	const words = ["orders", "billing", "search", "auth", "mailer", "cache", "queue", "ledger"];
	for (let i = 0; i < count; i++) {
		const name =
			i % step === 1 && Math.floor(i / step) < 50
				? `svc-${i}-payments-db`
				: `svc-${i}-${words[i % words.length]}-db`;
		const id = randomUUID();
		await catalog.insertPending({
			id,
			name,
			scope: i % 10 === 0 ? "user" : "workspace",
			workspace: "default",
			owner: i % 10 === 0 ? "local" : null,
			keys: ["host", "password", "username"],
			backend: "sql",
			now: new Date(now + i),
		});
		await catalog.commitCreate(id, new Date(now + i));
	}
	return { embedded, dir };
}

export async function benchFilteredList() {
	const small = await populatedCatalog(1_000);
	const large = await populatedCatalog(100_000);
	try {
		const filter = { name: "contains:payments", scope: "workspace", size: 20 };
		for (const { embedded } of [small, large]) {
			const page = await embedded.secrets.listSecrets(filter);
			if (page.items.length !== 20 || page.total < 40)
				throw new Error(`unexpected listing: ${page.total}`);
		}
		const result = await compare({
			baseline: () => small.embedded.secrets.listSecrets(filter),
			subject: () => large.embedded.secrets.listSecrets(filter),
		});
		return [
			row("list contains, 1 scope, page 20: 100k vs 1k secrets", result, {
				text: "≤ 1.5×",
				check: (r) => r.ratio <= 1.5,
			}),
			{
				name: "  same listing at 100k, p50",
				baseline: "",
				subject: `${result.subjectMs.toFixed(2)} ms`,
				ratio: "",
				goal: `≤ 5 ms (${result.subjectMs <= 5 ? "met" : "NOT met"})`,
			},
		];
	} finally {
		for (const { embedded, dir } of [small, large]) {
			await embedded.close();
			rmSync(dir, { recursive: true, force: true });
		}
	}
}
