/** Vault emulator (work in progress). */
export {};
