import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { LIMITS, PayloadTooLargeError, ValidationError } from "@strongbox/core";
import { beforeAll, describe, expect, test } from "vitest";
import { UsageError } from "./errors.js";
import type { Io } from "./io.js";
import { collectValues, splitArgs } from "./values.js";

let dir: string;
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), "strongbox-values-"));
	await writeFile(join(dir, "password.txt"), "p@ss\nword\n");
	await writeFile(join(dir, "big.txt"), "x".repeat(LIMITS.maxValueBytes + 1));
	await writeFile(join(dir, "binary.bin"), Buffer.from([0xff, 0xfe, 0x00, 0x80]));
	await writeFile(join(dir, "values.yaml"), "user: app\nport: 5432\n");
});

function io(stdin = ""): Io {
	return {
		stdin: Readable.from([Buffer.from(stdin)]) as Io["stdin"],
		stdout: { write: () => true },
		stderr: { write: () => true },
		env: {},
		cwd: dir,
	};
}

describe("splitArgs", () => {
	test("name, --KEY=VALUE and KEY=VALUE in any order", () => {
		expect(splitArgs(["--a=1", "db", "b=2=3", "--c="], 1)).toEqual({
			positionals: ["db"],
			pairs: [
				{ key: "a", raw: "1" },
				{ key: "b", raw: "2=3" },
				{ key: "c", raw: "" },
			],
		});
	});

	test("an unknown option without = and an extra argument are usage errors that echo no value", () => {
		expect(() => splitArgs(["db", "--password"], 1)).toThrow(
			/Unknown option --password\. To set a key, write --KEY=VALUE/,
		);
		expect(() => splitArgs(["db", "CANARY-extra"], 1)).toThrow(UsageError);
		try {
			splitArgs(["db", "CANARY-extra"], 1);
		} catch (error) {
			expect((error as Error).message).not.toContain("CANARY");
		}
		expect(() => splitArgs(["db", "-x"], 1)).toThrow(/Unknown option -x/);
		try {
			splitArgs(["db", "--CANARY value!"], 1);
		} catch (error) {
			expect((error as Error).message).not.toContain("CANARY");
		}
	});
});

describe("collectValues", () => {
	test("@file, @-, @@ and plain values", async () => {
		const { values, given } = await collectValues(
			{
				pairs: [
					{ key: "password", raw: "@password.txt" },
					{ key: "token", raw: "@-" },
					{ key: "at", raw: "@@literal" },
					{ key: "plain", raw: "x" },
				],
			},
			io("from-stdin"),
		);
		expect(given).toBe(true);
		expect(values).toEqual({
			password: "p@ss\nword\n",
			token: "from-stdin",
			at: "@literal",
			plain: "x",
		});
	});

	test("--values from a YAML file merges with pairs; duplicates are refused", async () => {
		const { values } = await collectValues(
			{ pairs: [{ key: "extra", raw: "1" }], valuesOption: "@values.yaml" },
			io(),
		);
		expect(values).toEqual({ user: "app", port: "5432", extra: "1" });
		await expect(
			collectValues({ pairs: [{ key: "user", raw: "x" }], valuesOption: "@values.yaml" }, io()),
		).rejects.toThrow(/Key `user` is given more than once/);
	});

	test("--values inline JSON and YAML; null removes only in updates", async () => {
		expect(
			(await collectValues({ pairs: [], valuesOption: '{"a": "1", "b": 2}' }, io())).values,
		).toEqual({ a: "1", b: "2" });
		expect((await collectValues({ pairs: [], valuesOption: "a: 1\nb: two" }, io())).values).toEqual(
			{ a: "1", b: "two" },
		);
		await expect(collectValues({ pairs: [], valuesOption: '{"a": null}' }, io())).rejects.toThrow(
			ValidationError,
		);
		expect(
			(await collectValues({ pairs: [], valuesOption: '{"a": null}', update: true }, io())).values,
		).toEqual({ a: null });
	});

	test("--remove-key becomes null and cannot be combined with setting the same key", async () => {
		expect(
			(
				await collectValues(
					{ pairs: [{ key: "a", raw: "1" }], removeKeys: ["b"], update: true },
					io(),
				)
			).values,
		).toEqual({
			a: "1",
			b: null,
		});
		await expect(
			collectValues({ pairs: [{ key: "a", raw: "1" }], removeKeys: ["a"], update: true }, io()),
		).rejects.toThrow(/both set and removed/);
	});

	test("limits and typed errors", async () => {
		await expect(
			collectValues({ pairs: [{ key: "k", raw: "@big.txt" }] }, io()),
		).rejects.toBeInstanceOf(PayloadTooLargeError);
		await expect(
			collectValues(
				{ pairs: [{ key: "k", raw: "@-" }] },
				io("y".repeat(LIMITS.maxValueBytes + 10)),
			),
		).rejects.toBeInstanceOf(PayloadTooLargeError);
		await expect(
			collectValues({ pairs: [{ key: "k", raw: "@binary.bin" }] }, io()),
		).rejects.toThrow(/not UTF-8 text/);
		await expect(
			collectValues({ pairs: [{ key: "k", raw: "@missing.txt" }] }, io()),
		).rejects.toThrow("Cannot read file `missing.txt`: no such file.");
		await expect(collectValues({ pairs: [{ key: "k", raw: "@" }] }, io())).rejects.toThrow(
			/without a file name/,
		);
		await expect(
			collectValues(
				{
					pairs: [
						{ key: "a", raw: "@-" },
						{ key: "b", raw: "@-" },
					],
				},
				io("x"),
			),
		).rejects.toThrow(/only once/);
		await expect(
			collectValues({ pairs: [{ key: "bad.key", raw: "1" }] }, io()),
		).rejects.toBeInstanceOf(ValidationError);
		await expect(collectValues({ pairs: [], interactive: true }, io())).rejects.toThrow(
			/-i needs an interactive terminal/,
		);
	});
});
