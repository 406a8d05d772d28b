import type { FastifyRequest } from "fastify";
import { afterEach, describe, expect, it, vi } from "vitest";
import { generateToken, hashToken } from "../identity/tokens.js";
import { createCredentials, MAX_REMEMBER_MS, MAX_REMEMBERED, PRESENTED } from "./credentials.js";

/** A request as the credentials see it: headers and the declared (null) slot. */
function request(authorization?: string | string[]): FastifyRequest {
	return {
		headers: authorization === undefined ? {} : { authorization },
		[PRESENTED]: null,
	} as unknown as FastifyRequest;
}

afterEach(() => {
	vi.useRealTimers();
});

describe("credentials", () => {
	it("parse and digest a request's token once, and leave anything else without a digest", () => {
		const credentials = createCredentials(5000);
		const token = generateToken();
		const r = request(`Bearer ${token}`);
		const first = credentials.of(r);
		expect(first).toEqual({ token, hash: hashToken(token), remembered: false });
		expect(credentials.of(r)).toBe(first);
		expect(credentials.of(request())).toEqual({
			token: undefined,
			hash: undefined,
			remembered: false,
		});
		expect(credentials.of(request("Basic abc"))).toMatchObject({
			token: undefined,
			hash: undefined,
		});
		expect(credentials.of(request("Bearer not-a-token"))).toEqual({
			token: "not-a-token",
			hash: undefined,
			remembered: false,
		});
		expect(credentials.of(request([`Bearer ${token}`, `Bearer ${token}`]))).toMatchObject({
			hash: undefined,
		});
	});

	it("remember a header's digest only once its token authenticated", () => {
		const credentials = createCredentials(5000);
		const header = `Bearer ${generateToken()}`;
		// Presented but never authenticated (unknown, revoked...): not kept.
		credentials.of(request(header));
		expect(credentials.of(request(header)).remembered).toBe(false);
		const authenticated = request(header);
		const { hash } = credentials.of(authenticated);
		credentials.authenticated(authenticated);
		const next = credentials.of(request(header));
		expect(next).toMatchObject({ hash, remembered: true });
		// Another token is parsed afresh.
		expect(credentials.of(request(`Bearer ${generateToken()}`)).remembered).toBe(false);
	});

	it("forget a header after the authentication cache's TTL, capped, and keep nothing when that cache is off", () => {
		vi.useFakeTimers({ now: 1_000_000 });
		const header = `Bearer ${generateToken()}`;
		const remember = (credentials: ReturnType<typeof createCredentials>) => {
			const r = request(header);
			credentials.of(r);
			credentials.authenticated(r);
		};
		const short = createCredentials(1000);
		remember(short);
		vi.advanceTimersByTime(999);
		expect(short.of(request(header)).remembered).toBe(true);
		vi.advanceTimersByTime(1);
		expect(short.of(request(header)).remembered).toBe(false);

		const long = createCredentials(600_000);
		remember(long);
		vi.advanceTimersByTime(MAX_REMEMBER_MS - 1);
		expect(long.of(request(header)).remembered).toBe(true);
		vi.advanceTimersByTime(1);
		expect(long.of(request(header)).remembered).toBe(false);

		const off = createCredentials(0);
		remember(off);
		expect(off.of(request(header)).remembered).toBe(false);
	});

	it(`hold at most ${MAX_REMEMBERED} headers, the oldest forgotten first`, () => {
		const credentials = createCredentials(5000);
		const headers = Array.from({ length: MAX_REMEMBERED + 1 }, () => `Bearer ${generateToken()}`);
		for (const header of headers) {
			const r = request(header);
			credentials.of(r);
			credentials.authenticated(r);
		}
		expect(credentials.of(request(headers[0])).remembered).toBe(false);
		expect(credentials.of(request(headers[1])).remembered).toBe(true);
		expect(credentials.of(request(headers.at(-1))).remembered).toBe(true);
	});
});
