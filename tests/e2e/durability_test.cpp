// Durability on a disk that lies: the real knot-server runs on the lying disk
// (tests/support/lying_disk.cpp), is killed, loses every write no fsync covered as after a power
// cut, and restarts. Every acknowledged write must be there whole, the event chain must verify,
// and no write may be half there. A control run on a disk that ignores fsync shows the checks
// catch lost writes.
#include "durability_load.hpp"
#include "tests/support/lying_disk_revert.hpp"
#include "tests/support/server_process.hpp"

#include "libknot/base/error.hpp"
#include "libknot/client/room_client.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace knot;
using namespace knot::test;
using namespace knot::test::durability;

namespace {

constexpr int k_agents = 4;
// Enough writes that the crash, armed after the first answers, always comes first.
constexpr int k_steps_until_crash = 2000;
// A load that is answered in full before the server is killed.
constexpr int k_quiet_steps = 40;

// Where a run keeps its server's data, the lying disk's undo log and its crash trigger.
struct Disk {
    TempDir temp;
    std::filesystem::path data = temp.path() / "data";
    std::filesystem::path log = temp.path() / "undo.log";
    std::filesystem::path crash = temp.path() / "crash";
};

// Restarts the killed `server` on the files the revert left, without the lying disk.
void restart_after_power_cut(ServerProcess& server) {
    server.set_environment({});
    server.restart();
}

// The restarted server takes new writes, chained after the old ones.
void check_new_writes(const ServerProcess& server, const Room& room) {
    const Agent& agent = room.agents.front();
    RoomClient client(server.url(), room.id, room.token, &agent.identity, agent.id);
    CHECK(client.post("/messages", {{"text", "after the crash"}})["event"]["seq"] > 0);
    CHECK(client.post("/doing", {{"status", "after"},
                                 {"files", {"after/file"}}})["locks"][0]["fencing"] == 1);
    const Verdict verdict = judge(server.url(), room, {});
    CHECK(verdict.chain_error.empty());
    CHECK(verdict.status_mismatch == 0);
}

std::string describe(const RevertReport& report) {
    return std::to_string(report.changes) + " changes logged, " + std::to_string(report.synced) +
           " synced, " + std::to_string(report.reverted) + " reverted (" +
           std::to_string(report.bytes_restored) + " bytes restored)";
}

} // namespace

TEST_CASE("acknowledged writes survive a crash mid-commit on a disk that drops unsynced writes") {
    // Where the crash lands, after how many answers: after the first WAL frame of a commit, a
    // few frames on, many commits on; inside a checkpoint copying the WAL into the database
    // file; and, once a checkpoint let the WAL start over, over frames of earlier commits.
    const auto [suffix, count, warm_up] =
        GENERATE(table<std::string, int, std::int64_t>({{"-wal", 1, 40},
                                                        {"-wal", 4, 40},
                                                        {"-wal", 37, 40},
                                                        {".db", 1, 40},
                                                        {".db", 3, 40},
                                                        {"-wal", 2, 400},
                                                        {"-wal", 25, 600}}));
    Disk disk;
    ServerProcess server(
        disk.data, {},
        lying_disk_environment(disk.data, disk.log, LyingDiskMode::drop_unsynced, disk.crash));
    const Room room = create_room(server, k_agents);
    std::vector<Op> ops;
    {
        Load load(server.url(), room, k_steps_until_crash);
        load.wait_until_acknowledged(warm_up);
        arm_lying_disk_crash(disk.crash, suffix, count);
        ops = load.join(); // each thread stops at its first write left unanswered
    }
    server.kill(); // reaps the server the lying disk killed
    const RevertReport report = revert_unsynced_writes(disk.log);
    INFO("crash after write " << count << " to " << suffix << ": " << describe(report));
    REQUIRE(report.crashed); // the disk's crash, not the end of the load
    REQUIRE(report.reverted > 0);

    restart_after_power_cut(server);
    const Verdict verdict = judge(server.url(), room, ops);
    INFO(summary(verdict));
    CHECK(verdict.chain_error.empty());
    CHECK(verdict.lost == 0);
    CHECK(verdict.half == 0);
    CHECK(verdict.refused_present == 0);
    CHECK(verdict.status_mismatch == 0);
    check_new_writes(server, room);
}

TEST_CASE("every acknowledged write survives kill -9 and a lost page cache once answered") {
    Disk disk;
    ServerProcess server(disk.data, {},
                         lying_disk_environment(disk.data, disk.log, LyingDiskMode::drop_unsynced));
    const Room room = create_room(server, k_agents);
    const std::vector<Op> ops = Load(server.url(), room, k_quiet_steps).join();
    server.kill();
    const RevertReport report = revert_unsynced_writes(disk.log);
    INFO(describe(report));
    REQUIRE(report.changes > 0);

    restart_after_power_cut(server);
    const Verdict verdict = judge(server.url(), room, ops);
    INFO(summary(verdict));
    CHECK(verdict.unknown == 0);
    CHECK(verdict.refused == 0);
    CHECK(verdict.acknowledged == static_cast<std::int64_t>(ops.size()));
    CHECK(verdict.lost == 0);
    CHECK(verdict.half == 0);
    CHECK(verdict.chain_error.empty());
    CHECK(verdict.status_mismatch == 0);
    check_new_writes(server, room);
}

// The control: were fsync a lie, the same checks would find every write since the start lost.
// So the tests above could fail, and pass because the server syncs before it answers.
TEST_CASE("a disk that ignores fsync loses the acknowledged writes and the checks say so") {
    Disk disk;
    ServerProcess server(disk.data); // the room is made on an honest disk
    const Room room = create_room(server, k_agents);
    server.set_environment(
        lying_disk_environment(disk.data, disk.log, LyingDiskMode::ignore_fsync));
    server.restart();
    const std::vector<Op> ops = Load(server.url(), room, k_quiet_steps).join();
    server.kill();
    const RevertReport report = revert_unsynced_writes(disk.log);
    INFO(describe(report));
    CHECK(report.synced == 0);
    REQUIRE(report.reverted > 0);

    restart_after_power_cut(server);
    const Verdict verdict = judge(server.url(), room, ops);
    INFO(summary(verdict));
    REQUIRE(verdict.acknowledged == static_cast<std::int64_t>(ops.size()));
    CHECK(verdict.lost == verdict.acknowledged);
    CHECK(verdict.half == 0);
    CHECK(verdict.chain_error.empty()); // what the honest disk kept still verifies
    check_new_writes(server, room);
}

// A disk that fails an fsync (EIO): the write waiting on it is not answered as done, nor is any
// write after it (a second fdatasync would succeed over pages the first failed to write), and
// what was answered before is all there after a power cut and a restart.
TEST_CASE("after a failed fsync no write is answered as done until the server restarts") {
    Disk disk;
    const std::filesystem::path fail = disk.temp.path() / "fail-sync";
    Environment environment =
        lying_disk_environment(disk.data, disk.log, LyingDiskMode::drop_unsynced);
    environment["KNOT_LYING_DISK_FAIL_SYNC"] = fail.string();
    ServerProcess server(disk.data, {}, environment);
    const Room room = create_room(server, k_agents);
    const std::vector<Op> ops = Load(server.url(), room, k_quiet_steps).join();
    std::ofstream(fail) << "EIO\n";

    const Agent& agent = room.agents.front();
    RoomClient client(server.url(), room.id, room.token, &agent.identity, agent.id);
    for (const std::string text : {"while the disk fails", "after it failed"}) {
        INFO(text);
        try {
            client.post("/messages", {{"text", text}});
            FAIL("a write was answered as done on a disk that failed its fsync");
        } catch (const HttpError& refused) {
            CHECK(refused.status() == 500);
        }
    }
    server.kill();
    const RevertReport report = revert_unsynced_writes(disk.log);
    INFO(describe(report));
    restart_after_power_cut(server);
    const Verdict verdict = judge(server.url(), room, ops);
    INFO(summary(verdict));
    CHECK(verdict.acknowledged == static_cast<std::int64_t>(ops.size()));
    CHECK(verdict.lost == 0);
    CHECK(verdict.half == 0);
    CHECK(verdict.chain_error.empty());
    check_new_writes(server, room);
}
