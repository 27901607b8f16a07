// knot's MCP server driven by the official MCP TypeScript SDK as a client: run by
// tests/e2e/mcp_test.cpp as `node client_test.mjs <clone A> <clone B> [<url>]` from the build's
// tests/mcp folder (where quickstart.sh installed the pinned SDK): over stdio (`git knot mcp
// --stdio` in A), or over Streamable HTTP at <url> (`git knot mcp --port` running in A). A and B have joined one room;
// B holds a lock on src/held.c. Every check that fails throws: the exit status is not 0 and the
// message says which.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  LoggingMessageNotificationSchema, McpError, ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import Ajv2020 from "ajv/dist/2020.js";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [cloneA, cloneB, url] = process.argv.slice(2);
assert.ok(cloneA && cloneB, "usage: node client_test.mjs <clone A> <clone B> [<url>]");

const expectedTools = [
  "knot_status", "knot_whoami", "knot_locks", "knot_lock", "knot_unlock", "knot_tasks",
  "knot_plan", "knot_claim", "knot_done", "knot_release", "knot_doing", "knot_say",
  "knot_events", "knot_sync", "knot_check", "knot_undo", "knot_reviews", "knot_review_verdict",
  "knot_patches", "knot_share", "knot_submit", "knot_patch_verdict", "knot_apply", "knot_merge",
];

const transport = url
  ? new StreamableHTTPClientTransport(new URL(url))
  : new StdioClientTransport({
    command: "git", args: ["knot", "mcp", "--stdio"], cwd: cloneA, env: process.env,
    stderr: "inherit",
  });
const client = new Client({ name: "knot-mcp-test", version: "1.0.0" });
await client.connect(transport);

// initialize: the newest protocol, the instructions, the capabilities.
assert.equal(client.getServerVersion().name, "knot");
const instructions = client.getInstructions();
assert.ok(instructions.length > 512, "the instructions say more than their first 512 characters");
assert.match(instructions.slice(0, 512), /knot_lock/);
assert.ok(client.getServerCapabilities().tools, "tools are a capability");
assert.ok(client.getServerCapabilities().resources, "resources are a capability");
console.log("initialize: ok");

// tools/list: every tool, each schema valid JSON Schema 2020-12, annotations present.
const { tools } = await client.listTools();
assert.deepEqual(tools.map((t) => t.name).sort(), [...expectedTools].sort());
const ajv = new Ajv2020({ strict: true });
for (const tool of tools) {
  ajv.compile(tool.inputSchema);
  ajv.compile(tool.outputSchema);
  assert.ok(tool.description.length > 40, `${tool.name} is described`);
  assert.equal(typeof tool.annotations.readOnlyHint, "boolean", `${tool.name} annotated`);
  assert.equal(typeof tool.annotations.destructiveHint, "boolean");
  assert.equal(typeof tool.annotations.idempotentHint, "boolean");
}
console.log(`tools/list: ${tools.length} tools, schemas valid`);

// Calls: the SDK checks each structuredContent against the tool's outputSchema.
const call = async (name, args = {}) => {
  const result = await client.callTool({ name, arguments: args });
  if (!result.isError) {
    assert.deepEqual(JSON.parse(result.content[0].text), result.structuredContent,
      `${name}: the text is the structured content`);
  }
  return result;
};
const ok = async (name, args = {}) => {
  const result = await call(name, args);
  assert.ok(!result.isError, `${name} failed: ${result.content?.[0]?.text}`);
  return result.structuredContent;
};

const me = await ok("knot_whoami");
assert.match(me.agent, /^ag_[0-9a-f]{16}$/);
const status = await ok("knot_status");
assert.equal(status.room, me.room);
assert.ok(status.agents.length >= 3, "the host, A and B are members");

const locked = await ok("knot_lock", { paths: ["src/mine.c"], intent: "parser" });
assert.deepEqual(locked.locks.map((l) => [l.path, l.agent, l.intent]),
  [["src/mine.c", me.agent, "parser"]]);
const mine = await ok("knot_locks", { mine: true });
assert.deepEqual(mine.locks.map((l) => l.path), ["src/mine.c"]);

// A lock another agent holds: a tool result with isError that names the holder.
const conflict = await call("knot_lock", { paths: ["src/held.c"] });
assert.equal(conflict.isError, true);
assert.match(conflict.content[0].text, /src\/held\.c is locked by coder-2/);
assert.match(conflict.content[0].text, /intent "held by B"/);
console.log("locks: granted, listed, a conflict names its holder");

const doing = await ok("knot_doing", { status: "fixing the lexer", files: ["src/lex.c"] });
assert.equal(doing.status, "fixing the lexer");
const planned = await ok("knot_plan", { titles: ["write the lexer", "test it"], goal: "lexer" });
assert.equal(planned.tasks.length, 2);
const [first, second] = planned.tasks;
const claimed = await ok("knot_claim", { id: first.id });
assert.equal(claimed.task.claimed_by, me.agent);
assert.equal((await ok("knot_release", { id: first.id })).task.status, "open");
await ok("knot_claim", { id: first.id });
assert.equal((await ok("knot_done", { id: first.id })).task.status, "done");
const open = await ok("knot_tasks");
assert.deepEqual(open.tasks.map((t) => t.id), [second.id]);
assert.equal((await ok("knot_tasks", { all: true })).tasks.length, 2);

// A task another agent took: refused as a tool result.
execFileSync("git", ["knot", "claim", second.id, "--no-worktree"], { cwd: cloneB });
const taken = await call("knot_claim", { id: second.id });
assert.equal(taken.isError, true);
assert.match(taken.content[0].text, /claimed/);
const [withFiles] = (await ok("knot_plan", { titles: ["touch the lexer"], files: ["src/lex.c"] }))
  .tasks;
assert.deepEqual(withFiles.files, ["src/lex.c"]);
const [third] = (await ok("knot_plan", { titles: ["in a worktree"] })).tasks;
const inWorktree = await ok("knot_claim", { id: third.id, worktree: true });
assert.equal(inWorktree.task.claimed_by, me.agent);
assert.equal(inWorktree.branch, `knot/${third.id}`);
assert.ok(existsSync(inWorktree.worktree), "the worktree exists");
console.log("tasks: planned, claimed (with a worktree too), released, done; a taken one refused");

const said = await ok("knot_say", { text: "hello from MCP" });
const chat = await ok("knot_events", { since: said.event.seq - 1, chat_only: true });
assert.deepEqual(chat.events.map((e) => e.data.text), ["hello from MCP"]);
const unlocked = await ok("knot_unlock", { paths: ["src/mine.c", "src/lex.c"] });
assert.deepEqual(unlocked.released, ["src/lex.c", "src/mine.c"]);
const synced = await ok("knot_sync");
assert.equal(synced.server, "reachable");
const checked = await ok("knot_check");
assert.equal(checked.checks.verdict, "pass", "no checks configured: nothing to fail");
const history = await ok("knot_check", { history: true, count: 5 });
assert.ok(typeof history === "object");
const runLog = await call("knot_check", { log: 1 });
assert.equal(typeof runLog.content[0].text, "string", "a run's log, or why there is none");
const undo = await call("knot_undo");
assert.equal(undo.isError, true, "nothing was integrated: undo is refused as a result");
console.log("chat, log, unlock, sync, check, check history, undo refused: ok");

// Reviews and signed patches: share the staged change as a draft, read it back, apply it to a
// work tree without it (its signature checked first); refusals are tool results.
mkdirSync(join(cloneA, "src"), { recursive: true });
writeFileSync(join(cloneA, "src", "patched.c"), "int patched;\n");
execFileSync("git", ["add", "src/patched.c"], { cwd: cloneA });
const shared = await ok("knot_share", { message: "try this", staged: true });
assert.match(shared.patch.id, /^p[0-9a-f]{10}$/);
assert.equal(shared.patch.kind, "draft");
const patches = await ok("knot_patches");
assert.ok(patches.patches.some((p) => p.id === shared.patch.id), "the draft is listed");
assert.equal((await ok("knot_patches", { id: shared.patch.id })).patch.author, me.agent);
execFileSync("git", ["rm", "-q", "--cached", "src/patched.c"], { cwd: cloneA });
rmSync(join(cloneA, "src", "patched.c"));
const applied = await ok("knot_apply", { id: shared.patch.id });
assert.deepEqual([applied.verified, applied.outcome], [true, "clean"]);
assert.ok(existsSync(join(cloneA, "src", "patched.c")), "the patch is in the work tree");
const ownApproval = await call("knot_patch_verdict", { id: shared.patch.id, verdict: "approve" });
assert.equal(ownApproval.isError, true, "a draft, and one's own: refused as a result");
assert.equal((await call("knot_merge", { id: shared.patch.id })).isError, true);
assert.ok(Array.isArray((await ok("knot_reviews")).reviews));
const noReview = await call("knot_review_verdict", { id: "rev_0123456789abcdef", verdict: "PASS" });
assert.equal(noReview.isError, true);
assert.match(noReview.content[0].text, /review/);
console.log("reviews and patches: share, list, read, apply verified; refusals as results");

// Bad arguments: JSON-RPC invalid params (-32602), never a tool result.
for (const [name, args] of [["knot_lock", { paths: [] }], ["knot_lock", { paths: ["../x"] }],
  ["knot_claim", { id: "nine" }], ["knot_say", { text: "x", extra: 1 }],
  ["knot_events", { since: -1 }], ["knot_review_verdict", { id: "../agents", verdict: "PASS" }],
  ["knot_patches", { id: "p0123456789/x" }], ["knot_apply", { id: "zz" }],
  ["knot_plan", { titles: ["a", "b"], files: ["src/lex.c"] }], ["no_such_tool", {}]]) {
  await assert.rejects(client.callTool({ name, arguments: args }),
    (e) => e instanceof McpError && e.code === -32602, `${name} ${JSON.stringify(args)}`);
}
console.log("bad arguments: -32602");

// Resources: listed and read.
const { resources } = await client.listResources();
assert.deepEqual(resources.map((r) => r.uri).sort(),
  ["knot://events", "knot://integration", "knot://locks", "knot://room", "knot://tasks"]);
for (const resource of resources) {
  const { contents } = await client.readResource({ uri: resource.uri });
  assert.equal(contents[0].mimeType, "application/json");
  JSON.parse(contents[0].text);
}
const lockState = JSON.parse((await client.readResource({ uri: "knot://locks" })).contents[0].text);
assert.deepEqual(lockState.locks.map((l) => l.path), ["src/held.c"]);
await assert.rejects(client.readResource({ uri: "knot://nothing" }),
  (e) => e instanceof McpError && e.code === -32002);
console.log("resources: listed and read");

// Subscriptions: another agent takes a lock through the CLI; the update and the event's log
// message arrive without polling.
const waitFor = (what, predicate) => new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`no ${what} within 10 s`)), 10000);
  waiters.push((message) => {
    if (!predicate(message)) return false;
    clearTimeout(timer);
    resolve(message);
    return true;
  });
});
const waiters = [];
const notify = (message) => {
  for (let i = 0; i < waiters.length; i++)
    if (waiters[i](message)) { waiters.splice(i, 1); return; }
};
client.setNotificationHandler(ResourceUpdatedNotificationSchema, notify);
client.setNotificationHandler(LoggingMessageNotificationSchema, notify);
await client.setLoggingLevel("info");
await client.subscribeResource({ uri: "knot://locks" });
await assert.rejects(client.subscribeResource({ uri: "knot://nothing" }),
  (e) => e instanceof McpError && e.code === -32002);
const updated = waitFor("knot://locks update",
  (m) => m.method === "notifications/resources/updated" && m.params.uri === "knot://locks");
const logged = waitFor("lock.acquired log message",
  (m) => m.method === "notifications/message" && m.params.data?.type === "lock.acquired" &&
    m.params.data.data?.paths?.includes("src/late.c"));
execFileSync("git", ["knot", "lock", "src/late.c"], { cwd: cloneB });
await updated;
assert.equal((await logged).params.level, "info");
await client.unsubscribeResource({ uri: "knot://locks" });
console.log("subscriptions: updates and log messages arrive");

if (url) await transport.terminateSession(); // DELETE: the session ends on the server too
await client.close();
console.log("all ok");
