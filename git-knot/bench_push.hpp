// `git knot bench`'s pushes: small commits, one file each, sent as git-remote-knot sends them in
// hosted mode (a signed POST of a pack to the room's git endpoint), built in a scratch repository.
#pragma once

#include <filesystem>
#include <string>

namespace knot {

class RoomClient;
struct SimulatedAgent;

// A bare repository in a temporary directory, removed with it, holding a root commit that every
// agent's commits descend from (so the room's integration merges them without conflicts: each
// agent changes only a file of its own). Throws knot::Error when git fails.
class BenchPushRepo {
public:
    BenchPushRepo();
    ~BenchPushRepo();
    BenchPushRepo(const BenchPushRepo&) = delete;
    BenchPushRepo& operator=(const BenchPushRepo&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    const std::string& root() const { return m_root; }

private:
    std::filesystem::path m_path;
    std::string m_root;
};

// One push, ready to send: the ref update and its pack.
struct BenchPush {
    std::string ref;
    std::string old_oid;
    std::string new_oid;
    std::string pack;
};

// One agent's pushes to refs/knot/<agent>/bench, each a commit on the one before that changes
// the agent's own file.
class BenchPusher {
public:
    BenchPusher(const BenchPushRepo& repo, const SimulatedAgent& agent);

    // Makes the next commit and its pack (git's work, which the run does not time): the whole
    // history for the first push, else only the new commit's objects. Throws knot::Error.
    BenchPush prepare(const std::string& text);
    // Sends `push` as a signed receive on `client`'s connection; throws knot::HttpError with the
    // server's words when it is refused. On success the ref is at push.new_oid.
    void send(RoomClient& client, const BenchPush& push);

private:
    const BenchPushRepo& m_repo;
    const SimulatedAgent& m_agent;
    std::string m_tip;  // what the server's ref points at: "" before the first push
    std::string m_last; // the last commit made, pushed or not
};

} // namespace knot
