/**
 * What a handler receives: the parsed request, the principal and its core caller, and
 * `secrets.as(caller)`. Callers and views are built once per principal and selected
 * workspace, not per request: the authenticator hands out the same principal object
 * until its cache entry expires (a few seconds), and a view holds nothing but its caller.
 */
import type { Caller, SecretsService } from "@strongbox/core";
import type { FastifyRequest } from "fastify";
import { callerOf, type Principal } from "../identity/auth.js";
import type { HandlerContext, Services } from "./route.js";

/** Most distinct selected workspaces remembered per principal (a guard: callers use one or two). */
const MAX_PER_PRINCIPAL = 32;

/** A principal's caller for one selected workspace, and its view (built on first use). */
export interface CallerEntry {
	readonly caller: Caller;
	view: SecretsService | undefined;
}

/** Callers and views per principal. */
export interface Callers {
	/** The caller of `principal` with `workspace` selected (else its default workspace). */
	entry(principal: Principal, workspace: string | undefined): CallerEntry;
}

/** Creates the per-principal cache of callers and views over `secrets`. */
export function createCallers(): Callers {
	// Keyed by the principal object: entries go when the authenticator drops the principal.
	const byPrincipal = new WeakMap<Principal, Map<string | undefined, CallerEntry>>();
	return {
		entry(principal, workspace) {
			let entries = byPrincipal.get(principal);
			if (!entries) {
				entries = new Map();
				byPrincipal.set(principal, entries);
			}
			let entry = entries.get(workspace);
			if (!entry) {
				entry = { caller: callerOf(principal, workspace), view: undefined };
				if (entries.size < MAX_PER_PRINCIPAL) entries.set(workspace, entry);
			}
			return entry;
		},
	};
}

/** The handler context of one request (the view is built on first use of `secrets`). */
export class RequestContext implements HandlerContext<unknown, unknown, unknown> {
	readonly requestId: string;
	readonly ip: string;

	constructor(
		readonly services: Services,
		readonly request: FastifyRequest,
		readonly params: unknown,
		readonly query: unknown,
		readonly body: unknown,
		readonly principal: Principal,
		private readonly entry: CallerEntry | undefined,
		readonly ifMatch: number | undefined,
	) {
		this.requestId = request.id;
		this.ip = request.ip;
	}

	get caller(): Caller {
		return this.entry?.caller as Caller;
	}

	get secrets(): SecretsService {
		const entry = this.entry!;
		entry.view ??= this.services.runtime.secrets.as(entry.caller);
		return entry.view;
	}
}
