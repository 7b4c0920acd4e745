export declare const WEB_HOST_NODE_FLAGS: string[];
/** The arguments after `node` that start the web host in `outDir` (the build folder) with `args`. */
export declare function webHostArgs(outDir: string, args?: string[]): string[];
