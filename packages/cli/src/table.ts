/**
 * Aligned text tables and the small formatting helpers the commands share.
 */
import type { SecretMetadata } from "@strongbox/core";

function width(text: string): number {
	// Code points, not UTF-16 units: names are ASCII, but a value shown with --reveal may not be.
	return [...text].length;
}

/** Columns separated by two spaces, padded to the widest cell; the last column is not padded. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
	const widths = headers.map((header, i) =>
		Math.max(width(header), ...rows.map((row) => width(row[i] ?? ""))),
	);
	const render = (cells: readonly string[]) =>
		cells
			.map((cell, i) =>
				i === cells.length - 1 ? cell : cell + " ".repeat(widths[i]! - width(cell)),
			)
			.join("  ")
			.trimEnd();
	return `${[render(headers), ...rows.map(render)].join("\n")}\n`;
}

/** Label/value lines with aligned values, no header (`name     db`). */
export function fields(rows: readonly (readonly [string, string])[]): string {
	return table(["", ""], rows).split("\n").slice(1).join("\n");
}

/** `2026-01-31T12:00:00Z` (no milliseconds; people do not need them). */
export function formatDate(date: Date | string): string {
	const d = typeof date === "string" ? new Date(date) : date;
	return Number.isNaN(d.getTime()) ? String(date) : d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Where a secret lives, for messages: `workspace default` or `user scope in workspace default`. */
export function describeScope(secret: Pick<SecretMetadata, "scope" | "workspace">): string {
	return secret.scope === "user"
		? `user scope, workspace ${secret.workspace}`
		: `workspace ${secret.workspace}`;
}

/** `1 key` / `3 keys`. */
export function plural(count: number, word: string): string {
	return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** Metadata as the stable `--json` shape (dates as ISO strings). */
export function metadataJson(secret: SecretMetadata): Record<string, unknown> {
	return {
		id: secret.id,
		name: secret.name,
		scope: secret.scope,
		workspace: secret.workspace,
		owner: secret.owner,
		keys: [...secret.keys],
		version: secret.version,
		createdAt: new Date(secret.createdAt).toISOString(),
		updatedAt: new Date(secret.updatedAt).toISOString(),
		backend: secret.backend,
	};
}
