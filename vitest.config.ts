import { defineConfig } from "vitest/config";

// `pnpm vitest` at the root runs every package as one project each; `pnpm test`
// goes through turbo so that packages are built first.
export default defineConfig({
	test: {
		projects: ["packages/*"],
	},
});
