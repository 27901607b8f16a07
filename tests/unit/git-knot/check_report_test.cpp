// Tests of git-knot/check_report.cpp: what `git knot check` says it checked claims no more than
// that.
#include "git-knot/check_report.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace knot;

namespace {

const std::string k_head(40, 'a');
const std::string k_integration(40, 'b');

MergePreview preview(MergePreview::State state) {
    MergePreview merge;
    merge.state = state;
    merge.head = k_head;
    if (state != MergePreview::State::no_integration)
        merge.integration = k_integration;
    return merge;
}

} // namespace

TEST_CASE("the merge line is a claim when the checks run on the merge, and a preview otherwise") {
    const MergePreview clean = preview(MergePreview::State::clean);
    CHECK(merge_line(clean, MergeUse::checked) ==
          "merge   \u2713 HEAD aaaaaaa merges cleanly onto refs/knot/integration bbbbbbb\n");
    CHECK(merge_line(clean, MergeUse::preview) ==
          "merge   \u2713 HEAD aaaaaaa merges cleanly onto refs/knot/integration bbbbbbb (a "
          "preview: --here checks the work tree)\n");
    CHECK(checked_text(clean) == "on the merge of HEAD aaaaaaa onto refs/knot/integration bbbbbbb");

    const MergePreview inside = preview(MergePreview::State::up_to_date);
    CHECK(checked_text(inside) == "on refs/knot/integration bbbbbbb, which contains HEAD");
    const MergePreview none = preview(MergePreview::State::no_integration);
    CHECK(merge_line(none, MergeUse::checked) ==
          "merge   - no refs/knot/integration: HEAD aaaaaaa alone, as the room checks a first "
          "push\n");
    CHECK(checked_text(none) == "on HEAD aaaaaaa");
}

TEST_CASE("the fetch line says where the integration came from, or which copy is used") {
    const MergePreview clean = preview(MergePreview::State::clean);
    IntegrationFetch fetch;
    fetch.state = IntegrationFetch::State::fetched;
    fetch.from = "knot";
    CHECK(fetch_line(fetch, clean) ==
          "fetch   \u2713 refs/knot/integration bbbbbbb from the room\n");
    fetch.from = "origin";
    CHECK(fetch_line(fetch, clean) == "fetch   \u2713 refs/knot/integration bbbbbbb from origin "
                                      "(the server did not answer)\n");
    fetch = {IntegrationFetch::State::failed, "", "cannot reach the knot server"};
    CHECK(fetch_line(fetch, clean) ==
          "fetch   ! could not fetch refs/knot/integration (cannot reach the knot server): using "
          "this clone's copy, refs/knot/integration bbbbbbb\n");
    CHECK(fetch_json(fetch) == nlohmann::json{{"state", "failed"},
                                              {"from", nullptr},
                                              {"reason", "cannot reach the knot server"}});
    fetch = {IntegrationFetch::State::absent, "", ""};
    CHECK(fetch_line(fetch, preview(MergePreview::State::no_integration)) ==
          "fetch   - the room has no refs/knot/integration yet\n");
}

TEST_CASE("the merge report names both commits, null when absent") {
    const nlohmann::json none = merge_json(preview(MergePreview::State::no_integration));
    CHECK(none == nlohmann::json{{"state", "no_integration"},
                                 {"integration", nullptr},
                                 {"head", k_head},
                                 {"conflicts", nlohmann::json::array()}});
}
