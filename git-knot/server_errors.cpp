// The table of the server's error codes (knot-protocol(7)) and what git-knot makes of each.
#include "server_errors.hpp"
#include "libknot/base/error.hpp"

#include <string_view>

namespace knot::cli {
namespace {

struct ServerErrorRule {
    std::string_view code;
    ServerErrorKind kind;
};

// Refusals are the answers a careful user can act on (coordinate, wait, ask the owner);
// credentials are the 401s and the admin token's 403; the rest are failures, listed here
// when a command meets them so the table reads as the whole contract.
constexpr ServerErrorRule k_rules[] = {
    {"already_claimed", ServerErrorKind::refusal},
    {"bad_admin_token", ServerErrorKind::credentials},
    {"bad_signature", ServerErrorKind::credentials},
    {"bad_token", ServerErrorKind::credentials},
    {"forge_refused", ServerErrorKind::refusal},
    {"lock_conflict", ServerErrorKind::refusal},
    {"malformed_signature", ServerErrorKind::credentials},
    {"missing_token", ServerErrorKind::credentials},
    {"name_taken", ServerErrorKind::refusal},
    {"no_log", ServerErrorKind::refusal},
    {"not_claimer", ServerErrorKind::refusal},
    {"not_holder", ServerErrorKind::refusal},
    {"not_owner", ServerErrorKind::refusal},
    {"nothing_to_undo", ServerErrorKind::refusal},
    {"replayed_nonce", ServerErrorKind::credentials},
    {"stale_integration", ServerErrorKind::refusal},
    {"stale_timestamp", ServerErrorKind::credentials},
    {"task_done", ServerErrorKind::refusal},
    {"unknown_agent", ServerErrorKind::credentials},
    {"unsigned", ServerErrorKind::credentials},
    {"unknown_lock", ServerErrorKind::refusal},
    {"unknown_room", ServerErrorKind::failure},
    {"unknown_run", ServerErrorKind::refusal},
    {"unknown_task", ServerErrorKind::refusal},
};

} // namespace

ServerErrorKind kind_of(const HttpError& error) {
    for (const ServerErrorRule& rule : k_rules)
        if (rule.code == error.code())
            return rule.kind;
    return error.status() == 401 || error.status() == 403 ? ServerErrorKind::credentials
                                                          : ServerErrorKind::failure;
}

int exit_status(const HttpError& error) {
    return kind_of(error) == ServerErrorKind::credentials ? 3 : 1;
}

std::string error_line(const HttpError& error) {
    return (kind_of(error) == ServerErrorKind::refusal ? "git-knot: " : "git-knot: error: ") +
           std::string(error.what());
}

void rethrow_refusal(const HttpError& error, const std::string& consequence) {
    if (kind_of(error) == ServerErrorKind::refusal)
        throw Refused(error.what() + consequence);
    throw error;
}

} // namespace knot::cli
