/** Gcp emulator (work in progress). */
export {};
