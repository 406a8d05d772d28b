/**
 * What every command talks to: the `Secrets` API plus the few identity calls of a
 * server, the same whether it runs in-process on the embedded store (local mode) or
 * over HTTP (remote mode).
 */
import type { CreatedToken, TokenInfo } from "@strongbox/client";
import type { Secrets } from "@strongbox/core";

export type { CreatedToken, TokenInfo };

/** Who the CLI acts as (`whoami --json` prints this shape). */
export interface Identity {
	mode: "local" | "remote";
	user: string;
	/** The workspace commands act in. */
	workspace: string;
	/** The caller's workspaces and roles; `"*"` in local mode (every workspace). */
	workspaces: Array<{ workspace: string; role: string }> | "*";
	admin: boolean;
	/** Remote mode: the server's URL. */
	url?: string;
	/** Local mode: where the embedded database and key live. */
	dataDir?: string;
	/** Remote mode: the id of the token in use. */
	tokenId?: string;
}

/** Token management (remote mode only). */
export interface TokenApi {
	create(input: { name: string; expiresInSeconds?: number }): Promise<CreatedToken>;
	list(): Promise<TokenInfo[]>;
	revoke(id: string): Promise<void>;
}

/** An open connection to secrets, local or remote. */
export interface Backend {
	readonly mode: "local" | "remote";
	readonly secrets: Secrets;
	/** Local: the data directory. Remote: the server URL. */
	readonly location: string;
	whoami(): Promise<Identity>;
	/** Token management; throws `RemoteOnlyError` in local mode. */
	tokens(): TokenApi;
	close(): Promise<void>;
}
