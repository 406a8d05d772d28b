/**
 * A seeded random source for test runs that must replay: fault plans, operation mixes,
 * generated filters. `Math.random` cannot be seeded, so a failing run could not be rerun.
 */

/**
 * mulberry32: a small, fast 32-bit PRNG. The same seed gives the same sequence of numbers
 * in [0, 1) on every platform, so print the seed with a randomised test and it replays.
 *
 * @example
 * const random = mulberry32(Number(process.env.STRONGBOX_TEST_SEED ?? 1));
 * const emulator = await startAwsEmulator({ random });
 */
export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
