/** Aws emulator (work in progress). */
export {};
