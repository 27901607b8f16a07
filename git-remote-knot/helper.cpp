// The gitremote-helpers(7) conversation (see helper.hpp).
#include "helper.hpp"

#include "libknot/error.hpp"
#include "local_repo.hpp"
#include "remote.hpp"

#include <iostream>
#include <map>
#include <memory>
#include <vector>

namespace knot::remote {
namespace {

constexpr std::string_view k_zero_oid = "0000000000000000000000000000000000000000";
// The server takes at most this many haves; more would only trim the pack a little further.
constexpr std::size_t k_max_haves = 10000;

// git's words for the refusals it explains itself (transport-helper.c).
std::string reason_for(const Refusal& refusal) {
    if (refusal.code == "non_fast_forward")
        return "non-fast forward";
    if (refusal.code == "stale_old")
        return "stale info";
    return "\"" + refusal.message + "\"";
}

class Conversation {
public:
    Conversation(std::string url, std::ostream& out)
        : m_url(std::move(url))
        , m_out(out) {}

    void capabilities() { m_out << "fetch\npush\noption\n\n" << std::flush; }

    void option(const std::string& line) {
        const std::string rest = line.substr(7);
        const std::size_t space = rest.find(' ');
        const std::string name = rest.substr(0, space);
        const std::string value = space == std::string::npos ? "" : rest.substr(space + 1);
        if (name == "verbosity" || name == "progress") {
            m_out << "ok\n";
        } else if (name == "dry-run") {
            m_dry_run = value == "true";
            m_out << "ok\n";
        } else {
            m_out << "unsupported\n";
        }
        m_out << std::flush;
    }

    void list() {
        for (const auto& [ref, oid] : remote().refs())
            m_out << oid << ' ' << ref << '\n';
        m_out << '\n' << std::flush;
    }

    // `lines` are the batch's "fetch <oid> <name>" lines.
    void fetch(const std::vector<std::string>& lines) {
        std::vector<std::string> wants;
        for (const std::string& line : lines) {
            const std::string oid = line.substr(6, line.find(' ', 6) - 6);
            if (!local().has(oid))
                wants.push_back(oid);
        }
        if (!wants.empty()) {
            std::vector<std::string> haves = local().tips();
            if (haves.size() > k_max_haves)
                haves.resize(k_max_haves);
            local().write_pack(remote().upload(wants, haves));
        }
        m_out << '\n' << std::flush;
    }

    // `lines` are the batch's "push [+]<src>:<dst>" lines.
    void push(const std::vector<std::string>& lines) {
        const std::map<std::string, std::string> theirs = remote().refs();
        std::vector<std::string> their_oids;
        for (const auto& [ref, oid] : theirs)
            their_oids.push_back(oid);
        for (const std::string& line : lines) {
            std::string spec = line.substr(5);
            Push push;
            push.force = !spec.empty() && spec.front() == '+';
            if (push.force)
                spec.erase(0, 1);
            const std::size_t colon = spec.find(':');
            const std::string src = spec.substr(0, colon);
            push.ref = colon == std::string::npos ? spec : spec.substr(colon + 1);
            if (src.empty()) {
                m_out << "error " << push.ref
                      << " \"deleting a ref through knot is not supported\"\n";
                continue;
            }
            const std::optional<std::string> tip = local().resolve(src);
            if (!tip) {
                m_out << "error " << push.ref << " \"" << src << " is not a commit\"\n";
                continue;
            }
            push.new_oid = *tip;
            const auto current = theirs.find(push.ref);
            push.old_oid = current == theirs.end() ? std::string(k_zero_oid) : current->second;
            if (push.old_oid == push.new_oid) {
                m_out << "ok " << push.ref << '\n';
                continue;
            }
            if (m_dry_run) {
                m_out << "ok " << push.ref << '\n';
                continue;
            }
            const auto refusal = remote().receive(push, local().pack_for(push.new_oid, their_oids));
            if (refusal)
                m_out << "error " << push.ref << ' ' << reason_for(*refusal) << '\n';
            else
                m_out << "ok " << push.ref << '\n';
        }
        m_out << '\n' << std::flush;
    }

private:
    Remote& remote() {
        if (!m_remote)
            m_remote = std::make_unique<Remote>(m_url);
        return *m_remote;
    }
    LocalRepo& local() {
        if (!m_local)
            m_local = std::make_unique<LocalRepo>();
        return *m_local;
    }

    std::string m_url;
    std::ostream& m_out;
    bool m_dry_run = false;
    std::unique_ptr<Remote> m_remote;
    std::unique_ptr<LocalRepo> m_local;
};

// The lines of a batch starting with `first`, up to the blank line that ends it.
std::vector<std::string> batch(const std::string& first, std::istream& in) {
    std::vector<std::string> lines{first};
    for (std::string line; std::getline(in, line) && !line.empty();)
        lines.push_back(line);
    return lines;
}

} // namespace

void serve(const std::string& url, std::istream& in, std::ostream& out) {
    Conversation conversation(url, out);
    for (std::string line; std::getline(in, line);) {
        if (line == "capabilities")
            conversation.capabilities();
        else if (line.rfind("option ", 0) == 0)
            conversation.option(line);
        else if (line == "list" || line == "list for-push")
            conversation.list();
        else if (line.rfind("fetch ", 0) == 0)
            conversation.fetch(batch(line, in));
        else if (line.rfind("push ", 0) == 0)
            conversation.push(batch(line, in));
        else if (line.empty())
            return;
        else
            throw Error("unknown command from git: " + line);
    }
}

} // namespace knot::remote
