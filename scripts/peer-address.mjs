/**
 * Preloaded into the web process by `npm start` (scripts/start.ts, `node --import`): Next route
 * handlers never see the socket, so this writes the TCP peer's address into the
 * `x-weft-peer-address` header of every incoming request, replacing whatever a client sent, and
 * marks the process so lib/api/client-address.ts trusts that header (and only here).
 * Plain JavaScript so it loads before anything is compiled.
 */
import http from "node:http";

const HEADER = "x-weft-peer-address";
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
