// Tests of server/room_repository.cpp: where a room's repository lives, the compare-and-swap of
// its refs (every way of losing the race), and the paths two commits differ in.
#include "server/room_repository.hpp"

#include "../../support/temp_dir.hpp"
#include "../../support/temp_repo.hpp"
#include "server/integration_git.hpp"

#include "libknot/git/git_command.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace knot;
using namespace knot::server;
using namespace knot::test;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_ref = "refs/knot/alice/main";

// A room's repository under a data directory, holding two commits of a work clone.
struct Room {
    TempDir data;
    TempRepo work;
    RoomRepository repo{data.path(), "rm_0123456789abcdef"};
    std::string first = work.commit("a.txt", "one\n");
    std::string second = [this] {
        fs::create_directories(work.path / "b");
        return work.commit("b/c.txt", "two\n");
    }();

    Room() {
        work.git({"init", "-q", "--bare", repo.path().string()});
        work.git({"push", "-q", repo.path().string(), "HEAD:refs/heads/main"});
    }

    // Where `ref` points, "" when it does not exist.
    std::string at(const std::string& ref) const {
        const GitResult result =
            run_git({repo.git_dir_option(), "rev-parse", "-q", "--verify", ref}, data.path());
        return result.status == 0 ? result.out.substr(0, 40) : "";
    }
};

} // namespace

TEST_CASE("a room's repository is <data>/repos/<room>.git, and all of them are listed") {
    Room room;
    CHECK(room.repo.path() == room.data.path() / "repos" / "rm_0123456789abcdef.git");
    CHECK(room.repo.room_id() == "rm_0123456789abcdef");
    CHECK(room.repo.git_dir_option() == "--git-dir=" + room.repo.path().string());
    fs::create_directories(room.data.path() / "repos" / "not-a-repository");
    const auto all = RoomRepository::all(room.data.path());
    REQUIRE(all.size() == 1);
    CHECK(all[0].room_id() == "rm_0123456789abcdef");
    TempDir empty;
    CHECK(RoomRepository::all(empty.path()).empty());
}

TEST_CASE("a ref is created only where none exists") {
    Room room;
    CHECK(room.repo.compare_and_swap(k_ref, "", room.first, "test"));
    CHECK(room.at(k_ref) == room.first);
    // Created meanwhile: a second creation loses, with "" or all zeros for "must not exist".
    CHECK_FALSE(room.repo.compare_and_swap(k_ref, "", room.second, "test"));
    CHECK_FALSE(room.repo.compare_and_swap(k_ref, std::string(40, '0'), room.second, "test"));
    CHECK(room.at(k_ref) == room.first);
}

TEST_CASE("a ref moves only from the commit it is at") {
    Room room;
    REQUIRE(room.repo.compare_and_swap(k_ref, "", room.first, "test"));
    CHECK(room.repo.compare_and_swap(k_ref, room.first, room.second, "test"));
    CHECK(room.at(k_ref) == room.second);
    // The race lost: another writer moved it from `first` already.
    CHECK_FALSE(room.repo.compare_and_swap(k_ref, room.first, room.first, "test"));
    CHECK(room.at(k_ref) == room.second);
    // Deleted meanwhile.
    CHECK_FALSE(room.repo.compare_and_swap("refs/knot/alice/gone", room.first, room.second, "t"));
    CHECK(room.at("refs/knot/alice/gone").empty());
}

TEST_CASE("a ref another writer is moving at this moment is a race lost, not an error") {
    Room room;
    REQUIRE(room.repo.compare_and_swap(k_ref, "", room.first, "test"));
    REQUIRE(room.repo.compare_and_swap(std::string(k_integration_ref), "", room.first, "test"));
    // The lock file a writer holds while it moves a ref.
    std::ofstream(room.repo.path() / (std::string(k_ref) + ".lock")) << room.second << "\n";
    std::ofstream(room.repo.path() / (std::string(k_integration_ref) + ".lock"))
        << room.second << "\n";
    CHECK_FALSE(room.repo.compare_and_swap(k_ref, room.first, room.second, "test"));
    CHECK(room.at(k_ref) == room.first);
    // The integration agent's move is the same compare-and-swap: it merges again, and an undo
    // answers 409, instead of failing with an internal error.
    CHECK_FALSE(IntegrationRepo(room.repo.path()).move(room.first, room.second));
    CHECK(room.at(std::string(k_integration_ref)) == room.first);
}

TEST_CASE("a ref cannot be pointed at a commit the repository lacks") {
    Room room;
    CHECK_THROWS_AS(room.repo.compare_and_swap(k_ref, "", std::string(40, 'e'), "test"),
                    std::runtime_error);
    CHECK(room.at(k_ref).empty());
}

TEST_CASE("the paths two commits differ in are listed, an absent side as an empty tree") {
    Room room;
    CHECK(room.repo.changed_paths(room.first, room.second, 100) ==
          std::vector<std::string>{"b/c.txt"});
    CHECK(room.repo.changed_paths(room.second, room.first, 100) ==
          std::vector<std::string>{"b/c.txt"});
    auto all = room.repo.changed_paths("", room.second, 100);
    std::sort(all.begin(), all.end());
    CHECK(all == std::vector<std::string>{"a.txt", "b/c.txt"});
    CHECK(room.repo.changed_paths(std::string(40, '0'), room.first, 100) ==
          std::vector<std::string>{"a.txt"});
    CHECK(room.repo.changed_paths("", room.second, 1).size() == 1);
    CHECK(room.repo.changed_paths(room.second, room.second, 100).empty());
}
