// The database schema, one migration per version (see migrations.hpp).
#include "migrations.hpp"

#include <array>

namespace knot::server {
namespace {

constexpr std::string_view k_v1 = R"sql(
CREATE TABLE rooms (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    lease_seconds INTEGER NOT NULL DEFAULT 300
);
CREATE TABLE agents (
    room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    capabilities TEXT NOT NULL DEFAULT '[]',
    public_key BLOB NOT NULL,
    role TEXT NOT NULL,
    signed INTEGER NOT NULL DEFAULT 0,
    card_signature TEXT NOT NULL DEFAULT '',
    joined_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (room_id, id),
    UNIQUE (room_id, name)
);
CREATE TABLE nonces (
    public_key BLOB NOT NULL,
    nonce TEXT NOT NULL,
    ts INTEGER NOT NULL,
    PRIMARY KEY (public_key, nonce)
) WITHOUT ROWID;
CREATE INDEX nonces_ts ON nonces(ts);
CREATE TABLE events (
    room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    time INTEGER NOT NULL,
    data TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL,
    signed_string TEXT NOT NULL DEFAULT '',
    signature TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (room_id, seq)
);
)sql";

// Coordination: an agent's status, file locks with fencing tokens that outlive the lock, tasks.
constexpr std::string_view k_v2 = R"sql(
ALTER TABLE agents ADD COLUMN status TEXT NOT NULL DEFAULT '';
CREATE TABLE locks (
    room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    intent TEXT NOT NULL DEFAULT '',
    fencing INTEGER NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, path)
) WITHOUT ROWID;
CREATE INDEX locks_expiry ON locks(expires_at);
CREATE TABLE lock_fences (
    room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    last_fencing INTEGER NOT NULL,
    PRIMARY KEY (room_id, path)
) WITHOUT ROWID;
CREATE TABLE tasks (
    room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    title TEXT NOT NULL,
    goal TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    claimed_by TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, seq)
);
)sql";

// Forge mode: the forge a room's agents push to, as the last notification named it.
constexpr std::string_view k_v3 = R"sql(
ALTER TABLE rooms ADD COLUMN forge_url TEXT NOT NULL DEFAULT '';
)sql";

// The integration agent: one row per accepted push (its run through merge, checks and review),
// and each room's check settings (NULL checks: .knot/checks or detection).
constexpr std::string_view k_v4 = R"sql(
CREATE TABLE integration_runs (
  room_id TEXT NOT NULL,
  number INTEGER NOT NULL,
  agent_id TEXT NOT NULL,
  ref TEXT NOT NULL,
  commit_oid TEXT NOT NULL,
  status TEXT NOT NULL,
  base_oid TEXT NOT NULL DEFAULT '',
  candidate_oid TEXT NOT NULL DEFAULT '',
  summary TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '{}',
  queued_at INTEGER NOT NULL,
  started_at INTEGER NOT NULL DEFAULT 0,
  finished_at INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  undone_at INTEGER NOT NULL DEFAULT 0,
  undone_by TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (room_id, number)
);
CREATE INDEX integration_runs_status ON integration_runs(status);
ALTER TABLE rooms ADD COLUMN checks TEXT;
ALTER TABLE rooms ADD COLUMN check_time_limit INTEGER NOT NULL DEFAULT 600;
)sql";

// Identities, not names: every name an agent ever held stays bound to its key, so a rename
// frees no name for another key to take over refs/knot/<name>/ with. And the forge becomes the
// owner's setting: the URL the last member's notification named is not trusted, so it is cleared
// (git knot up, or git knot check --configure, sets it again).
constexpr std::string_view k_v5 = R"sql(
CREATE TABLE agent_names (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  first_used INTEGER NOT NULL,
  PRIMARY KEY (room_id, name)
) WITHOUT ROWID;
INSERT INTO agent_names (room_id, name, agent_id, first_used)
  SELECT room_id, name, id, joined_at FROM agents;
UPDATE rooms SET forge_url = '';
)sql";

// The room's base: the commit refs/knot/integration started at when its owner's `git knot up`
// created it (the forge's default branch), so undo can tell "back at the start" from "a ref no
// run made". '' for rooms without one.
constexpr std::string_view k_v6 = R"sql(
ALTER TABLE rooms ADD COLUMN base_oid TEXT NOT NULL DEFAULT '';
)sql";

// Review requests: one per integration run that a review mode gates, answered by the server's
// model, a webhook or a peer (claimed like a task, the claim lapsing when its peer goes away),
// and the room's review settings. A webhook's one-review credential is kept only as a SHA-256.
constexpr std::string_view k_v7 = R"sql(
CREATE TABLE reviews (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  run INTEGER NOT NULL,
  author_id TEXT NOT NULL,
  mode TEXT NOT NULL,
  base_oid TEXT NOT NULL,
  candidate_oid TEXT NOT NULL,
  intent TEXT NOT NULL DEFAULT '',
  diff_stat TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  deadline INTEGER NOT NULL,
  claimed_by TEXT NOT NULL DEFAULT '',
  claim_expires INTEGER NOT NULL DEFAULT 0,
  credential_sha256 TEXT NOT NULL DEFAULT '',
  verdict TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  reviewer TEXT NOT NULL DEFAULT '',
  verified INTEGER NOT NULL DEFAULT 0,
  statement TEXT NOT NULL DEFAULT '',
  signature TEXT NOT NULL DEFAULT '',
  answered_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (room_id, id)
) WITHOUT ROWID;
CREATE INDEX reviews_run ON reviews(room_id, run);
CREATE INDEX reviews_open ON reviews(state, deadline);
CREATE TABLE review_watchers (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  agent_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, agent_id)
) WITHOUT ROWID;
ALTER TABLE rooms ADD COLUMN review_mode TEXT NOT NULL DEFAULT 'auto';
ALTER TABLE rooms ADD COLUMN review_timeout INTEGER NOT NULL DEFAULT 300;
ALTER TABLE rooms ADD COLUMN review_model TEXT NOT NULL DEFAULT '';
)sql";

// The signed patch exchange: a patch's signed statement (its content pinned by the tip's oid, its
// objects under refs/knot/<author>/patches/<id>), each agent's standing verdict on it, and the
// run its merge queued (0 before).
constexpr std::string_view k_v8 = R"sql(
CREATE TABLE patches (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  author_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  base_oid TEXT NOT NULL,
  tip_oid TEXT NOT NULL,
  message TEXT NOT NULL,
  signed_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  statement TEXT NOT NULL,
  signature TEXT NOT NULL,
  run INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (room_id, id)
);
CREATE INDEX patches_author ON patches(room_id, author_id);
CREATE TABLE patch_verdicts (
  room_id TEXT NOT NULL,
  patch_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  verdict TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  time INTEGER NOT NULL,
  PRIMARY KEY (room_id, patch_id, agent_id),
  FOREIGN KEY (room_id, patch_id) REFERENCES patches(room_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
)sql";

// Spent nonces keyed by their signed time first: each insert lands at the end of one B-tree
// (not at a random leaf per request, which a batch of writes then had to write to the WAL and
// fsync), pruning is a range at its front, and a replay, which carries the same signed time,
// is found by the whole key. The ts index is no longer needed.
constexpr std::string_view k_v9 = R"sql(
CREATE TABLE spent_nonces (
  ts INTEGER NOT NULL,
  public_key BLOB NOT NULL,
  nonce TEXT NOT NULL,
  PRIMARY KEY (ts, public_key, nonce)
) WITHOUT ROWID;
INSERT INTO spent_nonces (ts, public_key, nonce) SELECT ts, public_key, nonce FROM nonces;
DROP TABLE nonces;
)sql";

// A task names the files it will touch (`git knot plan`), a JSON array of repository paths, so
// that a claim can warn of overlaps with others' locks and tasks. Tasks planned before have none.
constexpr std::string_view k_v10 = R"sql(
ALTER TABLE tasks ADD COLUMN files TEXT NOT NULL DEFAULT '[]';
)sql";

constexpr std::array<std::string_view, 10> k_migrations = {k_v1, k_v2, k_v3, k_v4, k_v5,
                                                           k_v6, k_v7, k_v8, k_v9, k_v10};

} // namespace

std::span<const std::string_view> migrations() {
    return k_migrations;
}

} // namespace knot::server
