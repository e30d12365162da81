/**
 * Retries of a guarded request (docs/connectors.md, "Retries"), shared by http_request and
 * llm_chat: a 429 or 5xx answer, or a connection that failed, is sent again up to `retries` times,
 * waiting what the server asked (`Retry-After` in seconds or as an HTTP date, or `retry-after-ms`),
 * else an exponential backoff with jitter; no wait is longer than MAX_RETRY_DELAY_MS. A canceled
 * run stops the wait at once. Each retry is reported through `log` with the origin only.
 */
import { guardedRequest, HttpRequestError, type GuardedRequest, type GuardedResponse } from "./http-guard";

/** Retries a connector may ask for. */
export const MAX_RETRIES = 5;
/** The first backoff wait; each retry doubles it (before jitter). */
export const RETRY_BASE_DELAY_MS = 500;
/** No wait between two attempts is longer: a server asking for more is not retried. */
export const MAX_RETRY_DELAY_MS = 30_000;

const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

export interface RetryOptions {
  /** Attempts after the first one, 0–MAX_RETRIES. */
  retries: number;
  /**
   * Whether sending the request twice is harmless: then a connection that broke after the request
   * may have reached the server is retried too (default: by method, GET HEAD OPTIONS PUT DELETE).
   * A connection that was never made is always retried.
   */
  idempotent?: boolean;
  /** One line per retry: what failed, which retry, how long the wait is. */
  log?: (message: string) => void;
  /** In [0, 1): the jitter's source (tests pass a fixed one). */
  random?: () => number;
}

/** The final response (whatever its status) and how many attempts it took. */
export interface RetriedResponse extends GuardedResponse {
  attempts: number;
}

/** Whether a status is worth sending again: 429 Too Many Requests and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * How long the server asked to wait, in ms, from `retry-after-ms` (OpenAI's), else `Retry-After`
 * as seconds or an HTTP date (`now` to measure it from); undefined when it said nothing usable.
 */
export function retryAfterMs(headers: Record<string, string>, now = Date.now()): number | undefined {
  const ms = headers["retry-after-ms"]?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  const value = headers["retry-after"]?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before retry `retry` (1-based): `asked` when the server said, else RETRY_BASE_DELAY_MS
 * doubled per retry, between half and all of it ("equal jitter"), capped at MAX_RETRY_DELAY_MS.
 */
export function retryDelayMs(retry: number, asked: number | undefined, random: () => number = Math.random): number {
  if (asked !== undefined) return Math.min(asked, MAX_RETRY_DELAY_MS);
  const full = Math.min(RETRY_BASE_DELAY_MS * 2 ** (retry - 1), MAX_RETRY_DELAY_MS);
  return Math.round(full / 2 + (full / 2) * random());
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

function sleep(ms: number, signal: AbortSignal | undefined, origin: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const canceled = () => new HttpRequestError("aborted", `the request to ${origin} was canceled`);
    if (signal?.aborted) return reject(canceled());
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(canceled());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function originOf(url: string | URL): string {
  try {
    return new URL(url).origin;
  } catch {
    return "an invalid URL";
  }
}

/**
 * Sends `request` through the SSRF guard, retrying as described above. Returns the last response,
 * also when it is still a 429 or 5xx after every retry, or when the server asked to wait longer
 * than MAX_RETRY_DELAY_MS (then it is not retried); throws the last HttpRequestError otherwise.
 */
export async function guardedRequestWithRetries(request: GuardedRequest, options: RetryOptions): Promise<RetriedResponse> {
  const retries = Math.max(0, Math.min(MAX_RETRIES, Math.floor(options.retries)));
  const idempotent = options.idempotent ?? IDEMPOTENT_METHODS.has(request.method.toUpperCase());
  const random = options.random ?? Math.random;
  const origin = originOf(request.url);
  for (let attempt = 1; ; attempt++) {
    const retry = attempt; // the retry that would follow this attempt
    let response: GuardedResponse;
    try {
      response = await guardedRequest(request);
    } catch (error) {
      const sendAgain =
        error instanceof HttpRequestError && error.code === "network_error" && (error.notSent === true || idempotent) && attempt <= retries;
      if (!sendAgain) throw error;
      const wait = retryDelayMs(retry, undefined, random);
      options.log?.(`${error.message}; retry ${retry} of ${retries} in ${seconds(wait)}`);
      await sleep(wait, request.signal, origin);
      continue;
    }
    if (!isRetryableStatus(response.status) || attempt > retries) return { ...response, attempts: attempt };
    const asked = retryAfterMs(response.headers);
    if (asked !== undefined && asked > MAX_RETRY_DELAY_MS) {
      options.log?.(`HTTP ${response.status} from ${origin} asked to wait ${seconds(asked)}, longer than the ${seconds(MAX_RETRY_DELAY_MS)} a retry waits at most; not retried`);
      return { ...response, attempts: attempt };
    }
    const wait = retryDelayMs(retry, asked, random);
    options.log?.(`HTTP ${response.status} from ${origin}; retry ${retry} of ${retries} in ${seconds(wait)}${asked !== undefined ? " (as Retry-After asked)" : ""}`);
    await sleep(wait, request.signal, origin);
  }
}
