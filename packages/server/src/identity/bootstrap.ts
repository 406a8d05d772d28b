/**
 * First start: with no user at all, create a workspace `default`, an admin user `admin`
 * and a token for it. The token is returned once to the caller, which prints it to the
 * terminal; it is never logged.
 */
import type { IdentityStore } from "./store.js";

/** What a first start created. */
export interface BootstrapResult {
	user: string;
	workspace: string;
	/** The admin token, shown once. */
	token: string;
}

/** Name of the user created on first start. */
export const BOOTSTRAP_USER = "admin";
/** Name of the workspace created on first start. */
export const BOOTSTRAP_WORKSPACE = "default";

/**
 * Creates the first admin when the database has no user. Another replica starting at the
 * same moment may win the race; this one then creates nothing and returns `undefined`.
 */
export async function bootstrapIdentity(
	identity: IdentityStore,
	now: Date,
): Promise<BootstrapResult | undefined> {
	if ((await identity.countUsers()) > 0) return undefined;
	try {
		if (!(await identity.getWorkspace(BOOTSTRAP_WORKSPACE))) {
			await identity.createWorkspace(BOOTSTRAP_WORKSPACE, now);
		}
		await identity.createUser(
			{ name: BOOTSTRAP_USER, admin: true, defaultWorkspace: BOOTSTRAP_WORKSPACE },
			now,
		);
	} catch (error) {
		if ((await identity.countUsers()) > 0) return undefined;
		throw error;
	}
	await identity.setMember(BOOTSTRAP_WORKSPACE, BOOTSTRAP_USER, "admin", now);
	const { token } = await identity.createToken(
		{ user: BOOTSTRAP_USER, name: "bootstrap", expiresAt: null, createdBy: BOOTSTRAP_USER },
		now,
	);
	return { user: BOOTSTRAP_USER, workspace: BOOTSTRAP_WORKSPACE, token };
}

/** The banner printed to stdout with the bootstrap token (never to the structured log). */
export function bootstrapBanner(result: BootstrapResult): string {
	const line = "=".repeat(72);
	return [
		line,
		"Strongbox: first start. Created admin user `admin` and workspace `default`.",
		"Admin token (shown ONCE; store it now, it cannot be displayed again):",
		"",
		`  STRONGBOX_ADMIN_TOKEN=${result.token}`,
		"",
		line,
		"",
	].join("\n");
}
