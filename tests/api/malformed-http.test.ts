/**
 * Requests Node's HTTP parser refuses never reach the app; the web process preload that
 * `npm start` installs (scripts/peer-address.mjs) answers them in the API's JSON error shape
 * (issue 12, defect 8), and times out a request whose body never finishes. These tests run a
 * plain Node server under the same preload and speak raw HTTP/1.1 to it over a socket.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { connect } from "node:net";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const APP = `
  import http from "node:http";
  const s = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ received: body }));
    });
  });
  s.listen(0, "127.0.0.1", () => console.log(s.address().port));`;

let child: ChildProcess;
let port: number;

beforeAll(async () => {
  child = spawn(process.execPath, ["--import", pathToFileURL(resolve("scripts/peer-address.mjs")).href, "--input-type=module", "-e", APP], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, WEFT_HTTP_HEADERS_TIMEOUT_MS: "300", WEFT_HTTP_REQUEST_TIMEOUT_MS: "600" },
  });
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  port = Number(line.toString().trim());
});
afterAll(() => {
  child?.kill();
});

interface Answer {
  status: number;
  headers: string;
  body: string;
}

/** Writes `raw` to a fresh connection and collects everything until the server closes it. */
async function exchange(raw: string): Promise<string> {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  let text = "";
  socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
  socket.write(raw);
  await once(socket, "close");
  return text;
}

/** The HTTP/1.1 responses in `text`, in order (each has a Content-Length). */
function responses(text: string): Answer[] {
  const answers: Answer[] = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf("\r\n\r\n");
    const head = rest.slice(0, end);
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
    answers.push({ status: Number(head.split(" ")[1]), headers: head, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return answers;
}

/** Asserts one JSON error answer with `status` and `code`, whose connection is then closed. */
function expectJsonError(answer: Answer | undefined, status: number, code: string): void {
  expect(answer?.status).toBe(status);
  expect(answer?.headers).toMatch(/content-type: application\/json/i);
  expect(answer?.headers).toMatch(/connection: close/i);
  const body = JSON.parse(answer!.body) as { error: string; message: string };
  expect(body.error).toBe(code);
  expect(body.message.length).toBeGreaterThan(0);
}

describe("malformed HTTP gets the API's JSON error shape", () => {
  it("a query string over 16 KB is 431 headers_too_large", async () => {
    const answers = responses(await exchange(`GET /api/runs?q=${"x".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
    expect(answers).toHaveLength(1);
    expectJsonError(answers[0], 431, "headers_too_large");
  });

  it("a Content-Length that is not a number is 400 invalid_content_length", async () => {
    const answers = responses(await exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n{}"));
    expectJsonError(answers[0], 400, "invalid_content_length");
  });

  it("two different Content-Lengths are 400 invalid_content_length", async () => {
    const answers = responses(await exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 7\r\n\r\n{}"));
    expectJsonError(answers[0], 400, "invalid_content_length");
  });

  it("a body longer than its Content-Length: the bytes after the declared body are 400 malformed_request", async () => {
    // The extra bytes are parsed as a second request at once, before the first is answered; the
    // connection is then closed, so the JSON 400 is the one answer the client reads.
    const answers = responses(await exchange('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{"a":1} trailing'));
    expect(answers).toHaveLength(1);
    expectJsonError(answers[0], 400, "malformed_request");
  });

  it("a body shorter than its Content-Length (a body that never finishes) is 408 request_timeout and the connection is closed", async () => {
    const answers = responses(await exchange('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"never":'));
    expect(answers).toHaveLength(1);
    expectJsonError(answers[0], 408, "request_timeout");
  });

  it("a well-formed request on the same server is answered normally", async () => {
    const answers = responses(await exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"));
    expect(answers).toEqual([expect.objectContaining({ status: 200, body: JSON.stringify({ received: "{}" }) })]);
  });
});
