/** The running Weft version, from package.json. */
import pkg from "@/package.json";

export const WEFT_VERSION: string = pkg.version;
