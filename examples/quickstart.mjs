#!/usr/bin/env node
/**
 * The Strongbox API in one page, on the embedded default (SQLite + AES-256-GCM in a data
 * directory): create, list, read, update and delete a secret, printing what it did.
 * Values are printed masked, as Strongbox prints them.
 *
 *   pnpm demo                       # uses a fresh temporary data directory
 *   STRONGBOX_DATA_DIR=~/.strongbox pnpm demo
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { ConflictError } from "@strongbox/core";
import { openEmbedded } from "@strongbox/store-sql";

const temporary = !process.env.STRONGBOX_DATA_DIR;
const dataDir = process.env.STRONGBOX_DATA_DIR ?? mkdtempSync(join(tmpdir(), "strongbox-demo-"));
const logger = {
	debug() {},
	info() {},
	error() {},
	warn: (message) => console.log(`  (strongbox) ${message}`),
};
const { secrets, close } = await openEmbedded({ dataDir, logger });
const show = (value) =>
	inspect(value, { depth: 4, colors: process.stdout.isTTY, breakLength: 100 });

try {
	console.log(`Data directory: ${dataDir}\n`);
	const name = `demo-db-${Date.now().toString(36)}`;

	const created = await secrets.createSecret({
		name,
		values: { username: "app", password: "s3cr3t-passw0rd" },
	});
	console.log(`Created ${name} (version ${created.version}):`, show(created));

	const page = await secrets.listSecrets({
		name: "startswith:demo-db-",
		sortBy: "createdAt",
		sortOrder: "desc",
	});
	console.log(
		`\nListed ${page.total} secret(s) whose name starts with demo-db- (listings never carry values):`,
	);
	for (const item of page.items)
		console.log(`  ${item.name}  keys=[${item.keys.join(", ")}]  v${item.version}`);

	const read = await secrets.getSecretByName(name);
	console.log(
		`\nRead ${name} by name: keys ${read.keys.join(", ")}; password is ${read.values.password.length} characters (printed masked:)`,
		show(read),
	);

	const updated = await secrets.updateSecret(created.id, {
		values: { password: "n3w-passw0rd", host: "db.internal" },
		expectedVersion: created.version,
	});
	console.log(
		`\nUpdated: merged a new password and a host, version ${created.version} → ${updated.version}; keys now ${updated.keys.join(", ")}`,
	);

	try {
		await secrets.updateSecret(created.id, {
			values: { password: "stale" },
			expectedVersion: created.version,
		});
	} catch (error) {
		if (!(error instanceof ConflictError)) throw error;
		console.log(
			`A second update from version ${created.version} is refused: ${error.code} (${error.message})`,
		);
	}

	await secrets.deleteSecret(created.id);
	console.log(`\nDeleted ${name}.`);
	await secrets
		.getSecret(created.id)
		.catch((error) => console.log(`Reading it again: ${error.code}`));
} finally {
	await close();
	if (temporary) rmSync(dataDir, { recursive: true, force: true });
}
