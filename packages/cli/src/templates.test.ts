import { ValidationError } from "@strongbox/core";
import { parse as parseDotenv } from "dotenv";
import { describe, expect, test } from "vitest";
import { parse as parseYaml } from "yaml";
import {
	parseTemplateText,
	renderTemplate,
	templateFormat,
	templateVariables,
} from "./templates.js";

describe("templateFormat", () => {
	test("--format, then the extension, then the content", () => {
		expect(templateFormat("x.json", "a: 1", "env")).toBe("env");
		expect(templateFormat("app.yml", "{}")).toBe("yaml");
		expect(templateFormat(".env.local", "{}")).toBe("env");
		expect(templateFormat("-", '  {"a":1}')).toBe("json");
		expect(templateFormat("-", "[1]")).toBe("json");
		expect(templateFormat("config", "a: 1")).toBe("yaml");
	});
});

describe("YAML templates", () => {
	const text = [
		"# top comment",
		"a: '{{x.y}}' # trailing",
		"n: 1.10",
		"list:",
		"  - &ref plain {{x.y}}",
		"  - *ref",
		"block: |",
		"  line {{x.y}}",
		"flow: [ '{{x.y}}', 007 ]",
		"",
	].join("\n");

	test("only changed strings are rewritten: comments, anchors, other scalars' text stay", () => {
		const template = parseTemplateText(text, "yaml", "t");
		const resolved = {
			a: "line 1\nline 2: 'quoted' #not a comment",
			n: 1.1,
			list: ["plain v", "plain v"],
			block: "line v\n",
			flow: ["v", 7],
		};
		const out = renderTemplate(template, resolved);
		expect(out).toContain("# top comment");
		expect(out).toContain("# trailing");
		expect(out).toContain("n: 1.10\n");
		expect(out).toContain('flow: [ "v", 007 ]\n');
		expect(out).toContain("&ref");
		expect(parseYaml(out)).toEqual(resolved);
	});

	test("a result the document cannot carry is written afresh, still equal", () => {
		const template = parseTemplateText("a: x\n", "yaml", "t");
		// Shape differs from the document: the rewrite is abandoned for a plain dump.
		expect(parseYaml(renderTemplate(template, { a: "y", b: "z" }))).toEqual({ a: "y", b: "z" });
	});

	test("parse errors name the position, never the text", () => {
		try {
			parseTemplateText("a: [unclosed SECRET-TEXT\n", "yaml", "Template `t`");
			expect.unreachable();
		} catch (error) {
			expect(error).toBeInstanceOf(ValidationError);
			expect((error as Error).message).toMatch(
				/^Template `t` is not valid YAML \(line \d+, column \d+\)\.$/,
			);
			expect((error as Error).message).not.toContain("SECRET");
		}
		expect(() => parseTemplateText('{"a": SECRET}', "json", "t")).toThrow(
			/^t is not valid JSON\.$/,
		);
	});
});

describe(".env templates", () => {
	test("order kept; every value quoted so that dotenv reads it back", () => {
		const template = parseTemplateText("B=1\nA='{{x.y}}'\n", "env", "t");
		const values = { B: "1", A: "has 'single' and \"double\" #hash\nand a newline" };
		const out = renderTemplate(template, values);
		expect(Object.keys(parseDotenv(out))).toEqual(["B", "A"]);
		expect(parseDotenv(out)).toEqual(values);
	});
});

describe("templateVariables", () => {
	test("a flat mapping of shell variable names; numbers and booleans as text", () => {
		expect(templateVariables({ A: "x", PORT: 5432, DEBUG: false }, "t")).toEqual({
			A: "x",
			PORT: "5432",
			DEBUG: "false",
		});
	});

	test("invalid names are reported by position (they may be pasted values), nested values refused", () => {
		try {
			templateVariables({ "bad name=SECRET": "x", OK: { nested: true }, "9X": "y" }, "t");
			expect.unreachable();
		} catch (error) {
			const issues = (error as ValidationError).issues;
			expect(issues.map((i) => i.path)).toEqual(["[0]", "OK", "[2]"]);
			expect(JSON.stringify(issues)).not.toContain("SECRET");
		}
		expect(() => templateVariables(["A=1"], "t")).toThrow(/must be a mapping/);
	});
});
