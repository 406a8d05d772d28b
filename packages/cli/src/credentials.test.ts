import { mkdtemp, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuthError } from "@strongbox/core";
import { describe, expect, test } from "vitest";
import { parseSort } from "./commands/secret-list.js";
import { parseDuration } from "./commands/token.js";
import {
	CredentialsError,
	deleteCredentials,
	normalizeUrl,
	readCredentials,
	resolveHome,
	resolveRemote,
	writeCredentials,
} from "./credentials.js";
import { UsageError } from "./errors.js";

async function home(): Promise<string> {
	return mkdtemp(join(tmpdir(), "strongbox-cred-"));
}

describe("credentials", () => {
	test("written 0600 in a 0700 home, read back, deleted", async () => {
		const dir = join(await home(), "nested");
		await writeCredentials(dir, { url: "https://a.example", token: "sbx_1", workspace: "ws" });
		expect((await stat(dir)).mode & 0o777).toBe(0o700);
		expect((await stat(join(dir, "credentials.json"))).mode & 0o777).toBe(0o600);
		expect(await readCredentials(dir)).toEqual({
			url: "https://a.example",
			token: "sbx_1",
			workspace: "ws",
		});
		expect(await deleteCredentials(dir)).toBe(true);
		expect(await deleteCredentials(dir)).toBe(false);
		expect(await readCredentials(dir)).toBeUndefined();
	});

	test("a damaged file is a typed error that never quotes it", async () => {
		const dir = await home();
		await writeFile(join(dir, "credentials.json"), '{"url": "x", "token": ');
		await expect(readCredentials(dir)).rejects.toBeInstanceOf(CredentialsError);
		await writeFile(join(dir, "credentials.json"), '{"url": "https://x"}');
		await expect(readCredentials(dir)).rejects.toThrow(/lacks a url or a token/);
	});

	test("STRONGBOX_URL and STRONGBOX_TOKEN win over the saved login", async () => {
		const dir = await home();
		expect(await resolveRemote(dir, {})).toBeUndefined();
		expect(await resolveRemote(dir, { STRONGBOX_TOKEN: "t" })).toBeUndefined();
		await expect(resolveRemote(dir, { STRONGBOX_URL: "https://b.example" })).rejects.toBeInstanceOf(
			AuthError,
		);
		await writeCredentials(dir, { url: "https://a.example/", token: "saved", workspace: "ws" });
		expect(await resolveRemote(dir, {})).toEqual({
			url: "https://a.example",
			token: "saved",
			source: "credentials",
			workspace: "ws",
		});
		expect(await resolveRemote(dir, { STRONGBOX_TOKEN: "env" })).toMatchObject({
			url: "https://a.example",
			token: "env",
		});
		expect(await resolveRemote(dir, { STRONGBOX_URL: "https://a.example" })).toMatchObject({
			token: "saved",
		});
		await expect(resolveRemote(dir, { STRONGBOX_URL: "https://b.example" })).rejects.toThrow(
			/STRONGBOX_TOKEN/,
		);
		expect(
			await resolveRemote(dir, { STRONGBOX_URL: "https://b.example", STRONGBOX_TOKEN: "env" }),
		).toEqual({
			url: "https://b.example",
			token: "env",
			source: "environment",
		});
	});

	test("URLs and homes", () => {
		expect(normalizeUrl("https://x.example:8787/")).toBe("https://x.example:8787");
		expect(() => normalizeUrl("ftp://x")).toThrow(UsageError);
		expect(() => normalizeUrl("https://user:pw@x")).toThrow(/not in the URL/);
		expect(() => normalizeUrl("not a url")).toThrow(UsageError);
		expect(resolveHome("rel", {}, "/base")).toBe("/base/rel");
		expect(resolveHome(undefined, { STRONGBOX_HOME: "/h" }, "/base")).toBe("/h");
		expect(resolveHome(undefined, {}, "/base")).toMatch(/\.strongbox$/);
	});
});

describe("option parsers", () => {
	test("--expires", () => {
		expect(parseDuration("90s")).toBe(90);
		expect(parseDuration("30d")).toBe(30 * 86_400);
		expect(parseDuration("1y")).toBe(31_536_000);
		for (const bad of ["30", "d", "-1d", "0d", "1.5h", "10x"])
			expect(() => parseDuration(bad)).toThrow(UsageError);
	});

	test("--sort", () => {
		expect(parseSort("name")).toEqual({ sortBy: "name" });
		expect(parseSort("updatedAt:desc")).toEqual({ sortBy: "updatedAt", sortOrder: "desc" });
		expect(parseSort("created:asc")).toEqual({ sortBy: "createdAt", sortOrder: "asc" });
		for (const bad of ["size", "name:up", "name:asc:x", ""])
			expect(() => parseSort(bad)).toThrow(UsageError);
	});
});
