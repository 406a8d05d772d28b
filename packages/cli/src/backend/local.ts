/**
 * Local mode: the Secrets API in-process on the embedded SQLite catalog and encrypted
 * store under the CLI's home, built exactly as the server builds it (`loadConfig` +
 * `openRuntime` from `@strongbox/server`), so a config file or `STRONGBOX_*` variables
 * can point the CLI at another database or store as well.
 */
import {
	findReferences,
	type Logger,
	resolveReferences,
	resync,
	type Secrets,
	validateReferences,
} from "@strongbox/core";
import type { Runtime, StrongboxConfig } from "@strongbox/server/runtime";
import { RemoteOnlyError } from "../errors.js";
import { encryptionStatus } from "./encryption.js";
import { cliImport, loadRuntimeModule } from "./runtime-module.js";
import type { Backend, Identity, ResolveOutcome, ResolveRequest } from "./types.js";

/** The user that owns user-scoped secrets created in local mode. */
export const LOCAL_USER = "local";
/** The workspace used in local mode when `--workspace` is not given. */
export const LOCAL_WORKSPACE = "default";

/** Options of {@link openLocal}. */
export interface LocalOptions {
	/** The CLI home; the data directory unless `STRONGBOX_DATA_DIR` is set. */
	home: string;
	/** `--config` (else the server's discovery: `STRONGBOX_CONFIG`, `strongbox.config.*` in cwd). */
	configFile?: string | undefined;
	/** Whether `--home` was given on the command line (it then wins over `STRONGBOX_DATA_DIR`). */
	homeFromFlag: boolean;
	env: Record<string, string | undefined>;
	cwd: string;
	logger: Logger;
	/** `--workspace`: where references are looked up. @default the caller's (`default`) */
	workspace?: string | undefined;
}

/** The data directory of local mode. */
export function localDataDir(options: Pick<LocalOptions, "home" | "homeFromFlag" | "env">): string {
	if (options.homeFromFlag) return options.home;
	return options.env.STRONGBOX_DATA_DIR || options.home;
}

/** The configuration of local mode: the server's discovery, with the CLI's data directory. */
export async function loadLocalConfig(options: LocalOptions): Promise<StrongboxConfig> {
	const server = await loadRuntimeModule();
	return server.loadConfig({
		...(options.configFile === undefined ? {} : { file: options.configFile }),
		env: { ...options.env, STRONGBOX_DATA_DIR: localDataDir(options) },
		cwd: options.cwd,
	});
}

/** Opens the runtime a configuration describes, with the CLI's logger and store imports. */
export async function openLocalRuntime(
	config: StrongboxConfig,
	options: Pick<LocalOptions, "cwd" | "logger">,
): Promise<Runtime> {
	const server = await loadRuntimeModule();
	return server.openRuntime(config, {
		logger: options.logger,
		import: cliImport(options.cwd),
		cwd: options.cwd,
	});
}

/**
 * Resolves or checks references with core's resolver, for the caller of `secrets`
 * (local mode, and the in-process test backend).
 */
export async function resolveLocally(
	secrets: Secrets,
	document: unknown,
	request: ResolveRequest,
	workspace: string | undefined,
): Promise<ResolveOutcome> {
	const where = workspace === undefined ? {} : { workspace };
	if (request.validateOnly) {
		const checked = await validateReferences(secrets, document, {
			...where,
			...(request.level === undefined ? {} : { level: request.level }),
		});
		return { references: checked.references, level: checked.level };
	}
	const references = findReferences(document);
	return { document: await resolveReferences(secrets, document, where), references };
}

/** Opens the embedded runtime. */
export async function openLocal(options: LocalOptions): Promise<Backend> {
	const dataDir = localDataDir(options);
	const server = await loadRuntimeModule();
	const runtime = await openLocalRuntime(await loadLocalConfig(options), options);
	const secrets = runtime.secrets.as({
		user: LOCAL_USER,
		workspace: LOCAL_WORKSPACE,
		workspaces: "*",
	});
	return {
		mode: "local",
		secrets,
		location: dataDir,
		async whoami(): Promise<Identity> {
			return {
				mode: "local",
				user: LOCAL_USER,
				workspace: LOCAL_WORKSPACE,
				workspaces: "*",
				admin: true,
				dataDir,
			};
		},
		tokens() {
			throw new RemoteOnlyError("Tokens exist on a server only; this CLI is in local mode.");
		},
		resolve: (document, request = {}) =>
			resolveLocally(secrets, document, request, options.workspace),
		async doctor() {
			return {
				report: await server.doctor(runtime),
				encryption: await encryptionStatus(runtime.config),
			};
		},
		async repair() {
			const reconcile = await runtime.secrets.reconcile();
			return { reconcile, resync: await resync(runtime.secrets, runtime.divergences) };
		},
		close: () => runtime.close(),
	};
}
