/**
 * CRC32C (Castagnoli), sent as `SecretPayload.dataCrc32c` so that Secret Manager rejects
 * a payload damaged on the way, and checked on every read. (The testkit emulator has its
 * own copy: a store never depends on the testkit at run time.)
 */

const TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		// 0x82F63B78 is the bit-reversed Castagnoli polynomial 0x1EDC6F41.
		for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

/** The CRC32C of `data` as an unsigned 32-bit integer. */
export function crc32c(data: Uint8Array): number {
	let crc = 0xffffffff;
	for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}
