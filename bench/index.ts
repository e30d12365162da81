/** Runs every benchmark (`npm run bench`); each prints its own figures. */
import { benchEngine } from "./engine";

await benchEngine();
