/**
 * Request authentication as AWS does it: the SigV4 `Authorization` header is parsed,
 * the access key looked up (the emulator's own key, or temporary keys it issued through
 * STS AssumeRole), the credential scope checked against the region and service, and the
 * signature recomputed. A wrong secret key fails like it does on AWS.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type http from "node:http";
import { AwsError } from "./model.js";

/** A key pair the emulator accepts. */
export interface KnownKey {
	secretAccessKey: string;
	sessionToken?: string;
	/** Epoch ms after which the key is refused with ExpiredTokenException. */
	expiresAt?: number;
	/** Who the key belongs to, for AccessDenied messages. */
	principal: string;
}

const AUTH =
	/^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

function hmac(key: string | Buffer, data: string): Buffer {
	return createHmac("sha256", key).update(data, "utf8").digest();
}

function header(req: http.IncomingMessage, name: string): string {
	const value = req.headers[name];
	return Array.isArray(value) ? value.join(",") : (value ?? "");
}

/**
 * Checks the signature of a request with body `body`. Returns the principal, or throws
 * the error AWS answers (`MissingAuthenticationTokenException`, `UnrecognizedClientException`,
 * `InvalidSignatureException`, `ExpiredTokenException`).
 */
export function authenticate(
	req: http.IncomingMessage,
	body: Buffer,
	options: { keys: Map<string, KnownKey>; region: string; service: string; now: number },
): string {
	const authorization = header(req, "authorization");
	if (!authorization)
		throw new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token");
	const match = AUTH.exec(authorization);
	if (!match) {
		throw new AwsError(
			"IncompleteSignatureException",
			"Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'.",
		);
	}
	const [, accessKeyId, date, region, service, signedHeaders, signature] =
		match as unknown as string[];
	const key = options.keys.get(accessKeyId!);
	const invalidToken =
		options.service === "sts" ? "InvalidClientTokenId" : "UnrecognizedClientException";
	if (!key)
		throw new AwsError(
			invalidToken,
			"The security token included in the request is invalid.",
			options.service === "sts" ? 403 : 400,
		);
	if (key.sessionToken !== undefined && header(req, "x-amz-security-token") !== key.sessionToken) {
		throw new AwsError(
			invalidToken,
			"The security token included in the request is invalid.",
			options.service === "sts" ? 403 : 400,
		);
	}
	if (key.expiresAt !== undefined && key.expiresAt <= options.now) {
		throw new AwsError(
			"ExpiredTokenException",
			"The security token included in the request is expired",
		);
	}
	if (region !== options.region) {
		throw new AwsError(
			"InvalidSignatureException",
			`Credential should be scoped to a valid region. `,
		);
	}
	if (service !== options.service) {
		throw new AwsError(
			"InvalidSignatureException",
			`Credential should be scoped to correct service: '${options.service}'. `,
		);
	}
	const amzDate = header(req, "x-amz-date");
	const names = signedHeaders!.split(";");
	const canonicalHeaders = names
		.map((name) => `${name}:${header(req, name).trim().replace(/\s+/g, " ")}\n`)
		.join("");
	const [path, query = ""] = (req.url ?? "/").split("?");
	const canonicalQuery = query.split("&").filter(Boolean).sort().join("&");
	const canonicalRequest = [
		req.method ?? "POST",
		path,
		canonicalQuery,
		canonicalHeaders,
		signedHeaders,
		createHash("sha256").update(body).digest("hex"),
	].join("\n");
	const scope = `${date}/${region}/${service}/aws4_request`;
	const stringToSign = [
		"AWS4-HMAC-SHA256",
		amzDate,
		scope,
		createHash("sha256").update(canonicalRequest, "utf8").digest("hex"),
	].join("\n");
	const signingKey = hmac(
		hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, date!), region!), service!),
		"aws4_request",
	);
	const expected = createHmac("sha256", signingKey).update(stringToSign, "utf8").digest();
	if (!timingSafeEqual(expected, Buffer.from(signature!, "hex"))) {
		throw new AwsError(
			options.service === "sts" ? "SignatureDoesNotMatch" : "InvalidSignatureException",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
			options.service === "sts" ? 403 : 400,
		);
	}
	return key.principal;
}
