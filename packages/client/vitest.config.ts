import { defineProject } from "vitest/config";

export default defineProject({
	resolve: { conditions: ["strongbox-source"] },
	ssr: { resolve: { conditions: ["strongbox-source"] } },
	test: { name: "client", include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});
