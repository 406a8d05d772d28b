#!/usr/bin/env node
/**
 * The `strongbox` executable.
 */
import module from "node:module";

// Compiled code of the CLI and its dependencies is cached on disk (Node ≥ 22.1): most of
// a command's time is spent loading modules, and the cache cuts it sharply.
module.enableCompileCache?.();

// `strongbox secret list | head -1`: the reader went away; stop quietly.
for (const stream of [process.stdout, process.stderr]) {
	stream.on("error", (error: NodeJS.ErrnoException) => {
		if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
		throw error;
	});
}

// A last resort that prints no message: the message of an unexpected error may quote input.
function crash(error: unknown): never {
	const name = (error as { name?: unknown } | null)?.name;
	process.stderr.write(
		`error: Unexpected ${typeof name === "string" ? name : "error"}. Run again with STRONGBOX_DEBUG=1 for a stack trace.\n`,
	);
	if (process.env.STRONGBOX_DEBUG === "1") {
		const frames = String((error as { stack?: unknown } | null)?.stack ?? "")
			.split("\n")
			.filter((line) => line.startsWith("    at "));
		process.stderr.write(`${frames.join("\n")}\n`);
	}
	process.exit(1);
}
process.on("uncaughtException", crash);
process.on("unhandledRejection", crash);

const { main } = await import("./main.js");

function flushed(stream: NodeJS.WriteStream): Promise<void> {
	return new Promise((resolve) => stream.write("", () => resolve()));
}

const code = await main(process.argv.slice(2));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// A finished command must not be kept alive by an idle handle (a keep-alive socket, a pool timer).
process.exit(code);
