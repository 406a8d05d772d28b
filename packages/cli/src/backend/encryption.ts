/**
 * The encryption key status `strongbox doctor` shows in local mode: where the SQL store's
 * key ring comes from, its key ids (never a key), the active one, and whether the key
 * file is private. Only the SQL store encrypts values itself; a runtime that opened has
 * already checked every key against the values it protects.
 */
import { open } from "node:fs/promises";
import type { StrongboxConfig } from "@strongbox/server/runtime";

/** What doctor reports about encryption keys. */
export interface EncryptionStatus {
	/** A `sql` store is configured (the only store that encrypts values itself). */
	used: boolean;
	/** Where the key ring comes from. */
	source: "keys" | "keyFile" | "store-options" | "none";
	keyFile?: string;
	/** Permission bits of the key file, in octal (`600`). */
	fileMode?: string;
	/** The ids of the keys in the ring, the active (first) one first. */
	keyIds: string[];
	activeKeyId?: string;
	ok: boolean;
	/** What to fix (value-free). */
	problems: string[];
}

const MAX_KEY_FILE_BYTES = 64 * 1024;

/** Key ids of a ring (`id:key` entries separated by commas or new lines, `#` comments). */
export function keyIdsOf(ring: string): string[] {
	return ring
		.split("\n")
		.map((line) => line.replace(/#.*$/, ""))
		.join(",")
		.split(",")
		.map((entry) => entry.trim())
		.filter((entry) => entry !== "")
		.map((entry) => (entry.includes(":") ? entry.slice(0, entry.indexOf(":")) : "(invalid entry)"));
}

async function readKeyFile(
	file: string,
): Promise<{ text?: string; mode?: number; problem?: string }> {
	let handle: Awaited<ReturnType<typeof open>>;
	try {
		handle = await open(file, "r");
	} catch (error) {
		const code = (error as { code?: unknown }).code;
		return { problem: `the key file cannot be read (${String(code ?? "error")})` };
	}
	try {
		const stat = await handle.stat();
		if (stat.size > MAX_KEY_FILE_BYTES) {
			return { mode: stat.mode, problem: "the key file is larger than 64 KiB" };
		}
		return { text: await handle.readFile("utf8"), mode: stat.mode };
	} finally {
		await handle.close();
	}
}

/** The encryption status of a configuration (reads the key file, prints nothing). */
export async function encryptionStatus(config: StrongboxConfig): Promise<EncryptionStatus> {
	const backup = (config as { backup?: { type: string; options: Record<string, unknown> } }).backup;
	const sqlStores = [config.store, ...(backup ? [backup] : []), ...config.secondaryStores].filter(
		(store) => store.type === "sql",
	);
	const status: EncryptionStatus = {
		used: sqlStores.length > 0,
		source: "none",
		keyIds: [],
		ok: true,
		problems: [],
	};
	if (!status.used) return status;
	if (sqlStores.some((store) => store.options.insecureNoEncryption === true)) {
		status.problems.push("a sql store keeps values WITHOUT encryption (insecureNoEncryption)");
	}
	if (config.encryption.keys !== undefined) {
		status.source = "keys";
		status.keyIds = keyIdsOf(config.encryption.keys);
	} else if (config.encryption.keyFile !== undefined) {
		status.source = "keyFile";
		status.keyFile = config.encryption.keyFile;
		const read = await readKeyFile(config.encryption.keyFile);
		if (read.mode !== undefined) {
			status.fileMode = (read.mode & 0o777).toString(8);
			if (process.platform !== "win32" && (read.mode & 0o077) !== 0) {
				status.problems.push(
					`the key file is readable by other users (mode ${status.fileMode}): chmod 600 it`,
				);
			}
		}
		if (read.problem) status.problems.push(read.problem);
		if (read.text !== undefined) status.keyIds = keyIdsOf(read.text);
	} else if (sqlStores.every((store) => store.options.keys ?? store.options.keyFile)) {
		status.source = "store-options";
	} else {
		status.problems.push("no key ring is configured for the sql store");
	}
	if (status.keyIds.includes("(invalid entry)")) {
		status.problems.push("the key ring holds an entry that is not `<keyId>:<base64 key>`");
	}
	if (status.keyIds.length > 0) status.activeKeyId = status.keyIds[0];
	else if (status.source === "keys" || status.source === "keyFile") {
		status.problems.push("the key ring is empty");
	}
	status.ok = status.problems.length === 0;
	return status;
}
