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
 * Requests Node cannot parse never reach the app; `answerClientError` answers them in the API's
 * JSON error shape (`{ "error": "<code>", "message" }`) instead of Node's bare status line:
 * 431 `headers_too_large` (headers and URL over Node's 16 KB), 408 `request_timeout`,
 * 400 `invalid_content_length` (a bad, duplicated or conflicting Content-Length) and
 * 400 `malformed_request` (anything else, e.g. the bytes after a body shorter than declared).
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
  const server = createServer.call(this, { headersTimeout, requestTimeout, connectionsCheckingInterval, ...options }, ...args);
  server.on("clientError", answerClientError);
  return server;
};

/** The status, stable code and message for a request Node's parser refused, by its error code. */
function clientErrorAnswer(code) {
  if (code === "HPE_HEADER_OVERFLOW") return [431, "headers_too_large", "The request's headers (URL included) are over 16 KB."];
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return [408, "request_timeout", "The request was not received in time; send it again."];
  if (code === "HPE_INVALID_CONTENT_LENGTH" || code === "HPE_UNEXPECTED_CONTENT_LENGTH") {
    return [400, "invalid_content_length", "Content-Length is not a single number matching the body (or conflicts with Transfer-Encoding)."];
  }
  return [400, "malformed_request", "The request is not valid HTTP/1.1."];
}

/**
 * Node's `clientError` handler, with the API's JSON body. Like Node's default, it writes only when
 * no response has started on the connection, then closes it.
 */
function answerClientError(error, socket) {
  const started = socket._httpMessage?.headersSent;
  if (error.code === "ECONNRESET" || !socket.writable || started) {
    socket.destroy();
    return;
  }
  const [status, code, message] = clientErrorAnswer(error.code);
  const body = JSON.stringify({ error: code, message });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
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
