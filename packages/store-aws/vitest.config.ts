import { defineProject } from "vitest/config";

export default defineProject({
	resolve: { conditions: ["strongbox-source"] },
	ssr: { resolve: { conditions: ["strongbox-source"] } },
	test: {
		name: "store-aws",
		include: ["src/**/*.test.ts", "test/**/*.test.ts"],
		// Tests reach loopback only (the emulator); the real-service run sets STRONGBOX_TEST_ALLOW_NETWORK=1.
		setupFiles: ["./test/setup.ts"],
	},
});
