/**
 * A throwaway certificate authority and a loopback server certificate, generated in memory
 * when an emulator (or a test server) starts: the Azure SDK refuses plain HTTP, Vault and
 * the Strongbox server are tested over TLS too, and nothing secret is ever committed.
 */
import { webcrypto } from "node:crypto";
import type * as X509 from "@peculiar/x509";

/** PEM material of one emulator start. */
export interface TestCertificates {
	/** The test CA certificate: what a client trusts (`tlsOptions: { ca }`). */
	ca: string;
	/** The server certificate (SAN `IP:127.0.0.1`, `DNS:localhost`), signed by the CA. */
	cert: string;
	/** The server's private key (PKCS #8). */
	key: string;
}

// ECDSA P-256 keys: generated in about a millisecond, unlike RSA, and accepted by Node's TLS.
const KEY_ALGORITHM = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING_ALGORITHM = { name: "ECDSA", hash: "SHA-256" } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

type WebCrypto = NonNullable<Parameters<typeof X509.X509CertificateGenerator.create>[1]>;

let x509Module: Promise<typeof X509> | undefined;

/**
 * Loads @peculiar/x509 on first use. Its dependency tsyringe needs the Reflect metadata
 * API, which x509's documentation says to provide with `reflect-metadata`.
 */
function loadX509(): Promise<typeof X509> {
	x509Module ??= import("reflect-metadata").then(() => import("@peculiar/x509"));
	return x509Module;
}

function pem(label: string, der: ArrayBuffer): string {
	const base64 = Buffer.from(der).toString("base64");
	const lines = base64.match(/.{1,64}/g) ?? [];
	return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** Generates a CA and a loopback server certificate valid for a few days. */
export async function generateTestCertificates(): Promise<TestCertificates> {
	const x509 = await loadX509();
	const crypto = webcrypto as unknown as WebCrypto;
	const notBefore = new Date(Date.now() - DAY_MS);
	const notAfter = new Date(Date.now() + 7 * DAY_MS);
	const caKeys = await crypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]);
	const caCert = await x509.X509CertificateGenerator.createSelfSigned(
		{
			name: "CN=Strongbox test CA (Azure Key Vault emulator)",
			keys: caKeys,
			notBefore,
			notAfter,
			signingAlgorithm: SIGNING_ALGORITHM,
			extensions: [
				new x509.BasicConstraintsExtension(true, 0, true),
				new x509.KeyUsagesExtension(
					x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
					true,
				),
			],
		},
		crypto,
	);
	const serverKeys = await crypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]);
	const serverCert = await x509.X509CertificateGenerator.create(
		{
			subject: "CN=localhost",
			issuer: caCert.subject,
			publicKey: serverKeys.publicKey,
			signingKey: caKeys.privateKey,
			notBefore,
			notAfter,
			signingAlgorithm: SIGNING_ALGORITHM,
			extensions: [
				new x509.BasicConstraintsExtension(false, undefined, true),
				new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
				new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
				new x509.SubjectAlternativeNameExtension([
					{ type: "ip", value: "127.0.0.1" },
					{ type: "dns", value: "localhost" },
				]),
			],
		},
		crypto,
	);
	const keyDer = await crypto.subtle.exportKey("pkcs8", serverKeys.privateKey);
	return {
		ca: caCert.toString("pem"),
		cert: serverCert.toString("pem"),
		key: pem("PRIVATE KEY", keyDer),
	};
}
