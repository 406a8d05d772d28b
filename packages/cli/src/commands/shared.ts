/**
 * Pieces shared by the commands: how a command is declared and run, how a secret is
 * looked up by name (or `--id`), and the common options.
 */
import type { LookupOptions, Secret, SecretMetadata, SecretScope } from "@strongbox/core";
import { type Command, Option } from "commander";
import type { Backend } from "../backend/types.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";

/** A command's body: returns its exit code (default 0). */
export type Action = (context: Context, command: Command) => Promise<number | undefined>;

/** Wraps an action into a commander action handler (builds the context from the options). */
export type Runner = (action: Action) => (...args: unknown[]) => Promise<void>;

/** Options shared by the commands that address one secret. */
export interface LookupFlags {
	id?: boolean;
	scope?: SecretScope;
	expectedVersion?: number;
}

/** `--scope user|workspace`. */
export function scopeOption(description: string): Option {
	return new Option("--scope <scope>", description).choices(["workspace", "user"]);
}

/** Adds `--id` and `--scope` (lookup) to a command addressing one secret. */
export function addLookupOptions(command: Command): Command {
	return command
		.option("--id", "treat the argument as a secret id (UUID) instead of a name")
		.addOption(scopeOption("look only in this scope (default: user scope first, then workspace)"));
}

/** Parses a non-negative integer option. */
export function integerOption(name: string, min = 0): (value: string) => number {
	return (value: string) => {
		if (!/^\d{1,15}$/.test(value) || Number(value) < min) {
			throw new UsageError(`${name} must be an integer${min > 0 ? ` ≥ ${min}` : " ≥ 0"}.`);
		}
		return Number(value);
	};
}

/** `--expected-version N`. */
export function expectedVersionOption(): Option {
	return new Option(
		"--expected-version <n>",
		"fail with exit code 4 unless the secret is at this version (optimistic concurrency)",
	).argParser(integerOption("--expected-version"));
}

function lookup(context: Context, flags: LookupFlags): LookupOptions {
	return {
		...(context.workspace === undefined ? {} : { workspace: context.workspace }),
		...(flags.scope === undefined ? {} : { scope: flags.scope }),
	};
}

/** The metadata of the secret a command names (no value is read). */
export function findMetadata(
	context: Context,
	backend: Backend,
	ref: string,
	flags: LookupFlags,
): Promise<SecretMetadata> {
	return flags.id
		? backend.secrets.getSecretMetadata(ref)
		: backend.secrets.getSecretMetadataByName(ref, lookup(context, flags));
}

/** The secret a command names, with its values. */
export function findSecret(
	context: Context,
	backend: Backend,
	ref: string,
	flags: LookupFlags,
): Promise<Secret> {
	return flags.id
		? backend.secrets.getSecret(ref)
		: backend.secrets.getSecretByName(ref, lookup(context, flags));
}

/** Refuses arguments after `--` for commands that take none. */
export function noPassthrough(context: Context): void {
	if (context.passthrough.length > 0) {
		throw new UsageError("This command takes no arguments after `--`.");
	}
}
