/**
 * The process's streams and environment behind one interface, so that commands can be
 * run in-process by tests and by programs embedding the CLI.
 */
import type { Readable } from "node:stream";

/** A stream the CLI writes to. */
export interface OutStream {
	write(text: string): unknown;
	/** Whether the stream is a terminal (tables for people, warnings before printing values). */
	readonly isTTY?: boolean | undefined;
}

/** A readable input that may be a terminal. */
export type InStream = Readable & {
	readonly isTTY?: boolean | undefined;
	setRawMode?: (mode: boolean) => unknown;
};

/** Streams, environment and working directory of one CLI run. */
export interface Io {
	stdin: InStream;
	stdout: OutStream;
	stderr: OutStream;
	env: Record<string, string | undefined>;
	cwd: string;
}

/** The real process's streams. */
export function processIo(): Io {
	return {
		stdin: process.stdin,
		stdout: process.stdout,
		stderr: process.stderr,
		env: process.env,
		cwd: process.cwd(),
	};
}

/** Printing for people and machines: data on stdout, status and warnings on stderr. */
export class Output {
	constructor(
		private readonly io: Io,
		/** `--json`: stdout holds exactly one JSON document. */
		readonly json: boolean,
		/** `-q`: no status messages or warnings. */
		readonly quiet: boolean,
	) {}

	/** Whether stdout is a terminal. */
	get stdoutIsTTY(): boolean {
		return this.io.stdout.isTTY === true;
	}

	/** Data for the command's reader (a table, a value, an export). */
	data(text: string): void {
		this.io.stdout.write(text);
	}

	/** One line of data. */
	line(text = ""): void {
		this.io.stdout.write(`${text}\n`);
	}

	/** The `--json` document. Dates become ISO strings (JSON.stringify does it). */
	result(value: unknown): void {
		this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
	}

	/** A status message for people (stderr; hidden by `-q` and `--json`). */
	status(text: string): void {
		if (!this.quiet && !this.json) this.io.stderr.write(`${text}\n`);
	}

	/** A warning (stderr; hidden by `-q`). */
	warn(text: string): void {
		if (!this.quiet) this.io.stderr.write(`warning: ${text}\n`);
	}

	/** Raw stderr, for error reports. */
	error(text: string): void {
		this.io.stderr.write(text);
	}
}
