/**
 * Preloaded into the web process by `npm start` (scripts/start.ts, `node --import`): Next route
 * handlers never see the socket, so this writes the TCP peer's address into the
 * `x-weft-peer-address` header of every incoming request, replacing whatever a client sent, and
 * marks the process so lib/api/client-address.ts trusts that header (and only here).
 * It also gives the server tighter timeouts than Node's (60 s for headers, 5 min for a request):
 * a client gets WEFT_HTTP_HEADERS_TIMEOUT_MS (default 20 s) to send its headers and
 * WEFT_HTTP_REQUEST_TIMEOUT_MS (default 60 s) to send the whole request, body included, so a body
 * that never finishes does not hold a connection (Node answers 408 and closes it). Responses are
 * not limited by these (run streams and `?wait` stay open as long as they need).
 * Plain JavaScript so it loads before anything is compiled; lib/config.ts validates the variables.
 */
import http from "node:http";

const HEADER = "x-weft-peer-address";

/** A positive integer from the environment, else the default (lib/config.ts reports bad values). */
function milliseconds(name, fallback) {
  const value = Number(process.env[name]);
  return Number.isSafeInteger(value) && value > 0 ? value : fallback;
}

const requestTimeout = milliseconds("WEFT_HTTP_REQUEST_TIMEOUT_MS", 60_000);
// Node refuses a headers timeout longer than the request timeout.
const headersTimeout = Math.min(milliseconds("WEFT_HTTP_HEADERS_TIMEOUT_MS", 20_000), requestTimeout);
const createServer = http.createServer;

http.createServer = function createServerWithTimeouts(...args) {
  const options = typeof args[0] === "object" && args[0] !== null ? args.shift() : {};
  // Timeouts are enforced by a periodic sweep (Node's default: every 30 s); sweep often enough to keep them.
  const connectionsCheckingInterval = Math.max(100, Math.min(5_000, Math.floor(headersTimeout / 2)));
  return createServer.call(this, { headersTimeout, requestTimeout, connectionsCheckingInterval, ...options }, ...args);
};
const emit = http.Server.prototype.emit;

http.Server.prototype.emit = function emitWithPeerAddress(event, ...args) {
  if (event === "request") {
    const [request] = args;
    const address = request.socket?.remoteAddress;
    if (address) request.headers[HEADER] = address;
    else delete request.headers[HEADER];
  }
  return emit.call(this, event, ...args);
};

globalThis[Symbol.for("weft.peerAddressHook")] = true;
