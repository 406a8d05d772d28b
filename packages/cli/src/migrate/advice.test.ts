import { describe, expect, test } from "vitest";
import { type AdviceInput, adviceText, maskOptions, nextConfig } from "./advice.js";

describe("maskOptions", () => {
	test("declared and credential-like options, and URL credentials, are masked", () => {
		expect(
			maskOptions(
				{
					region: "eu-west-1",
					credentials: { accessKeyId: "A", secretAccessKey: "S" },
					token: "t",
					url: "postgres://user:pw@db/app",
					endpoint: "http://127.0.0.1:4566",
					custom: "c",
				},
				["custom"],
			),
		).toEqual({
			region: "eu-west-1",
			credentials: "********",
			token: "********",
			url: "postgres://********:********@db/app",
			endpoint: "http://127.0.0.1:4566",
			custom: "********",
		});
	});
});

describe("nextConfig", () => {
	const base: AdviceInput = {
		store: { type: "sql", options: {} },
		secondaryStores: [{ type: "vault", options: { token: "x" } }],
		target: { type: "aws", options: { region: "eu-west-1" } },
		from: "sql",
		sourceStillUsed: false,
		deletedSource: false,
		secretOptions: () => [],
	};

	test("the target becomes the store; the source stays until its copies are deleted", () => {
		expect(nextConfig(base)).toEqual({
			store: { type: "aws", options: { region: "eu-west-1" } },
			secondaryStores: [
				{ type: "sql", options: {} },
				{ type: "vault", options: { token: "********" } },
			],
		});
		expect(nextConfig({ ...base, deletedSource: true }).secondaryStores).toEqual([
			{ type: "vault", options: { token: "********" } },
		]);
		// Secrets left on the source (a filtered run) keep it configured.
		expect(
			nextConfig({ ...base, deletedSource: true, sourceStillUsed: true }).secondaryStores,
		).toHaveLength(2);
	});

	test("the text says what to set and how to delete the copies", () => {
		const text = adviceText(base, nextConfig(base));
		expect(text).toContain('"store": {"type":"aws","options":{"region":"eu-west-1"}},');
		expect(text).toContain("strongbox migrate --to aws --from sql --delete-source");
		const done = { ...base, store: base.target, secondaryStores: [], deletedSource: true };
		expect(adviceText(done, nextConfig(done))).toContain(
			"Your configuration already matches: nothing to change.",
		);
	});
});
