import { ValidationError } from "@strongbox/core";
import { describe, expect, test } from "vitest";
import {
	formatFromPath,
	formatValues,
	parseDocument,
	parseInlineDocument,
	toValues,
} from "./formats.js";

const TRICKY = [
	"",
	"plain",
	"with space",
	" leading and trailing ",
	"hash # not a comment",
	"#starts-with-hash",
	"quote's",
	'double "quoted"',
	"back`tick",
	// biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${HOME} must survive every format.
	"dollar $HOME and ${HOME}",
	"back\\slash \\n literal",
	"multi\nline\nvalue",
	"trailing newline\n",
	" \n",
	"\n\n  \n",
	"crlf\r\nline",
	"=equals=",
	"@at",
	"unicode: héllo ✓ 🔑",
	"tab\tseparated",
	"-----BEGIN KEY-----\nMIIB...\n-----END KEY-----\n",
	"yes",
	"true",
	"null",
	"~",
	"0123",
	"1e3",
	"- dash",
	"key: value",
	"{ not: json }",
	"[1, 2]",
	"'single'",
	'"double"',
];

function random(seed: number) {
	let state = seed;
	return () => {
		state = (state * 1103515245 + 12345) & 0x7fffffff;
		return state / 0x7fffffff;
	};
}

function randomValue(next: () => number): string {
	const alphabet = "ab Z09_-=#$'\"`\\\n\r\t:@{}[],.~!%&*é✓";
	const length = Math.floor(next() * 20);
	return Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
}

describe("formatValues / parseDocument round trip", () => {
	for (const format of ["json", "yaml"] as const) {
		test(`${format}: every tricky value comes back exactly`, () => {
			const values = Object.fromEntries(TRICKY.map((value, i) => [`k${i}`, value]));
			const text = formatValues(values, format);
			expect(toValues(parseDocument(text, format, "test"), "test")).toEqual(values);
		});
		test(`${format}: random values come back exactly`, () => {
			const next = random(42);
			for (let round = 0; round < 200; round++) {
				const values = { a: randomValue(next), b_2: randomValue(next), "c-3": randomValue(next) };
				const text = formatValues(values, format);
				expect(toValues(parseDocument(text, format, "test"), "test")).toEqual(values);
			}
		});
	}

	test("env: a value is either written losslessly or refused by key name", () => {
		const next = random(7);
		let written = 0;
		const cases = [...TRICKY, ...Array.from({ length: 300 }, () => randomValue(next))];
		for (const value of cases) {
			try {
				const text = formatValues({ KEY: value }, "env");
				expect(parseDocument(text, "env", "test")).toEqual({ KEY: value });
				written++;
			} catch (error) {
				expect(error).toBeInstanceOf(ValidationError);
				expect((error as Error).message).toContain("`KEY`");
				expect((error as Error).message).not.toContain(value.length > 3 ? value : "\u0000");
			}
		}
		expect(written).toBeGreaterThan(cases.length / 2);
	});

	test("env: plain values stay unquoted, others are quoted for dotenv", () => {
		expect(formatValues({ B: "x y", A: "simple-1.2" }, "env")).toBe("A=simple-1.2\nB='x y'\n");
		expect(formatValues({ A: "it's\nmultiline" }, "env")).toBe('A="it\'s\\nmultiline"\n');
	});

	test("env: a value with every quote kind and a newline is refused", () => {
		expect(() => formatValues({ K: "'`\\n\n\"" }, "env")).toThrow(
			/cannot be written as a \.env line/,
		);
	});

	test("empty values map", () => {
		expect(formatValues({}, "yaml")).toBe("{}\n");
		expect(formatValues({}, "json")).toBe("{}\n");
		expect(formatValues({}, "env")).toBe("");
	});
});

describe("parsing", () => {
	test("YAML scalars stay text (failsafe schema)", () => {
		expect(
			toValues(parseDocument("port: 5432\ndebug: yes\nratio: 1.50\n", "yaml", "t"), "t"),
		).toEqual({
			port: "5432",
			debug: "yes",
			ratio: "1.50",
		});
	});

	test("JSON numbers and booleans become their text; nested values are refused", () => {
		expect(toValues(parseInlineDocument('{"port": 5432, "tls": true}', "v"), "v")).toEqual({
			port: "5432",
			tls: "true",
		});
		expect(() => toValues(parseInlineDocument('{"a": {"b": "c"}}', "v"), "v")).toThrow(
			/must be a string/,
		);
		expect(() => toValues({ a: null }, "v")).toThrow(ValidationError);
		expect(toValues({ a: null }, "v", { allowNull: true })).toEqual({ a: null });
	});

	test("parse errors never quote the input", () => {
		const canary = "CANARY-parse-9f2";
		for (const text of [`{"a": "${canary}"`, `{${canary}}`]) {
			expect(() => parseInlineDocument(text, "--values")).toThrow(ValidationError);
			try {
				parseInlineDocument(text, "--values");
			} catch (error) {
				expect(JSON.stringify((error as ValidationError).toJSON())).not.toContain(canary);
				expect((error as Error).message).not.toContain(canary);
			}
		}
		try {
			parseDocument(`a: [${canary}\nb: "x`, "yaml", "file");
			expect.unreachable();
		} catch (error) {
			expect((error as Error).message).toMatch(/not valid YAML \(line \d+, column \d+\)/);
			expect((error as Error).message).not.toContain(canary);
		}
	});

	test("invalid keys are reported by position, not echoed", () => {
		const canary = "CANARY key 42";
		try {
			toValues({ [canary]: 1 as unknown as string, ok: [] }, "v");
			expect.unreachable();
		} catch (error) {
			expect(JSON.stringify((error as ValidationError).toJSON())).not.toContain(canary);
		}
	});

	test("formats from file names", () => {
		expect(formatFromPath("db.env")).toBe("env");
		expect(formatFromPath("/x/.env")).toBe("env");
		expect(formatFromPath(".env.local")).toBe("env");
		expect(formatFromPath("a.JSON")).toBe("json");
		expect(formatFromPath("a.yml")).toBe("yaml");
		expect(formatFromPath("a.yaml")).toBe("yaml");
		expect(formatFromPath("secrets.txt")).toBeUndefined();
	});
});
