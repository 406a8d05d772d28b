/**
 * Remote mode: the Secrets API over HTTP through `@strongbox/client`, with the same
 * types and typed errors as in-process.
 */
import type { RemoteTarget } from "../credentials.js";
import { importPackage } from "./load.js";
import type { Backend, Identity } from "./types.js";

type ClientModule = typeof import("@strongbox/client");

const CLIENT_PACKAGE = "@strongbox/client";

/** Options of {@link openRemote} besides the target. */
export interface RemoteOptions {
	/** `--workspace`: the workspace calls act in (default: the user's). */
	workspace?: string | undefined;
	/** Plain http to a non-loopback host (`STRONGBOX_ALLOW_INSECURE_HTTP`). */
	allowInsecureHttp?: boolean;
}

/** Opens a client for a server. Nothing is sent until the first call. */
export async function openRemote(
	target: RemoteTarget,
	options: RemoteOptions = {},
): Promise<Backend> {
	const { createClient } = await importPackage<ClientModule>(CLIENT_PACKAGE);
	const client = createClient({
		url: target.url,
		token: target.token,
		...(options.workspace === undefined ? {} : { workspace: options.workspace }),
		...(options.allowInsecureHttp ? { allowInsecureHttp: true } : {}),
	});
	return {
		mode: "remote",
		secrets: client,
		location: client.url,
		async whoami(): Promise<Identity> {
			const me = await client.whoami();
			return {
				mode: "remote",
				user: me.user,
				workspace: me.workspace,
				workspaces: me.workspaces.map(({ workspace, role }) => ({ workspace, role })),
				admin: me.admin,
				url: client.url,
				tokenId: me.tokenId,
			};
		},
		tokens: () => ({
			create: (input) => client.createToken(input),
			list: () => client.listTokens(),
			revoke: (id) => client.revokeToken(id),
		}),
		close: () => client.close(),
	};
}
