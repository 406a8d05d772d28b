/**
 * Key Vault's error answers: `{"error":{"code","message","innererror"?}}` with the HTTP
 * status the service uses, so the Azure SDK throws its own `RestError` with `statusCode`,
 * `code` and `details.error.innerError`.
 */

/** An error answer of the emulated vault. */
export class KeyVaultError extends Error {
	readonly status: number;
	readonly code: string;
	readonly inner: string | undefined;
	readonly headers: Record<string, string>;

	constructor(
		status: number,
		code: string,
		message: string,
		inner?: string,
		headers: Record<string, string> = {},
	) {
		super(message);
		this.status = status;
		this.code = code;
		this.inner = inner;
		this.headers = headers;
	}

	/** The JSON body Key Vault sends. */
	body(): { error: { code: string; message: string; innererror?: { code: string } } } {
		return {
			error: {
				code: this.code,
				message: this.message,
				...(this.inner === undefined ? {} : { innererror: { code: this.inner } }),
			},
		};
	}
}

/** 400 BadParameter, the service's answer to malformed input. */
export function badParameter(message: string, inner?: string): KeyVaultError {
	return new KeyVaultError(400, "BadParameter", message, inner);
}

/** 404 SecretNotFound. */
export function secretNotFound(name: string, deleted = false): KeyVaultError {
	return new KeyVaultError(
		404,
		"SecretNotFound",
		deleted
			? `Deleted Secret not found: ${name}`
			: `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
	);
}
