/** Types of scripts/fingerprint.mjs (plain JavaScript, so it runs before anything is compiled). */
export declare function fingerprintFiles(root: string, inputs: readonly string[]): string;
