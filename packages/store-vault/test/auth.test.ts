/**
 * AppRole: login on first use, renewal once two thirds of the lease have passed,
 * re-login when renewal fails, is capped short or is not allowed, and when Vault refuses
 * the token. The store's clock and the emulator's move together, by hand.
 */
import { randomUUID } from "node:crypto";
import { type SecretsStore, StorePermissionError, silentLogger } from "@strongbox/core";
import { assertNoLeak, FAST_RETRY } from "@strongbox/testkit";
import {
	startVaultEmulator,
	type VaultAppRoleSpec,
	type VaultEmulator,
} from "@strongbox/testkit/emulators";
import { describe, expect, it, onTestFinished } from "vitest";
import { createVaultStore } from "../src/index.js";

interface Rig {
	emulator: VaultEmulator;
	store: SecretsStore;
	/** Moves both clocks. */
	advance(seconds: number): void;
	/** Logins and renewals the emulator saw. */
	auth(): { logins: number; renewals: number };
}

async function rig(approle: Partial<VaultAppRoleSpec> = {}, secretId = "secret-1"): Promise<Rig> {
	const emulator = await startVaultEmulator({
		clock: "manual",
		approle: { roleId: "role-1", secretId: "secret-1", ttl: 30, ...approle },
	});
	onTestFinished(() => emulator.close());
	let now = 1_000_000;
	const store = createVaultStore(
		{ address: emulator.endpoint, appRole: { roleId: "role-1", secretId }, retry: FAST_RETRY },
		{ deploymentId: "dep-approle", logger: silentLogger },
		{ now: () => now },
	);
	onTestFinished(() => store.close());
	await store.init?.();
	return {
		emulator,
		store,
		advance(seconds) {
			now += seconds * 1000;
			emulator.advanceTime(seconds);
		},
		auth: () => ({
			logins: emulator.count("auth.approle.login"),
			renewals: emulator.count("auth.token.renew-self"),
		}),
	};
}

describe("AppRole", () => {
	it("logs in once on first use and reuses the token", async () => {
		const { store, auth, emulator } = await rig();
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		await store.verify();
		expect(auth()).toEqual({ logins: 1, renewals: 0 });
		expect(emulator.calls[0]?.operation).toBe("auth.approle.login");
	});

	it("renews the token after two thirds of its lease, before it expires", async () => {
		const { store, auth, advance } = await rig();
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		advance(19);
		await store.get(id);
		expect(auth()).toEqual({ logins: 1, renewals: 0 });
		advance(2);
		await store.get(id);
		expect(auth()).toEqual({ logins: 1, renewals: 1 });
		// The renewed lease runs from now: 25 s later the old one would be long gone.
		advance(19);
		await store.get(id);
		expect(auth()).toEqual({ logins: 1, renewals: 1 });
		advance(2);
		await store.get(id);
		expect(auth()).toEqual({ logins: 1, renewals: 2 });
	});

	it("logs in again when a renewal would be capped short by the max TTL", async () => {
		const { store, auth, advance } = await rig({ maxTtl: 40 });
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		advance(21);
		await store.get(id); // renewed to the cap: 19 s left, still worth it
		expect(auth()).toEqual({ logins: 1, renewals: 1 });
		advance(13);
		await store.get(id); // renewed again: only 6 s left, so the next refresh logs in
		expect(auth()).toEqual({ logins: 1, renewals: 2 });
		advance(5);
		await store.get(id);
		expect(auth()).toEqual({ logins: 2, renewals: 2 });
	});

	it("logs in again instead of renewing a token that is not renewable", async () => {
		const { store, auth, advance } = await rig({ renewable: false });
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		advance(21);
		await store.get(id);
		expect(auth()).toEqual({ logins: 2, renewals: 0 });
	});

	it("logs in again when the renewal fails", async () => {
		const { store, auth, advance, emulator } = await rig();
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		advance(21);
		emulator.inject({ kind: "error", status: 500, operations: ["auth.token.renew-self"] });
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		expect(auth().logins).toBe(2);
	});

	it("replaces a token Vault refuses (revoked, or expired while idle) with one fresh login", async () => {
		const { store, auth, advance, emulator } = await rig();
		const id = randomUUID();
		await store.set(id, { k: "v" }, { version: 1 });
		const first = emulator.calls.find((c) => c.operation === "auth.approle.login");
		expect(first?.status).toBe(200);
		// Expired while idle: the store's own clock says so too, so it logs in up front.
		advance(60);
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		expect(auth().logins).toBe(2);
		// Revoked behind the store's back: the refused call is retried once after a login.
		for (const token of emulator.liveTokens())
			if (token !== emulator.rootToken) emulator.revokeToken(token);
		emulator.clearCalls();
		expect(await store.get(id)).toEqual({ values: { k: "v" }, version: 1 });
		expect(emulator.calls.map((c) => [c.operation, c.status])).toEqual([
			["kv.read", 403],
			["auth.approle.login", 200],
			["kv.read", 200],
		]);
	});

	it("reports wrong AppRole credentials as StorePermissionError without the secret id", async () => {
		const secretId = `wrong-${randomUUID()}`;
		const { store, auth } = await rig({}, secretId);
		const error = await store.get(randomUUID()).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StorePermissionError);
		assertNoLeak(error, [secretId]);
		expect(auth().logins).toBe(1);
	});
});
