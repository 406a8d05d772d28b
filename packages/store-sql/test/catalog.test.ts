import { memoryCatalog } from "@strongbox/core";
import { afterAll, beforeAll, describe } from "vitest";
import { createSqlCatalog, type SqlCatalog } from "../src/catalog.js";
import { catalogContract } from "./catalog-contract.js";
import { type DatabaseFixture, openFixture, testDatabases } from "./databases.js";

describe("memoryCatalog (reference for the contract tests)", () => {
	const catalog = memoryCatalog();
	catalogContract(() => catalog);
});

describe.each(testDatabases())("SQL catalog on $name", (db) => {
	let fixture: DatabaseFixture;
	let catalog: SqlCatalog;
	beforeAll(async () => {
		fixture = await openFixture(db);
		catalog = createSqlCatalog({ knex: fixture.knex, tablePrefix: fixture.prefix });
		await catalog.init();
	});
	afterAll(async () => {
		await catalog?.close();
		await fixture?.cleanup();
	});
	catalogContract(() => catalog);
});
