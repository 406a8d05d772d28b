/** Azure emulator (work in progress). */
export {};
