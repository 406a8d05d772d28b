import { defineProject } from "vitest/config";

// The real-Vault run (see README) needs the network guard to let Vault's address through.
const realVault = process.env.STRONGBOX_TEST_REAL_VAULT === "1";

export default defineProject({
	resolve: { conditions: ["strongbox-source"] },
	ssr: { resolve: { conditions: ["strongbox-source"] } },
	test: {
		name: "store-vault",
		include: ["src/**/*.test.ts", "test/**/*.test.ts"],
		// Installs the network guard (@strongbox/testkit/network-guard).
		setupFiles: ["./test/setup.ts"],
		env: realVault ? { STRONGBOX_TEST_ALLOW_NETWORK: "1" } : {},
	},
});
