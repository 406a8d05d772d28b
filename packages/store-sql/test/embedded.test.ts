/**
 * The embedded default: one SQLite file and a key file created on first use.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreConfigError } from "@strongbox/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openEmbedded } from "../src/embedded.js";
import { recordingLogger } from "./helpers.js";

describe("openEmbedded", () => {
	let root: string;
	beforeEach(async () => {
		root = await mkdtemp(join(tmpdir(), "strongbox-embedded-"));
	});
	afterEach(async () => {
		await rm(root, { recursive: true, force: true });
	});

	it("creates the data directory, a 0600 key file and the database, and warns once across two opens", async () => {
		const dataDir = join(root, ".strongbox");
		const logger = recordingLogger();
		const first = await openEmbedded({ dataDir, logger });
		const canary = `canary-${Date.now()}`;
		const created = await first.secrets.createSecret({ name: "db", values: { password: canary } });
		await first.close();

		expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
		expect((await stat(join(dataDir, "strongbox.key"))).mode & 0o777).toBe(0o600);
		expect((await stat(join(dataDir, "strongbox.db"))).mode & 0o077).toBe(0);
		const keyText = await readFile(join(dataDir, "strongbox.key"), "utf8");
		expect(keyText).toMatch(/^# .*\n[A-Za-z0-9_-]+:[A-Za-z0-9+/]{43}=\n$/);

		const second = await openEmbedded({ dataDir, logger });
		expect(second.deploymentId).toBe(first.deploymentId);
		expect((await second.secrets.getSecret(created.id)).values).toEqual({ password: canary });
		await second.close();

		const warnings = logger.lines.filter((l) => l.level === "warn");
		expect(warnings).toHaveLength(1);
		expect(warnings[0]!.message).toContain(join(dataDir, "strongbox.key"));
		expect(warnings[0]!.message).toMatch(/back it up/i);
		const everything = JSON.stringify(logger.lines);
		expect(everything.includes(canary)).toBe(false);
		expect(everything.includes(keyText.split(":").at(-1)!.trim())).toBe(false);

		const db = await readFile(join(dataDir, "strongbox.db"));
		expect(db.toString("latin1").includes(canary)).toBe(false);
	});

	it("creates one key when opened twice at once", async () => {
		const dataDir = join(root, "concurrent");
		const logger = recordingLogger();
		const [a, b] = await Promise.all([
			openEmbedded({ dataDir, logger }),
			openEmbedded({ dataDir, logger }),
		]);
		expect(a.deploymentId).toBe(b.deploymentId);
		const secret = await a.secrets.createSecret({ name: "shared", values: { k: "v" } });
		expect((await b.secrets.getSecret(secret.id)).values).toEqual({ k: "v" });
		await Promise.all([a.close(), b.close()]);
		expect(logger.lines.filter((l) => l.level === "warn")).toHaveLength(1);
	});

	it("refuses to start with a key file that does not match the database", async () => {
		const dataDir = join(root, "swapped");
		const first = await openEmbedded({ dataDir });
		await first.secrets.createSecret({ name: "x", values: { k: "v" } });
		await first.close();
		const keyFile = join(dataDir, "strongbox.key");
		const id = (await readFile(keyFile, "utf8")).split("\n")[1]!.split(":")[0];
		await writeFile(keyFile, `${id}:${Buffer.alloc(32, 1).toString("base64")}\n`, { mode: 0o600 });
		const error = await openEmbedded({ dataDir }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StoreConfigError);
		expect((error as Error).message).toContain(`\`${id}\``);
	});
});
