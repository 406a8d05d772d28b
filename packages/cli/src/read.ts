/**
 * Bounded reads of files and stdin. Nothing is read past its limit, so `--KEY=@/dev/zero`
 * or a huge pipe fails fast with a typed error instead of filling memory.
 */
import { open } from "node:fs/promises";
import { resolve } from "node:path";
import { PayloadTooLargeError, ValidationError } from "@strongbox/core";
import { UsageError } from "./errors.js";
import type { InStream } from "./io.js";

const decoder = new TextDecoder("utf-8", { fatal: true });

function decode(bytes: Uint8Array, what: string): string {
	try {
		// A BOM would silently become part of the first key or value.
		const text = decoder.decode(bytes);
		return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
	} catch {
		throw new ValidationError(`${what} is not UTF-8 text; encode binary data (base64) first.`, [
			{ path: what, message: "must be UTF-8 text" },
		]);
	}
}

function tooLarge(what: string, limit: number): PayloadTooLargeError {
	return new PayloadTooLargeError(`${what} is larger than the limit of ${limit} bytes.`, {
		details: { limit },
	});
}

/** Reads a UTF-8 text file of at most `limit` bytes. `what` names it in errors (never its content). */
export async function readTextFile(
	path: string,
	cwd: string,
	limit: number,
	what = `File \`${path}\``,
): Promise<string> {
	let handle: Awaited<ReturnType<typeof open>>;
	try {
		handle = await open(resolve(cwd, path), "r");
	} catch (error) {
		const code = (error as { code?: unknown }).code;
		const reason =
			code === "ENOENT"
				? "no such file"
				: code === "EACCES" || code === "EPERM"
					? "permission denied"
					: code === "EISDIR"
						? "it is a directory"
						: "it cannot be opened";
		throw new UsageError(`Cannot read file \`${path}\`: ${reason}.`);
	}
	try {
		const chunks: Buffer[] = [];
		let total = 0;
		const buffer = Buffer.alloc(64 * 1024);
		for (;;) {
			let bytesRead: number;
			try {
				({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
			} catch (error) {
				const code = (error as { code?: unknown }).code;
				throw new UsageError(
					`Cannot read file \`${path}\`: ${code === "EISDIR" ? "it is a directory" : "read failed"}.`,
				);
			}
			if (bytesRead === 0) break;
			total += bytesRead;
			if (total > limit) throw tooLarge(what, limit);
			chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
		}
		return decode(Buffer.concat(chunks), what);
	} finally {
		await handle.close();
	}
}

/** Reads all of stdin (UTF-8, at most `limit` bytes). */
export async function readStdin(
	stdin: InStream,
	limit: number,
	what = "Standard input",
): Promise<string> {
	const chunks: Buffer[] = [];
	let total = 0;
	for await (const chunk of stdin) {
		const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
		total += bytes.length;
		if (total > limit) {
			stdin.destroy();
			throw tooLarge(what, limit);
		}
		chunks.push(bytes);
	}
	return decode(Buffer.concat(chunks), what);
}
