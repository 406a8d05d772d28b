/**
 * `verify()`: the token is valid (`auth/token/lookup-self`), its policies grant what the
 * store needs (`sys/capabilities-self`, skipped when the policy does not allow that
 * call), and the mount exists as KV version 2 (a list of the prefix folder).
 */
import { StorePermissionError } from "@strongbox/core";
import type { VaultApi } from "./client.js";
import type { Layout } from "./layout.js";

/** Runs one authenticated call (the store's runner); `keep` lets chosen raw failures through. */
export type Authed = <T>(
	operation: string,
	fn: (api: VaultApi, token: string | undefined) => Promise<T>,
	keep?: (error: unknown) => boolean,
) => Promise<T>;

/** Checks reachability, the token and its capabilities; throws a typed error otherwise. */
export async function verifyAccess(
	authed: Authed,
	layout: Layout,
	refused: (error: unknown) => boolean,
): Promise<void> {
	await authed("verify", (a, t) => a.lookupSelf(t));
	const probe = `${layout.prefix}strongbox-verify`;
	const needed: Record<string, string[]> = {
		[`${layout.mount}/data/${probe}`]: ["create", "read", "update"],
		[`${layout.mount}/metadata/${probe}`]: ["read", "update", "delete"],
		[layout.folder]: ["list"],
	};
	let granted: Record<string, string[]> | undefined;
	try {
		granted = await authed("verify", (a, t) => a.capabilitiesSelf(t, Object.keys(needed)), refused);
	} catch (error) {
		// Policies may not grant sys/capabilities-self; the list below still proves access.
		if (!refused(error)) throw error;
	}
	if (granted) {
		const missing: Record<string, string[]> = {};
		for (const [path, caps] of Object.entries(needed)) {
			const have = granted[path] ?? [];
			const lacking = have.includes("root") ? [] : caps.filter((c) => !have.includes(c));
			if (lacking.length > 0) missing[path] = lacking;
		}
		if (Object.keys(missing).length > 0) {
			throw new StorePermissionError(
				"[store-vault] The Vault token lacks capabilities the store needs; see the policy in this store's README.",
				{ store: "vault", details: { missing } },
			);
		}
	}
	// Proves the mount exists and is KV version 2 (and the list permission).
	await authed("verify", (a, t) => a.kvList(t, layout.folder));
}
