// `git knot bench`'s pushes (see bench_push.hpp).
#include "git-knot/bench_push.hpp"

#include "libknot/base/error.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/client/simulated_agents.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/protocol.hpp"

#include <cstdlib>

namespace knot {
namespace {

const std::string k_zero_oid(40, '0');

// Runs git in `repo` with `input`, returning its output without the final line end.
std::string git_with_input(const std::filesystem::path& repo, const std::vector<std::string>& args,
                           const std::string& input) {
    std::string out;
    const GitResult result = run_git_piped(
        args, repo, input, [&](const char* data, std::size_t size) { out.append(data, size); });
    if (result.status != 0)
        throw Error("git " + args.front() +
                    " failed in the bench's scratch repository: " + chomp(result.err));
    return out;
}

std::string commit(const std::filesystem::path& repo, const std::string& tree,
                   const std::string& parent, const std::string& message) {
    std::vector<std::string> args = {"-c",          "user.name=knot bench",
                                     "-c",          "user.email=bench@knot.invalid",
                                     "commit-tree", tree,
                                     "-m",          message};
    if (!parent.empty())
        args.insert(args.end(), {"-p", parent});
    return chomp(run_git_checked(args, repo));
}

} // namespace

BenchPushRepo::BenchPushRepo() {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    std::string pattern =
        ((ec ? std::filesystem::path("/tmp") : base) / "knot-bench-git-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
        throw Error("cannot create a temporary directory for the bench's pushes");
    m_path = pattern;
    try {
        run_git_checked({"init", "-q", "--bare", m_path.string()}, m_path);
        const std::string empty = chomp(git_with_input(m_path, {"mktree"}, ""));
        m_root = commit(m_path, empty, "", "knot bench: the root of every agent's pushes");
    } catch (...) {
        std::filesystem::remove_all(m_path, ec);
        throw;
    }
}

BenchPushRepo::~BenchPushRepo() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

BenchPusher::BenchPusher(const BenchPushRepo& repo, const SimulatedAgent& agent)
    : m_repo(repo)
    , m_agent(agent)
    , m_last(repo.root()) {}

BenchPush BenchPusher::prepare(const std::string& text) {
    const auto& repo = m_repo.path();
    const std::string blob = chomp(git_with_input(repo, {"hash-object", "-w", "--stdin"}, text));
    const std::string tree = chomp(git_with_input(
        repo, {"mktree"}, "100644 blob " + blob + "\tknot-bench-" + m_agent.name + ".txt\n"));
    const std::string made = commit(repo, tree, m_last, text);
    m_last = made;
    BenchPush push{"refs/knot/" + m_agent.name + "/bench", m_tip.empty() ? k_zero_oid : m_tip, made,
                   ""};
    push.pack = git_with_input(repo, {"pack-objects", "--stdout", "--revs", "-q"},
                               made + "\n" + (m_tip.empty() ? "" : "^" + m_tip + "\n"));
    return push;
}

void BenchPusher::send(RoomClient& client, const BenchPush& push) {
    // As git-remote-knot's receive: the pack's digest is signed and sent ahead of the pack.
    const std::string target = "/v1/rooms/" + client.room() + "/git/receive?ref=" + push.ref +
                               "&old=" + push.old_oid + "&new=" + push.new_oid + "&force=0";
    const std::string digest = sha256_hex(push.pack);
    auto headers =
        sign_request_of_digest(m_agent.identity, m_agent.id, "POST", target, digest, unix_now());
    headers[std::string(k_header_token)] = client.token();
    headers[std::string(k_header_content_sha256)] = digest;
    headers["Content-Type"] = "application/x-git-packfile";
    json_or_throw(client.http().request("POST", target, push.pack, headers));
    m_tip = push.new_oid;
}

} // namespace knot
