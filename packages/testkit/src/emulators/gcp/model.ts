/**
 * The state of the emulated Secret Manager and its operations, following the service's
 * documented semantics: versions numbered 1, 2, 3… and never reused, `latest` as the
 * most recently created version whatever its state, DISABLED/DESTROYED versions refused
 * with FAILED_PRECONDITION, etags on secrets and versions (mismatch → ABORTED, as
 * AIP-154 prescribes), labels replaced by UpdateSecret, deletion permanent, listings
 * newest first. Resource names in answers carry the project number, like the real
 * service, while requests may use the project id or number.
 */
import { status } from "@grpc/grpc-js";
import { crc32c } from "./crc32c.js";
import {
	newEtag,
	pageOf,
	type RawGcpSecret,
	type Req,
	type StoredSecret,
	type StoredVersion,
	stringMap,
	timestamp,
	type VersionState,
	versionView,
} from "./resources.js";
import {
	checkLabels,
	checkSecretId,
	decodePageToken,
	type FilterTerm,
	GrpcFault,
	invalid,
	MAX_PAYLOAD_BYTES,
	pageSize,
	parseFilter,
	parseName,
	parseParent,
} from "./rules.js";

/** The emulated service state. */
export class SecretManagerModel {
	private readonly secrets = new Map<string, StoredSecret>();
	private seq = 0;

	constructor(
		readonly projectId: string,
		readonly projectNumber: string,
	) {}

	private checkProject(project: string): void {
		if (project !== this.projectId && project !== this.projectNumber) {
			throw new GrpcFault(
				status.PERMISSION_DENIED,
				`Permission denied on resource project ${project.slice(0, 100)} (or it may not exist).`,
			);
		}
	}

	private secretName(id: string): string {
		return `projects/${this.projectNumber}/secrets/${id}`;
	}

	private secret(name: string): StoredSecret {
		const parsed = parseName(name, "secret");
		this.checkProject(parsed.project);
		const secret = this.secrets.get(parsed.secret);
		if (!secret)
			throw new GrpcFault(
				status.NOT_FOUND,
				`Secret [${this.secretName(parsed.secret)}] not found.`,
			);
		return secret;
	}

	/** Resolves `…/versions/{n|latest}`. */
	private version(name: string): { secret: StoredSecret; version: StoredVersion } {
		const parsed = parseName(name, "version");
		this.checkProject(parsed.project);
		const secret = this.secrets.get(parsed.secret);
		const full = this.secretName(parsed.secret);
		if (parsed.version === "latest") {
			const latest = secret?.versions.at(-1);
			if (!secret || !latest)
				throw new GrpcFault(status.NOT_FOUND, `Secret [${full}] not found or has no versions.`);
			return { secret, version: latest };
		}
		const number = /^[1-9][0-9]{0,9}$/.test(parsed.version!) ? Number(parsed.version) : Number.NaN;
		const version = secret?.versions[number - 1];
		if (!secret || !version) {
			throw new GrpcFault(
				status.NOT_FOUND,
				`Secret Version [${full}/versions/${parsed.version!.slice(0, 64)}] not found.`,
			);
		}
		return { secret, version };
	}

	private secretView(secret: StoredSecret): Req {
		return {
			name: this.secretName(secret.id),
			replication: secret.replication,
			createTime: timestamp(secret.createTime),
			labels: { ...secret.labels },
			annotations: { ...secret.annotations },
			etag: secret.etag,
		};
	}

	private versionView(secret: StoredSecret, version: StoredVersion): Req {
		return versionView(this.secretName(secret.id), version);
	}

	private checkEtag(current: string, given: unknown, what: string): void {
		if (typeof given === "string" && given !== "" && given !== current) {
			throw new GrpcFault(
				status.ABORTED,
				`The etag provided does not match the current etag of the ${what}.`,
			);
		}
	}

	createSecret(req: Req): Req {
		this.checkProject(parseParent(req.parent));
		checkSecretId(req.secretId ?? "");
		const input = req.secret as Req | null;
		if (!input) throw invalid("Secret is required.");
		const replication = input.replication as Req | null;
		const kind = replication?.replication as string | undefined;
		if (
			kind !== "automatic" &&
			!(kind === "userManaged" && replication?.userManaged?.replicas?.length > 0)
		) {
			throw invalid("Secret.replication is required: set automatic or user_managed replicas.");
		}
		const labels = stringMap(input.labels);
		checkLabels(labels);
		if (this.secrets.has(req.secretId)) {
			throw new GrpcFault(
				status.ALREADY_EXISTS,
				`Secret [${this.secretName(req.secretId)}] already exists.`,
			);
		}
		const secret: StoredSecret = {
			id: req.secretId,
			labels,
			annotations: stringMap(input.annotations),
			replication:
				kind === "automatic" ? { automatic: {} } : { userManaged: replication!.userManaged },
			createTime: new Date(),
			etag: newEtag(),
			seq: ++this.seq,
			versions: [],
		};
		this.secrets.set(secret.id, secret);
		return this.secretView(secret);
	}

	getSecret(req: Req): Req {
		return this.secretView(this.secret(req.name));
	}

	updateSecret(req: Req): Req {
		const input = req.secret as Req | null;
		if (!input) throw invalid("Secret is required.");
		const paths = (req.updateMask?.paths ?? []) as string[];
		if (paths.length === 0) throw invalid("update_mask is required.");
		const secret = this.secret(input.name);
		this.checkEtag(secret.etag, input.etag, "secret");
		const next = { labels: secret.labels, annotations: secret.annotations };
		for (const path of paths) {
			if (path === "labels") {
				next.labels = stringMap(input.labels);
				checkLabels(next.labels);
			} else if (path === "annotations") {
				next.annotations = stringMap(input.annotations);
			} else {
				throw invalid(
					`update_mask path [${String(path).slice(0, 64)}] is not supported by the emulator.`,
				);
			}
		}
		// The map is replaced as a whole, never merged (the service's documented behaviour).
		secret.labels = next.labels;
		secret.annotations = next.annotations;
		secret.etag = newEtag();
		return this.secretView(secret);
	}

	deleteSecret(req: Req): Req {
		const secret = this.secret(req.name);
		this.checkEtag(secret.etag, req.etag, "secret");
		this.secrets.delete(secret.id);
		return {};
	}

	listSecrets(req: Req): Req {
		this.checkProject(parseParent(req.parent));
		const filter = String(req.filter ?? "");
		const terms = parseFilter(filter, "secrets");
		const size = pageSize(Number(req.pageSize ?? 0));
		const after = decodePageToken(String(req.pageToken ?? ""), filter);
		const matching = [...this.secrets.values()].filter((s) =>
			terms.every((t) => this.matches(s, t)),
		);
		const { page, nextPageToken } = pageOf(matching, size, after, filter);
		return {
			secrets: page.map((s) => this.secretView(s)),
			nextPageToken,
			// The proto: "the total number of secrets, but 0 when the filter is set".
			totalSize: terms.length > 0 ? 0 : matching.length,
		};
	}

	private matches(secret: StoredSecret, term: FilterTerm): boolean {
		switch (term.kind) {
			case "label":
				return secret.labels[term.key] === term.value;
			case "labelPresent":
				return term.key in secret.labels;
			case "name":
				return this.secretName(secret.id).includes(term.contains);
			default:
				return false;
		}
	}

	addSecretVersion(req: Req): Req {
		const secret = this.secret(req.parent);
		const payload = req.payload as Req | null;
		if (!payload) throw invalid("Payload is required.");
		const data = Buffer.from(payload.data ?? []);
		if (data.length > MAX_PAYLOAD_BYTES) {
			throw invalid(`Secret payload data must be no larger than 64KiB (got ${data.length} bytes).`);
		}
		const checksum = crc32c(data);
		// proto3 `optional`: present only when the client set it (proto-loader marks the synthetic oneof).
		const given = payload._dataCrc32c === "dataCrc32c" ? payload.dataCrc32c : undefined;
		if (given !== undefined && given !== null && Number(given) !== checksum) {
			throw invalid(
				"Checksum mismatch: data_crc32c does not match the CRC32C of the payload data.",
			);
		}
		const version: StoredVersion = {
			number: secret.versions.length + 1,
			state: "ENABLED",
			data,
			crc32c: checksum,
			clientChecksum: given !== undefined && given !== null,
			createTime: new Date(),
			destroyTime: undefined,
			etag: newEtag(),
			seq: ++this.seq,
		};
		secret.versions.push(version);
		return this.versionView(secret, version);
	}

	accessSecretVersion(req: Req): Req {
		const { secret, version } = this.version(req.name);
		const name = `${this.secretName(secret.id)}/versions/${version.number}`;
		if (version.state !== "ENABLED") {
			throw new GrpcFault(
				status.FAILED_PRECONDITION,
				`Secret Version [${name}] is in ${version.state} state.`,
			);
		}
		return { name, payload: { data: version.data, dataCrc32c: String(version.crc32c) } };
	}

	getSecretVersion(req: Req): Req {
		const { secret, version } = this.version(req.name);
		return this.versionView(secret, version);
	}

	listSecretVersions(req: Req): Req {
		const secret = this.secret(req.parent);
		const filter = String(req.filter ?? "");
		const terms = parseFilter(filter, "versions");
		const size = pageSize(Number(req.pageSize ?? 0));
		const after = decodePageToken(String(req.pageToken ?? ""), filter);
		const matching = secret.versions.filter((v) =>
			terms.every((t) => t.kind === "state" && v.state === t.state),
		);
		const { page, nextPageToken } = pageOf(matching, size, after, filter);
		return {
			versions: page.map((v) => this.versionView(secret, v)),
			nextPageToken,
			totalSize: terms.length > 0 ? 0 : matching.length,
		};
	}

	private transition(req: Req, to: VersionState): Req {
		const { secret, version } = this.version(req.name);
		this.checkEtag(version.etag, req.etag, "secret version");
		const name = `${this.secretName(secret.id)}/versions/${version.number}`;
		if (version.state === "DESTROYED") {
			throw new GrpcFault(
				status.FAILED_PRECONDITION,
				`Secret Version [${name}] is in DESTROYED state.`,
			);
		}
		if (version.state !== to) {
			version.state = to;
			version.etag = newEtag();
			if (to === "DESTROYED") {
				version.data = undefined;
				version.destroyTime = new Date();
			}
		}
		return this.versionView(secret, version);
	}

	disableSecretVersion(req: Req): Req {
		return this.transition(req, "DISABLED");
	}

	enableSecretVersion(req: Req): Req {
		return this.transition(req, "ENABLED");
	}

	destroySecretVersion(req: Req): Req {
		return this.transition(req, "DESTROYED");
	}

	/** What the emulator holds for a secret id or full name (for test assertions). */
	raw(idOrName: string): RawGcpSecret | undefined {
		const id = idOrName.includes("/")
			? (idOrName.split("/secrets/")[1]?.split("/")[0] ?? "")
			: idOrName;
		const secret = this.secrets.get(id);
		if (!secret) return undefined;
		return {
			name: this.secretName(secret.id),
			labels: { ...secret.labels },
			etag: secret.etag,
			createTime: secret.createTime,
			versions: secret.versions.map((v) => ({
				version: v.number,
				state: v.state,
				data: v.data ? Buffer.from(v.data) : undefined,
			})),
		};
	}

	/** Every secret id held, oldest first. */
	ids(): string[] {
		return [...this.secrets.values()].sort((a, b) => a.seq - b.seq).map((s) => s.id);
	}
}
