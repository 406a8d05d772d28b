/**
 * Structured logs with pino. Request and response bodies are never logged; headers that
 * carry credentials, and any field named like a token or a value, are redacted, so that
 * even a careless `log.info({ something })` cannot print one.
 */
import type { Logger } from "@strongbox/core";
import pino, { type DestinationStream, type Logger as PinoLogger } from "pino";

/** Paths pino censors wherever they appear in a log object. */
export const REDACT_PATHS = [
	"req.headers.authorization",
	"req.headers.cookie",
	"req.headers['x-strongbox-token']",
	"req.headers['proxy-authorization']",
	"res.headers['set-cookie']",
	"headers.authorization",
	"authorization",
	"token",
	"*.token",
	"values",
	"*.values",
	"value",
	"*.value",
	"password",
	"*.password",
	"keys",
	"encryption.keys",
	"*.encryption.keys",
	"body",
	"*.body",
];

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
	level?: string;
	/** Where lines go. @default stdout */
	destination?: DestinationStream;
}

/** A pino logger with Strongbox's redaction. */
export function createLogger(options: CreateLoggerOptions = {}): PinoLogger {
	return pino(
		{
			level: options.level ?? "info",
			redact: { paths: REDACT_PATHS, censor: "[redacted]" },
			base: { service: "strongbox" },
			serializers: {
				// Only the request line, never headers or bodies.
				req: (req: { method?: string; url?: string; id?: string }) => ({
					method: req.method,
					url: typeof req.url === "string" ? req.url.slice(0, 512) : undefined,
					id: req.id,
				}),
				res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
				err: pino.stdSerializers.err,
			},
		},
		options.destination,
	);
}

/** Core's logger interface over pino (for stores and `createSecrets`). */
export function coreLogger(log: PinoLogger): Logger {
	return {
		debug: (message, fields) => log.debug(fields ?? {}, message),
		info: (message, fields) => log.info(fields ?? {}, message),
		warn: (message, fields) => log.warn(fields ?? {}, message),
		error: (message, fields) => log.error(fields ?? {}, message),
	};
}
