/**
 * What every command talks to: the `Secrets` API plus the few identity calls of a
 * server, the same whether it runs in-process on the embedded store (local mode) or
 * over HTTP (remote mode).
 */
import type { CreatedToken, DoctorReport, TokenInfo } from "@strongbox/client";
import type {
	ReconcileReport,
	ResyncReport,
	SecretReference,
	Secrets,
	ValidationLevel,
} from "@strongbox/core";
import type { EncryptionStatus } from "./encryption.js";

export type { CreatedToken, DoctorReport, EncryptionStatus, TokenInfo };

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

/** Options of {@link Backend.resolve}. */
export interface ResolveRequest {
	/** Check the references only, reading no value. */
	validateOnly?: boolean;
	/** How much a check verifies. @default from `STRONGBOX_SECRET_VALIDATION_LEVEL` */
	level?: ValidationLevel;
}

/** What {@link Backend.resolve} returns. */
export interface ResolveOutcome {
	/** The document with every reference replaced (absent when only validating). */
	document?: unknown;
	/** The distinct references found (names, keys, paths; never a value). */
	references: SecretReference[];
	/** The level a check ran at. */
	level?: ValidationLevel;
}

/** What `doctor` found: the runtime's report, plus the key status in local mode. */
export interface DoctorOutcome {
	report: DoctorReport;
	/** Local mode only: a server checks its keys when it starts. */
	encryption?: EncryptionStatus;
}

/** What `doctor --repair` did. */
export interface RepairOutcome {
	/** Interrupted writes settled (local mode; a server reconciles on its own schedule). */
	reconcile: ReconcileReport | null;
	/** Backup divergences repaired. */
	resync: ResyncReport;
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
	/**
	 * Resolves (or only checks) the `{{name.key}}` references of a document for this
	 * caller. Missing ones fail with `UnresolvedReferenceError` listing every one.
	 */
	resolve(document: unknown, request?: ResolveRequest): Promise<ResolveOutcome>;
	/** Checks the stores, the catalog, unsettled writes and backup divergences (admins only, remotely). */
	doctor(): Promise<DoctorOutcome>;
	/** Settles interrupted writes (local mode) and repairs backup divergences. */
	repair(): Promise<RepairOutcome>;
	close(): Promise<void>;
}
