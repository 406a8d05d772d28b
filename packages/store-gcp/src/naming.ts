/**
 * How Strongbox ids map to Secret Manager: secret ids `<prefix><tag>-<uuid>`, where
 * `<tag>` is 12 hex characters of the SHA-256 of the deployment id, and the labels that
 * mark ownership (`strongbox-deployment`, `strongbox-secret-id`) for listing.
 *
 * The tag makes every name this deployment can address its own: a store of another
 * deployment sharing the project (a restored catalog copy, a staging twin) computes
 * other names, so its one-call `delete` or `AddSecretVersion` can never reach this
 * deployment's secrets, with no extra ownership read on the write path.
 */
import { createHash } from "node:crypto";
import { isSecretId } from "@strongbox/core";

/** Label holding the (label-safe) deployment id. */
export const DEPLOYMENT_LABEL = "strongbox-deployment";
/** Label holding the Strongbox secret id (a UUID). */
export const SECRET_ID_LABEL = "strongbox-secret-id";

/**
 * A deployment id as a label value (≤ 63 lower-case letters, digits, `_`, `-`). An id
 * that is already label-safe is used as is; any other gets a hash suffix, so that two
 * ids that clean up to the same text (`Prod` and `prod`) never share a label and one
 * deployment's reconciliation never takes the other's secrets for its own orphans.
 */
export function deploymentLabel(deploymentId: string): string {
	if (/^[a-z0-9_-]{0,63}$/.test(deploymentId)) return deploymentId;
	const cleaned = deploymentId
		.toLowerCase()
		.replace(/[^a-z0-9_-]/g, "-")
		.slice(0, 52);
	const hash = createHash("sha256").update(deploymentId).digest("hex").slice(0, 10);
	return `${cleaned}-${hash}`;
}

/** 12 hex characters identifying a deployment in secret ids (48 bits: collisions are not a practical concern). */
export function deploymentTag(deploymentId: string): string {
	return createHash("sha256").update(deploymentId).digest("hex").slice(0, 12);
}

/** Longest prefix: 255 characters in all, 13 of them for the tag and its dash, 36 for the UUID. */
export const MAX_PREFIX_LENGTH = 255 - 13 - 36;

/** The back-end names of one store. */
export interface Naming {
	/** `projects/<project>` */
	readonly parent: string;
	/** `<prefix><tag>-<id>` */
	secretId(id: string): string;
	/** `projects/<project>/secrets/<prefix><tag>-<id>` */
	secretName(id: string): string;
	/** The labels written on a new secret. */
	labels(id: string): Record<string, string>;
	/** The list filter selecting this deployment's secrets. */
	readonly listFilter: string;
	/** Whether a back-end secret's labels say it is this deployment's secret `id`. */
	owns(id: string, labels: Record<string, string> | null | undefined): boolean;
	/** The Strongbox id of a back-end secret name (any project form), or `undefined` if not one of ours. */
	idOf(name: string, labels: Record<string, string> | null | undefined): string | undefined;
}

/** Builds the naming of a store. */
export function makeNaming(
	projectId: string,
	prefix: string,
	deploymentId: string,
	extraLabels: Record<string, string>,
): Naming {
	const parent = `projects/${projectId}`;
	const deployment = deploymentLabel(deploymentId);
	const start = `${prefix}${deploymentTag(deploymentId)}-`;
	const naming: Naming = {
		parent,
		secretId: (id) => `${start}${id}`,
		secretName: (id) => `${parent}/secrets/${start}${id}`,
		labels: (id) => ({ ...extraLabels, [DEPLOYMENT_LABEL]: deployment, [SECRET_ID_LABEL]: id }),
		listFilter: `labels.${DEPLOYMENT_LABEL}=${deployment}`,
		owns: (id, labels) =>
			labels?.[DEPLOYMENT_LABEL] === deployment && labels?.[SECRET_ID_LABEL] === id,
		idOf(name, labels) {
			// Answers name the project by number: only the secret id part is compared.
			const secretId = name.split("/secrets/")[1]?.split("/")[0] ?? "";
			if (!secretId.startsWith(start)) return undefined;
			const id = secretId.slice(start.length);
			return isSecretId(id) && naming.owns(id, labels) ? id : undefined;
		},
	};
	return naming;
}
