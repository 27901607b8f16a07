// The Streamable HTTP session rules of `git knot mcp --port`, with plain fetch: run by
// tests/e2e/mcp_test.cpp as `node http_rules_test.mjs <url>`. Every check that fails throws.
import assert from "node:assert/strict";
import net from "node:net";

const url = process.argv[2];
assert.ok(url, "usage: node http_rules_test.mjs <url>");
const json = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };
const post = (body, headers = {}) =>
  fetch(url, { method: "POST", headers: { ...json, ...headers }, body: JSON.stringify(body) });
const initialize = {
  jsonrpc: "2.0", id: 1, method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "r", version: "1" } },
};
const ping = { jsonrpc: "2.0", id: 2, method: "ping" };

// initialize issues a session id; a request without one is 400, with an unknown one 404.
const opened = await post(initialize);
assert.equal(opened.status, 200);
const session = opened.headers.get("mcp-session-id");
assert.match(session, /^[0-9a-f]{32}$/);
assert.equal((await opened.json()).result.protocolVersion, "2025-11-25");
const headers = { "MCP-Session-Id": session, "MCP-Protocol-Version": "2025-11-25" };
assert.equal((await post(ping)).status, 400);
assert.equal((await post(ping, { "MCP-Session-Id": "0".repeat(32) })).status, 404);
const pong = await post(ping, headers);
assert.equal(pong.status, 200);
assert.deepEqual(await pong.json(), { jsonrpc: "2.0", id: 2, result: {} });
// A notification is accepted with no body.
const accepted = await post({ jsonrpc: "2.0", method: "notifications/initialized" }, headers);
assert.equal(accepted.status, 202);
console.log("sessions: issued, required, unknown refused");

// A protocol version this server does not speak, a foreign Origin, a forged Host.
assert.equal((await post(ping, { ...headers, "MCP-Protocol-Version": "2024-01-01" })).status, 400);
const foreign = await post(ping, { ...headers, Origin: "https://evil.example" });
assert.equal(foreign.status, 403);
assert.equal((await foreign.json()).error.code, -32600);
assert.equal((await post(ping, { ...headers, Origin: "http://localhost:3000" })).status, 200);
// Raw requests fetch would not send: two Host headers, Content-Length with chunked encoding.
const raw = (text) => new Promise((resolve, reject) => {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname, () => socket.end(text));
  let answer = "";
  socket.on("data", (data) => { answer += data; });
  socket.on("end", () => resolve(answer));
  socket.on("error", reject);
});
const body = JSON.stringify(ping);
const twoHosts = await raw(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n` +
  `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
assert.match(twoHosts, /^HTTP\/1\.1 400 /);
const smuggled = await raw(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n` +
  `Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`);
assert.match(smuggled, /^HTTP\/1\.1 400 /);
console.log("origin, host and protocol version checked");

// Malformed JSON, a batch, a body over 4 MiB: refused, and the session still answers.
const bad = await fetch(url, { method: "POST", headers: { ...json, ...headers }, body: "{oops" });
assert.equal(bad.status, 400);
assert.equal((await bad.json()).error.code, -32700);
assert.equal((await post([ping], headers)).status, 400);
const huge = await post({ ...ping, params: { x: "x".repeat(5 << 20) } }, headers);
assert.equal(huge.status, 413);
assert.equal((await post({ jsonrpc: "2.0", id: 3, method: "nope" }, headers)).status, 200);
assert.equal((await post(ping, headers)).status, 200);
console.log("malformed, batch and oversized messages refused; the session goes on");

// Methods other than POST, GET and DELETE; another path.
assert.equal((await fetch(url, { method: "PUT", headers })).status, 405);
assert.equal((await fetch(new URL("/other", url), { method: "POST", headers: json,
  body: JSON.stringify(ping) })).status, 404);

// DELETE ends the session: after it, its id is unknown.
assert.equal((await fetch(url, { method: "DELETE", headers })).status, 200);
assert.equal((await post(ping, headers)).status, 404);
console.log("all ok");
