import { StoreConfigError } from "@strongbox/core";
import { describe, expect, it } from "vitest";
import { assertDriver, dialectOf, openDatabase, parseDatabaseUrl, redactUrl } from "./database.js";

describe("database URLs", () => {
	it("parses every supported form", () => {
		expect(parseDatabaseUrl("sqlite::memory:")).toEqual({
			dialect: "sqlite",
			filename: ":memory:",
		});
		expect(parseDatabaseUrl("sqlite:./data/s.db")).toEqual({
			dialect: "sqlite",
			filename: "./data/s.db",
		});
		expect(parseDatabaseUrl("sqlite:///var/lib/s.db")).toEqual({
			dialect: "sqlite",
			filename: "/var/lib/s.db",
		});
		expect(parseDatabaseUrl("/var/lib/s.db")).toEqual({
			dialect: "sqlite",
			filename: "/var/lib/s.db",
		});
		expect(parseDatabaseUrl("C:\\data\\s.db")).toEqual({
			dialect: "sqlite",
			filename: "C:\\data\\s.db",
		});
		expect(parseDatabaseUrl("postgres://u:p@h/db").dialect).toBe("postgres");
		expect(parseDatabaseUrl("postgresql://h/db").dialect).toBe("postgres");
		expect(parseDatabaseUrl("mysql://h/db").dialect).toBe("mysql");
		expect(parseDatabaseUrl("mariadb://h/db").dialect).toBe("mysql");
	});

	it("refuses unknown schemes and empty URLs with StoreConfigError", () => {
		expect(() => parseDatabaseUrl("mongodb://h/db")).toThrow(StoreConfigError);
		expect(() => parseDatabaseUrl("")).toThrow(StoreConfigError);
		expect(() => parseDatabaseUrl("sqlite:")).toThrow(StoreConfigError);
		expect(() => parseDatabaseUrl("x".repeat(5000))).toThrow(StoreConfigError);
	});

	it("never puts a password in a message", () => {
		expect(redactUrl("postgres://app:s3cr3t-pw@db.internal:5432/prod?sslmode=require")).toBe(
			"postgres://app:***@db.internal:5432/prod?sslmode=require",
		);
		expect(redactUrl("mysql://h/db?password=s3cr3t-pw")).not.toContain("s3cr3t-pw");
		expect(redactUrl("not a url s3cr3t-pw")).not.toContain("s3cr3t-pw");
		const error = (() => {
			try {
				parseDatabaseUrl("mysql://app:s3cr3t-pw@[bad/db");
			} catch (e) {
				return e as Error;
			}
		})();
		expect(error).toBeInstanceOf(StoreConfigError);
		expect(error!.message).not.toContain("s3cr3t-pw");
	});

	it("says which package to install when a driver is missing", () => {
		const missing = () => {
			throw new Error("Cannot find module");
		};
		expect(() => assertDriver("postgres", missing)).toThrow(/npm install pg/);
		expect(() => assertDriver("mysql", missing)).toThrow(/npm install mysql2/);
		expect(() => assertDriver("postgres")).not.toThrow();
	});

	it("opens SQLite in WAL mode with a busy timeout and foreign keys", async () => {
		const knex = openDatabase("sqlite::memory:");
		try {
			expect(dialectOf(knex)).toBe("sqlite");
			expect((await knex.raw("PRAGMA busy_timeout"))[0]).toEqual({ timeout: 5000 });
			expect((await knex.raw("PRAGMA foreign_keys"))[0]).toEqual({ foreign_keys: 1 });
		} finally {
			await knex.destroy();
		}
	});

	it("tells the dialect of a knex instance", async () => {
		const pg = openDatabase("postgres://u:p@127.0.0.1:1/db");
		const my = openDatabase("mysql://u:p@127.0.0.1:1/db");
		try {
			expect(dialectOf(pg)).toBe("postgres");
			expect(dialectOf(my)).toBe("mysql");
		} finally {
			await Promise.all([pg.destroy(), my.destroy()]);
		}
		expect(() => dialectOf({ client: { dialect: "mssql" } } as never)).toThrow(StoreConfigError);
		expect(() =>
			dialectOf({ client: { dialect: "sqlite3", driverName: "sqlite3" } } as never),
		).toThrow(/better-sqlite3/);
	});
});
