/**
 * Loads the Secret Manager gRPC service definition from the protos that
 * `@google-cloud/secret-manager` ships (and google-gax's protos for its imports), resolved
 * from the installed packages at start time. The testkit never bundles a copy: the
 * emulator speaks exactly the protocol of the SDK version the project installed.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const SERVICE_PROTO = "google/cloud/secretmanager/v1/service.proto";
const SM_PACKAGE = "@google-cloud/secret-manager";

let cached: grpc.ServiceDefinition | undefined;

/** The directory of an installed package, looked up from the testkit first, then from the working directory. */
function packageDir(name: string, from: readonly string[]): string | undefined {
	for (const base of from) {
		try {
			const require = createRequire(base);
			// Some packages (google-gax) have an `exports` map without `./package.json`:
			// resolve the main entry and walk up to the folder whose package.json names it.
			let dir = path.dirname(require.resolve(name));
			for (;;) {
				const manifest = path.join(dir, "package.json");
				if (existsSync(manifest)) {
					const parsed = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string };
					if (parsed.name === name) return dir;
				}
				const parent = path.dirname(dir);
				if (parent === dir) break;
				dir = parent;
			}
		} catch {
			// Not resolvable from this base; try the next one.
		}
	}
	return undefined;
}

/**
 * The `SecretManagerService` definition. Throws an error saying what to install when
 * `@google-cloud/secret-manager` cannot be found.
 */
export function loadSecretManagerService(): grpc.ServiceDefinition {
	if (cached) return cached;
	const bases = [import.meta.url, path.join(process.cwd(), "package.json")];
	const smDir = packageDir(SM_PACKAGE, bases);
	if (!smDir) {
		throw new Error(
			`The GCP emulator needs \`${SM_PACKAGE}\` (its protos define the protocol). Add it to your devDependencies.`,
		);
	}
	const gaxDir = packageDir("google-gax", [path.join(smDir, "package.json"), ...bases]);
	if (!gaxDir) {
		throw new Error(
			`The GCP emulator could not find google-gax (a dependency of \`${SM_PACKAGE}\`).`,
		);
	}
	const definition = protoLoader.loadSync(SERVICE_PROTO, {
		keepCase: false,
		longs: String,
		enums: String,
		defaults: true,
		oneofs: true,
		includeDirs: [path.join(smDir, "build", "protos"), path.join(gaxDir, "build", "protos")],
	});
	const loaded = grpc.loadPackageDefinition(definition) as unknown as {
		google: {
			cloud: {
				secretmanager: { v1: { SecretManagerService: { service: grpc.ServiceDefinition } } };
			};
		};
	};
	cached = loaded.google.cloud.secretmanager.v1.SecretManagerService.service;
	return cached;
}
