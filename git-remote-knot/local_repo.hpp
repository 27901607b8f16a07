// The local repository git runs the helper for ($GIT_DIR), through the git binary itself:
// resolving refs, building the pack a push sends (pack-objects) and storing the pack a fetch
// receives (index-pack). The helper links no libgit2, whose start-up alone (it loads every CA
// certificate) would cost a push more than the rest of the helper's work.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace knot::remote {

// Whether git asked for progress meters (`option progress true`: stderr is a terminal).
enum class Progress { quiet, shown };

class LocalRepo {
public:
    // The repository at $GIT_DIR, or around the current directory.
    LocalRepo();

    // What a push needs to know before it builds packs, found by one git process.
    struct Lookup {
        std::map<std::string, std::string> commits; // name -> the commit it resolves to
        std::set<std::string> present;              // the oids that exist here
    };
    // The commit each of `names` (a ref or an oid) resolves to, as hex (a name that resolves to
    // none is left out), and which of `oids` are in the local object database.
    Lookup look_up(const std::vector<std::string>& names,
                   const std::vector<std::string>& oids) const;
    // Which of `oids` are in the local object database (one git process for all of them).
    std::set<std::string> present(const std::vector<std::string>& oids) const;
    // The commits every local ref points at: what a fetch tells the server it has.
    std::vector<std::string> tips() const;
    // A pack of the objects reachable from the commit `tip` and not from any of `hide`, made
    // by git pack-objects; "" when there is nothing to send. Every oid must exist here (see
    // look_up): git refuses to hide what it does not have.
    // With `progress`, pack-objects' own meters (as `git push` shows them) go to stderr.
    std::string pack_for(const std::string& tip, const std::vector<std::string>& hide,
                         Progress progress) const;
    // Stores the pack read from `pack` with git index-pack as it arrives, so indexing overlaps
    // the transfer and memory stays flat; nothing when the stream is empty. Throws knot::Error
    // when it is cut short or not valid, and then stores nothing. With `progress`,
    // index-pack's "Receiving objects" meter goes to stderr as in git fetch.
    void write_pack(std::istream& pack, Progress progress) const;
    // Points the local ref `ref` at `oid`, as git does for the refs its fetch refspec maps a
    // pushed ref onto. Throws knot::Error with git's message when it cannot.
    void set_ref(const std::string& ref, const std::string& oid) const;

private:
    std::vector<std::string> git_args(std::vector<std::string> args) const;

    std::filesystem::path m_git_dir;
};

} // namespace knot::remote
