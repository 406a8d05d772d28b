/**
 * Remote mode: the Secrets API over HTTP through `@strongbox/client`, with the same
 * types and typed errors as in-process.
 */
import type { StrongboxClient } from "@strongbox/client";
import { findReferences } from "@strongbox/core";
import type { RemoteTarget } from "../credentials.js";
import { importPackage } from "./load.js";
import type { Backend, Identity, ResolveOutcome, ResolveRequest } from "./types.js";

type ClientModule = typeof import("@strongbox/client");

const CLIENT_PACKAGE = "@strongbox/client";

/** Options of {@link openRemote} besides the target. */
export interface RemoteOptions {
	/** `--workspace`: the workspace calls act in (default: the user's). */
	workspace?: string | undefined;
	/** Plain http to a non-loopback host (`STRONGBOX_ALLOW_INSECURE_HTTP`). */
	allowInsecureHttp?: boolean;
}

/** Resolves or checks references on the server (`POST /api/v1/resolve`), for the token's user. */
async function resolveRemotely(
	client: StrongboxClient,
	document: unknown,
	request: ResolveRequest,
): Promise<ResolveOutcome> {
	if (request.validateOnly) {
		const checked = await client.validateReferences(
			document,
			request.level === undefined ? {} : { level: request.level },
		);
		return { references: checked.references, level: checked.level };
	}
	// The grammar is checked here first: a malformed template is not sent at all.
	const references = findReferences(document);
	return { document: await client.resolve(document), references };
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
		resolve: (document, request = {}) => resolveRemotely(client, document, request),
		doctor: async () => ({ report: await client.doctor() }),
		repair: async () => ({ reconcile: null, resync: await client.resync() }),
		close: () => client.close(),
	};
}
