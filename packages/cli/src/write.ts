/**
 * Writing files that hold values: created 0600 (and set to 0600 when they existed).
 */
import { open } from "node:fs/promises";
import { resolve } from "node:path";
import { UsageError } from "./errors.js";

/** Writes `text` to `path`, readable and writable by the owner only. */
export async function writePrivateFile(
	path: string,
	cwd: string,
	text: string,
	force: boolean,
): Promise<string> {
	const full = resolve(cwd, path);
	let handle: Awaited<ReturnType<typeof open>>;
	try {
		handle = await open(full, force ? "w" : "wx", 0o600);
	} catch (error) {
		const code = (error as { code?: unknown }).code;
		if (code === "EEXIST")
			throw new UsageError(`File \`${path}\` exists; pass --force to overwrite it.`);
		throw new UsageError(
			`Cannot write file \`${path}\`: ${code === "ENOENT" ? "its directory does not exist" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a directory" : "it cannot be opened"}.`,
		);
	}
	try {
		// open() keeps the mode of a file that already existed: tighten it before writing.
		await handle.chmod(0o600);
		await handle.truncate(0);
		await handle.writeFile(text);
	} finally {
		await handle.close();
	}
	return full;
}
