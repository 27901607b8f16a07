// What `git knot check` says about what it checked (see check_report.hpp).
#include "git-knot/check_report.hpp"
#include "libknot/protocol/refs.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

namespace knot {
namespace {

// How many conflicting paths the text names before "and N more".
constexpr std::size_t k_listed_conflicts = 10;

std::string short_oid(const std::string& oid) {
    return oid.substr(0, 7);
}

nlohmann::json oid_or_null(const std::string& oid) {
    return oid.empty() ? nlohmann::json(nullptr) : nlohmann::json(oid);
}

std::string joined(const std::vector<std::string>& items, std::size_t most) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < most; ++i)
        out += (i ? ", " : "") + items[i];
    if (items.size() > most)
        out += " and " + std::to_string(items.size() - most) + " more";
    return out;
}

std::string integration_text(const MergePreview& merge) {
    return std::string(k_integration_ref) + " " + short_oid(merge.integration);
}

} // namespace

std::string fetch_line(const IntegrationFetch& fetch, const MergePreview& merge) {
    const std::string ref(k_integration_ref);
    std::ostringstream out;
    out << "fetch   ";
    switch (fetch.state) {
    case IntegrationFetch::State::fetched:
        out << "\u2713 " << integration_text(merge)
            << (fetch.from == "knot" ? " from the room"
                                     : " from " + fetch.from + " (the server did not answer)");
        break;
    case IntegrationFetch::State::absent:
        out << "- the room has no " << ref << " yet";
        break;
    case IntegrationFetch::State::not_joined:
        out << "- this clone has not joined a room: "
            << (merge.integration.empty() ? "no " + ref + " to merge onto"
                                          : "using its own " + integration_text(merge));
        break;
    case IntegrationFetch::State::failed:
        out << "! could not fetch " << ref << " (" << fetch.reason << "): "
            << (merge.integration.empty() ? "none here either"
                                          : "using this clone's copy, " + integration_text(merge));
        break;
    }
    out << '\n';
    return out.str();
}

std::string merge_line(const MergePreview& merge, MergeUse use) {
    const bool checked = use == MergeUse::checked;
    const std::string head = "HEAD " + short_oid(merge.head);
    std::ostringstream out;
    const std::string preview = checked ? "" : " (a preview: --here checks the work tree)";
    switch (merge.state) {
    case MergePreview::State::no_integration:
        out << "merge   - no " << k_integration_ref
            << (checked ? ": " + head + " alone, as the room checks a first push"
                        : " here yet (git knot sync fetches it)")
            << '\n';
        break;
    case MergePreview::State::up_to_date:
        out << "merge   \u2713 " << head << " is already part of " << integration_text(merge)
            << preview << '\n';
        break;
    case MergePreview::State::clean:
        out << "merge   \u2713 " << head << " merges cleanly onto " << integration_text(merge)
            << preview << '\n';
        break;
    case MergePreview::State::conflict:
        out << "merge   \u2717 HEAD conflicts with " << integration_text(merge) << " in "
            << joined(merge.conflicts, k_listed_conflicts) << '\n';
        break;
    }
    return out.str();
}

std::string checked_text(const MergePreview& merge) {
    switch (merge.state) {
    case MergePreview::State::clean:
        return "on the merge of HEAD " + short_oid(merge.head) + " onto " + integration_text(merge);
    case MergePreview::State::up_to_date:
        return "on " + integration_text(merge) + ", which contains HEAD";
    default:
        return "on HEAD " + short_oid(merge.head);
    }
}

nlohmann::json merge_json(const MergePreview& merge) {
    return {{"state", merge_state_name(merge.state)},
            {"integration", oid_or_null(merge.integration)},
            {"head", oid_or_null(merge.head)},
            {"conflicts", merge.conflicts}};
}

nlohmann::json fetch_json(const IntegrationFetch& fetch) {
    return {
        {"state", fetch_state_name(fetch.state)},
        {"from", fetch.from.empty() ? nlohmann::json(nullptr) : nlohmann::json(fetch.from)},
        {"reason", fetch.reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(fetch.reason)}};
}

} // namespace knot
