import { defineProject } from "vitest/config";

export default defineProject({
	// In the Strongbox repository: test against the sources of @strongbox/* (no build needed).
	resolve: { conditions: ["strongbox-source"] },
	ssr: { resolve: { conditions: ["strongbox-source"] } },
	test: { name: "store-custom-template", include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});
