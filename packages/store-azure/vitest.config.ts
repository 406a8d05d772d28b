import { defineProject } from "vitest/config";

export default defineProject({
	resolve: { conditions: ["strongbox-source"] },
	ssr: { resolve: { conditions: ["strongbox-source"] } },
	test: {
		name: "store-azure",
		include: ["src/**/*.test.ts", "test/**/*.test.ts"],
		// Loads @strongbox/testkit/network-guard: no connection leaves loopback.
		setupFiles: ["./test/setup.ts"],
	},
});
