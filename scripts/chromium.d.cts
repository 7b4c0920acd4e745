export declare const CHROMIUM_ARGS: string[];
/** `tests: true` prefers Chromium's headless shell (see chromium.cjs). */
export declare function findChromium(options?: { tests?: boolean }): string;
