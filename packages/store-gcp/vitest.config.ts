import { defineProject } from "vitest/config";

// The real-service run (see README) needs the network guard to let Google's API through.
const realGcp = process.env.STRONGBOX_TEST_REAL_GCP === "1";

export default defineProject({
	resolve: { conditions: ["strongbox-source"] },
	ssr: { resolve: { conditions: ["strongbox-source"] } },
	test: {
		name: "store-gcp",
		include: ["src/**/*.test.ts", "test/**/*.test.ts"],
		// Installs the network guard (@strongbox/testkit/network-guard): loopback only, so the
		// SDK can never reach Google or probe the GCE metadata server by accident.
		setupFiles: ["./test/setup.ts"],
		env: realGcp ? { STRONGBOX_TEST_ALLOW_NETWORK: "1" } : {},
	},
});
