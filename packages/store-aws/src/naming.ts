/**
 * How a secret id maps to AWS: the secret's name, its ownership tags, and the
 * `ClientRequestToken` of a write, derived from (deployment, id, version) so that a
 * retried write of the same version is a no-op for the service.
 */
import { createHash } from "node:crypto";
import { ID_PATTERN } from "@strongbox/core";
import { DEPLOYMENT_TAG, SECRET_ID_TAG } from "./options.js";

/** The AWS secret name of `id`. */
export function secretName(prefix: string, id: string): string {
	return `${prefix}${id}`;
}

/** The id a secret name stands for, or `undefined` when it is not one of ours. */
export function idFromName(prefix: string, name: string | undefined): string | undefined {
	if (name === undefined || !name.startsWith(prefix)) return undefined;
	const id = name.slice(prefix.length);
	return ID_PATTERN.test(id) ? id : undefined;
}

/**
 * A UUID-shaped (version 8) token from a hash of (deployment, id, version). The same
 * write retried carries the same token; the service ignores the repeat.
 */
export function requestToken(deploymentId: string, id: string, version: number): string {
	const bytes = createHash("sha256")
		.update(`strongbox-aws\0${deploymentId}\0${id}\0${version}`, "utf8")
		.digest()
		.subarray(0, 16);
	bytes[6] = (bytes[6]! & 0x0f) | 0x80;
	bytes[8] = (bytes[8]! & 0x3f) | 0x80;
	const hex = bytes.toString("hex");
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The tags of a secret the store creates: ownership first, then the configured extras. */
export function secretTags(
	deploymentId: string,
	id: string,
	extra: Record<string, string> = {},
): { Key: string; Value: string }[] {
	return [
		{ Key: DEPLOYMENT_TAG, Value: deploymentId },
		{ Key: SECRET_ID_TAG, Value: id },
		...Object.entries(extra).map(([Key, Value]) => ({ Key, Value })),
	];
}

/** Whether a tag list carries this deployment's ownership tag (an exact key=value match). */
export function ownedBy(
	tags: readonly { Key?: string; Value?: string }[] | undefined,
	deploymentId: string,
): boolean {
	return (tags ?? []).some((tag) => tag.Key === DEPLOYMENT_TAG && tag.Value === deploymentId);
}
