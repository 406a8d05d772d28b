/**
 * The client's identity, token, audit and health calls against a live server, the
 * workspace option, and HTTPS with a private CA (`ca`).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AuthError, ForbiddenError, StoreUnavailableError, ValidationError } from "@strongbox/core";
import { createServer } from "@strongbox/server";
import { generateTestCertificates } from "@strongbox/testkit/emulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../src/index.js";
import { type LiveServer, startLiveServer } from "./live-server.js";

let live: LiveServer;

beforeAll(async () => {
	live = await startLiveServer();
});

afterAll(async () => {
	await live?.close();
});

describe("identity", () => {
	it("users, workspaces, memberships and whoami", async () => {
		const { admin } = live;
		expect(await admin.whoami()).toMatchObject({
			user: "admin",
			admin: true,
			workspace: "default",
		});
		await admin.createWorkspace("team");
		const user = await admin.createUser({ name: "dana", defaultWorkspace: "team" });
		expect(user.createdAt).toBeInstanceOf(Date);
		expect((await admin.listUsers()).map((u) => u.name)).toEqual(["admin", "dana"]);
		await admin.createWorkspace("ops");
		const m = await admin.setMember("ops", "dana", "admin");
		expect(m).toMatchObject({ workspace: "ops", user: "dana", role: "admin" });
		const { token } = await admin.createToken({
			name: "dana-laptop",
			user: "dana",
			expiresInSeconds: 3600,
		});
		const dana = createClient({ url: live.url, token, workspace: "ops" });
		const me = await dana.whoami();
		expect(me).toMatchObject({
			user: "dana",
			admin: false,
			workspace: "ops",
			defaultWorkspace: "team",
		});
		expect(me.workspaces).toEqual([
			{ workspace: "ops", role: "admin" },
			{ workspace: "team", role: "member" },
		]);
		expect((await dana.listWorkspaces()).map((w) => w.name)).toEqual(["ops", "team"]);
		expect((await dana.listMembers("ops")).map((x) => x.user)).toEqual(["dana"]);
		await expect(dana.listUsers()).rejects.toBeInstanceOf(ForbiddenError);
		const created = await dana.createSecret({ name: "ops-db", values: { a: "b" } });
		expect(created.workspace).toBe("ops");
		await expect(admin.deleteWorkspace("ops")).rejects.toThrow(/holds 1 secret/);
		await dana.deleteSecret(created.id);
		await dana.removeMember("ops", "dana");
		await admin.deleteWorkspace("ops");
		await expect(admin.getUser("nobody")).rejects.toBeInstanceOf(ValidationError);
		await dana.close();
	});

	it("tokens: create for self, list without the secret, revoke", async () => {
		const { token, info } = await live.admin.createToken({
			name: "ci",
			expiresAt: new Date(Date.now() + 86_400_000),
		});
		expect(info.expiresAt).toBeInstanceOf(Date);
		const ci = createClient({ url: live.url, token });
		expect((await ci.whoami()).tokenId).toBe(info.id);
		const listed = await live.admin.listTokens();
		expect(listed.find((t) => t.id === info.id)?.name).toBe("ci");
		expect(JSON.stringify(listed)).not.toContain(token);
		await live.admin.revokeToken(info.id);
		await expect(ci.whoami()).rejects.toBeInstanceOf(AuthError);
		await ci.close();
	});

	it("audit query and health", async () => {
		const erin = await live.userClient("erin", "team-e");
		const s = await erin.createSecret({ name: "audited", values: { k: "v" } });
		await erin.getSecret(s.id);
		const page = await live.admin.queryAudit({ secretId: s.id, size: 10 });
		expect(page.items.map((e) => e.op)).toEqual(["secret.get", "secret.create"]);
		expect(page.items[0]!.at).toBeInstanceOf(Date);
		expect(
			(
				await live.admin.queryAudit({
					actor: "erin",
					op: "secret.get",
					since: new Date(Date.now() - 60_000),
				})
			).total,
		).toBe(1);
		expect(await live.admin.health()).toEqual({
			status: "ok",
			checks: { catalog: { ok: true }, "store:sql": { ok: true } },
		});
	});
});

describe("TLS with a private CA", () => {
	it("works with `ca`, and fails as unavailable without it", async () => {
		const dir = await mkdtemp(path.join(tmpdir(), "strongbox-client-tls-"));
		const certs = await generateTestCertificates();
		await writeFile(path.join(dir, "cert.pem"), certs.cert);
		await writeFile(path.join(dir, "key.pem"), certs.key);
		let token = "";
		const server = await createServer(
			{
				dataDir: dir,
				server: {
					port: 0,
					tls: { cert: path.join(dir, "cert.pem"), key: path.join(dir, "key.pem") },
				},
				log: { level: "silent" },
			},
			{ onBootstrap: (r) => (token = r.token) },
		);
		try {
			const { url } = await server.listen();
			const trusted = createClient({ url, token, ca: certs.ca });
			const secret = await trusted.createSecret({ name: "tls-db", values: { password: "p" } });
			expect((await trusted.getSecret(secret.id)).values).toEqual({ password: "p" });
			await trusted.close();
			const untrusted = createClient({ url, token, retry: false });
			await expect(untrusted.whoami()).rejects.toBeInstanceOf(StoreUnavailableError);
		} finally {
			await server.close();
			await rm(dir, { recursive: true, force: true });
		}
	});
});
