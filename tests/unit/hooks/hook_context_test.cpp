// Tests of hooks/hook_context.cpp: the intent sent with the locks a hook claims, and what a hook
// does when the server is down.
#include "hooks/hook_context.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/outbox.hpp"
#include "tests/unit/hooks/hook_repo.hpp"

#include <catch2/catch.hpp>
#include <sstream>

using namespace knot;
using namespace knot::hook_test;
namespace fs = std::filesystem;

TEST_CASE("the intent sent with locks is the first line of knot/intent, when there is one") {
    TempDir dir;
    CHECK(current_intent(dir.path).empty());
    write(dir.path / "intent", "fix the parser\nmore\n");
    CHECK(current_intent(dir.path) == "fix the parser");
    write(dir.path / "intent", std::string(199, 'x') + "\xc3\xa9 and more");
    CHECK(current_intent(dir.path) == std::string(199, 'x'));
}

TEST_CASE("with the outbox waiting and the server down, a hook context says so and queues") {
    ClonedRepo repo;
    Clone clone(GitRepo::discover(repo.work));
    clone.create_identity();
    const RoomConfig room{"http://127.0.0.1:1", "rm_0123456789abcdef", std::string(64, 'a'),
                          "ag_0123456789abcdef"};
    std::ostringstream err;
    HookContext ctx(clone, room, "post-merge", err);
    ctx.deliver_outbox(); // nothing waits: no request, nothing thrown

    Outbox outbox(clone.knot_dir() / "outbox");
    outbox.queue("/notices", {{"type", "agent.head"}});
    try {
        ctx.deliver_outbox();
        FAIL("the outbox was delivered to a server that is down");
    } catch (const UnreachableError& e) {
        CHECK(std::string(e.what()) == "cannot reach the knot server at http://127.0.0.1:1");
        CHECK(ctx.go_on_offline(e, {{"/notices", {{"type", "agent.head"}}}}) == 0);
    }
    CHECK(err.str() == "knot: warning: cannot reach the knot server at http://127.0.0.1:1; "
                       "post-merge goes on, its report queued (2 waiting in the outbox)\n");
    CHECK(outbox.size() == 2);
}
