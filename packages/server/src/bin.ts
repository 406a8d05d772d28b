#!/usr/bin/env node
/**
 * `strongbox-server`: starts the server from `strongbox.config.*` and `STRONGBOX_*`.
 */
import { main } from "./main.js";

main(process.argv.slice(2)).then(
	(code) => {
		process.exitCode = code;
	},
	(error: unknown) => {
		process.stderr.write(
			`strongbox-server: ${error instanceof Error ? error.message : "failed"}\n`,
		);
		process.exitCode = 1;
	},
);
