/**
 * Just enough of AWS STS (awsQuery protocol: form-encoded POST, XML answer) for
 * `fromTemporaryCredentials` to assume a role against the emulator: AssumeRole issues
 * temporary keys the Secrets Manager side then accepts until they expire.
 */
import { randomBytes } from "node:crypto";
import { AwsError } from "./model.js";

/** One AssumeRole request the emulator answered. */
export interface AwsAssumeRoleRecord {
	roleArn: string;
	roleSessionName: string;
	externalId?: string;
	durationSeconds?: number;
	/** The temporary access key id issued. */
	accessKeyId: string;
	/** Epoch ms at which the issued keys expire. */
	expiresAt: number;
}

/** Issued temporary credentials. */
export interface TemporaryKeys {
	accessKeyId: string;
	secretAccessKey: string;
	sessionToken: string;
	expiresAt: number;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

function xml(text: string): string {
	return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function randomKeyId(prefix: string): string {
	return prefix + randomBytes(8).toString("hex").toUpperCase();
}

/** Parses and answers an AssumeRole call. `ttlSeconds` overrides the requested duration. */
export function assumeRole(
	params: URLSearchParams,
	options: { accountId: string; now: number; ttlSeconds?: number },
): { record: AwsAssumeRoleRecord; keys: TemporaryKeys; body: string } {
	if (params.get("Action") !== "AssumeRole") {
		throw new AwsError(
			"InvalidAction",
			`Could not find operation ${params.get("Action") ?? ""} for version 2011-06-15`,
		);
	}
	const roleArn = params.get("RoleArn") ?? "";
	const roleSessionName = params.get("RoleSessionName") ?? "";
	const externalId = params.get("ExternalId") ?? undefined;
	const duration = params.get("DurationSeconds");
	if (!ROLE_ARN.test(roleArn))
		throw new AwsError(
			"ValidationError",
			"1 validation error detected: Value at 'roleArn' failed to satisfy constraint.",
		);
	if (!SESSION_NAME.test(roleSessionName)) {
		throw new AwsError(
			"ValidationError",
			"1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint.",
		);
	}
	if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) {
		throw new AwsError(
			"ValidationError",
			"1 validation error detected: Value at 'externalId' failed to satisfy constraint.",
		);
	}
	const durationSeconds = duration === null ? undefined : Number(duration);
	if (
		durationSeconds !== undefined &&
		(!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43_200)
	) {
		throw new AwsError(
			"ValidationError",
			"1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint.",
		);
	}
	const ttl = options.ttlSeconds ?? durationSeconds ?? 3600;
	const keys: TemporaryKeys = {
		accessKeyId: randomKeyId("ASIA"),
		secretAccessKey: randomBytes(30).toString("base64"),
		sessionToken: randomBytes(48).toString("base64"),
		expiresAt: options.now + ttl * 1000,
	};
	const roleName = roleArn.slice(roleArn.lastIndexOf("/") + 1);
	const body = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>${keys.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${xml(keys.secretAccessKey)}</SecretAccessKey>
      <SessionToken>${xml(keys.sessionToken)}</SessionToken>
      <Expiration>${new Date(keys.expiresAt).toISOString()}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROA${randomBytes(8).toString("hex").toUpperCase()}:${xml(roleSessionName)}</AssumedRoleId>
      <Arn>arn:aws:sts::${options.accountId}:assumed-role/${xml(roleName)}/${xml(roleSessionName)}</Arn>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>${randomBytes(16).toString("hex")}</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;
	return {
		record: {
			roleArn,
			roleSessionName,
			...(externalId === undefined ? {} : { externalId }),
			...(durationSeconds === undefined ? {} : { durationSeconds }),
			accessKeyId: keys.accessKeyId,
			expiresAt: keys.expiresAt,
		},
		keys,
		body,
	};
}

/** An STS error body (awsQuery XML). */
export function stsErrorBody(error: AwsError): string {
	return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>${error.status >= 500 ? "Receiver" : "Sender"}</Type><Code>${xml(error.type)}</Code><Message>${xml(error.message)}</Message></Error>
  <RequestId>${randomBytes(16).toString("hex")}</RequestId>
</ErrorResponse>`;
}
