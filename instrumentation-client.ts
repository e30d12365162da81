/**
 * Runs in the browser before the app's own code (Next's instrumentation-client convention).
 *
 * The pages' CSP (middleware.ts) has no 'unsafe-eval'. Zod compiles fast object parsers with
 * `new Function` when it may, and its probe for that, though caught, is refused and reported as a
 * CSP violation the first time the editor parses anything. In the browser it parses without it.
 */
import { z } from "zod";

z.config({ jitless: true });
