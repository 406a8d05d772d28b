import { defineProject } from "vitest/config";

export default defineProject({
	resolve: { conditions: ["strongbox-source"] },
	ssr: { resolve: { conditions: ["strongbox-source"] } },
	test: {
		name: "cli",
		include: ["src/**/*.test.ts", "test/**/*.test.ts"],
		// The end-to-end suites spawn the real binary (~0.3 s a command on a busy machine).
		testTimeout: 60_000,
		hookTimeout: 60_000,
	},
});
