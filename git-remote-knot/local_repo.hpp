// The local repository git runs the helper for (GIT_DIR), through libgit2: resolving refs,
// building the pack a push sends and storing the pack a fetch receives.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

struct git_repository;

namespace knot::remote {

// Whether git asked for progress meters (`option progress true`: stderr is a terminal).
enum class Progress { quiet, shown };

class LocalRepo {
public:
    // Opens $GIT_DIR (or the repository around the current directory); throws knot::Error.
    LocalRepo();
    ~LocalRepo();
    LocalRepo(const LocalRepo&) = delete;
    LocalRepo& operator=(const LocalRepo&) = delete;

    // The commit `name` (a ref or an oid) resolves to, as hex; nothing when it does not.
    std::optional<std::string> resolve(const std::string& name) const;
    // True when the object `oid` is in the local object database.
    bool has(const std::string& oid) const;
    // The commits every local ref points at: what a fetch tells the server it has.
    std::vector<std::string> tips() const;
    // A pack of the objects reachable from `tip` and not from any of `hide` that exist locally,
    // made by git pack-objects; "" when there is nothing to send.
    // With `progress`, pack-objects' own meters (as `git push` shows them) go to stderr.
    std::string pack_for(const std::string& tip, const std::vector<std::string>& hide,
                         Progress progress) const;
    // Indexes `pack` into the local object database; throws knot::Error when it is not valid.
    // With `progress`, a "Receiving objects" meter goes to stderr as git's fetch shows it.
    void write_pack(const std::string& pack, Progress progress) const;

private:
    git_repository* m_repo = nullptr;
};

} // namespace knot::remote
