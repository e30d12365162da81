/** Types of scripts/build-server.mjs (plain JavaScript, so it runs before anything is compiled). */
export declare const SERVER_DIR: string;
export declare function buildServer(): Promise<void>;
export declare function buildServerIfStale(say?: (message: string) => void): Promise<boolean>;
