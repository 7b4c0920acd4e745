/** The arguments after `node` that start the web host in `outDir` (the build folder) with `args`. */
export declare function webHostArgs(outDir: string, args?: string[]): string[];
