export declare const root: string;
export declare const NO_BINARY_ADVICE: string;
export declare function electronBinary():
  { installed: true; executable: string } | { installed: false; reason: string };
