import { describe, expect, it } from "vitest";
import { idFromName, ownedBy, requestToken, secretName, secretTags } from "./naming.js";

const ID = "0b6c1d36-6c4b-4b0e-9f5e-3c1f0f7d2a11";

describe("requestToken", () => {
	it("is a stable UUID-shaped token per (deployment, id, version)", () => {
		const token = requestToken("dep", ID, 1);
		expect(token).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(requestToken("dep", ID, 1)).toBe(token);
		expect(new Set([token, requestToken("dep", ID, 2), requestToken("other", ID, 1)]).size).toBe(3);
		// AWS takes tokens of 32–64 characters.
		expect(token.length).toBe(36);
	});
});

describe("names and tags", () => {
	it("maps ids to names and back, refusing names that are not <prefix><uuid>", () => {
		expect(secretName("strongbox/", ID)).toBe(`strongbox/${ID}`);
		expect(idFromName("strongbox/", `strongbox/${ID}`)).toBe(ID);
		expect(idFromName("strongbox/", `other/${ID}`)).toBeUndefined();
		expect(idFromName("strongbox/", "strongbox/not-a-uuid")).toBeUndefined();
		expect(idFromName("", ID)).toBe(ID);
		expect(idFromName("strongbox/", undefined)).toBeUndefined();
	});

	it("tags ownership first and matches the deployment tag exactly", () => {
		const tags = secretTags("dep", ID, { team: "a" });
		expect(tags).toEqual([
			{ Key: "strongbox:deployment", Value: "dep" },
			{ Key: "strongbox:secret-id", Value: ID },
			{ Key: "team", Value: "a" },
		]);
		expect(ownedBy(tags, "dep")).toBe(true);
		expect(ownedBy(tags, "de")).toBe(false);
		expect(
			ownedBy(
				[
					{ Key: "x", Value: "dep" },
					{ Key: "strongbox:deployment", Value: "other" },
				],
				"dep",
			),
		).toBe(false);
		expect(ownedBy(undefined, "dep")).toBe(false);
	});
});
