/**
 * Test data shared by the suites: canaries, values of an exact size, and values that
 * break naive encoders (unicode, control characters, JSON look-alikes).
 */
import { randomBytes } from "node:crypto";
import type { SecretValues } from "@strongbox/core";
import { valuesSize } from "@strongbox/core";

/** A unique, easily searched value. Alphanumeric so that every encoding of it is predictable. */
export function makeCanary(): string {
	return `sbcanary${randomBytes(12).toString("hex")}`;
}

/** A short random lower-case token (starts with a letter), for unique names. */
export function token(): string {
	return `k${randomBytes(5).toString("hex")}`;
}

/**
 * Values that break naive encoders: every one must come back byte for byte. Keys stay
 * within the key alphabet; the hard cases are in the values.
 */
export const TRICKY_VALUES: SecretValues = {
	emoji: "🔐🗝️👩‍💻 🇪🇺",
	cjk: "秘密の値 密码 비밀번호",
	rtl: "كلمة السر סיסמה",
	newlines: "line1\nline2\r\nline3\n",
	quotes: `"double" 'single' \`back\``,
	backslashes: "C:\\path\\to\\file \\n \\u0041 \\",
	empty: "",
	control: "\u0000\u0001\t\u001f\u007f",
	json: '{"$version":"99","$owner":"someone-else","a":1}',
	spaces: "  leading and trailing  ",
	combining: "e\u0301 n\u0303",
	bom: "\uFEFFbom",
	numeric: "007",
	literal: "null",
	html: "<script>alert(1)</script>&amp;",
	percent: "%s %d %% %00",
};

/** Keys at the edges of the key alphabet, including names of `Object.prototype` members. */
export const TRICKY_KEYS: readonly string[] = [
	"k".repeat(255),
	"UPPER_lower",
	"with-dash",
	"_",
	"-",
	"0123",
	"constructor",
	"toString",
	"hasOwnProperty",
	"valueOf",
];

// `{"v":""}` is 8 bytes.
const SINGLE_KEY_OVERHEAD = valuesSize({ v: "" });

/**
 * A one-key values map whose `valuesSize` is exactly `bytes`, starting with `prefix`.
 * With `multibyte`, the filler mixes 2-, 3- and 4-byte characters so that a store that
 * counts characters (or UTF-16 units) instead of UTF-8 bytes is caught.
 */
export function valuesOfSize(bytes: number, prefix = "", multibyte = false): SecretValues {
	const room = bytes - SINGLE_KEY_OVERHEAD - Buffer.byteLength(prefix, "utf8");
	if (room < 0) {
		throw new RangeError(`Cannot build a values map of ${bytes} bytes with this prefix.`);
	}
	let filler = "";
	if (multibyte) {
		const unit = "é€😀"; // 2 + 3 + 4 bytes, none escaped by JSON.stringify
		const unitBytes = Buffer.byteLength(unit, "utf8");
		filler = unit.repeat(Math.floor(room / unitBytes / 2));
	}
	filler += "x".repeat(room - Buffer.byteLength(filler, "utf8"));
	const values = { v: prefix + filler };
	const size = valuesSize(values);
	if (size !== bytes) throw new Error(`valuesOfSize built ${size} bytes instead of ${bytes}.`);
	return values;
}
