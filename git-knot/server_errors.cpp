// The table of the server's error codes (knot-protocol(7)) and what git-knot makes of each.
#include "server_errors.hpp"
#include "libknot/base/error.hpp"
#include "libknot/protocol/error_codes.hpp"

#include <string_view>

namespace knot::cli {
namespace {

// `code` is checked against the protocol's table when git-knot is compiled.
struct ServerErrorRule {
    ErrorCode code;
    ServerErrorKind kind;
};

// Refusals are the answers a careful user can act on (coordinate, wait, ask the owner);
// credentials are the 401s and the admin token's 403; the rest are failures, listed here
// when a command meets them so the table reads as the whole contract.
constexpr ServerErrorRule k_rules[] = {
    {error_code::already_claimed, ServerErrorKind::refusal},
    {error_code::bad_admin_token, ServerErrorKind::credentials},
    {error_code::bad_statement, ServerErrorKind::failure},
    {error_code::bad_signature, ServerErrorKind::credentials},
    {error_code::bad_token, ServerErrorKind::credentials},
    {error_code::forge_refused, ServerErrorKind::refusal},
    {error_code::lock_conflict, ServerErrorKind::refusal},
    {error_code::malformed_signature, ServerErrorKind::credentials},
    {error_code::missing_token, ServerErrorKind::credentials},
    {error_code::name_taken, ServerErrorKind::refusal},
    {error_code::no_log, ServerErrorKind::refusal},
    {error_code::not_claimer, ServerErrorKind::refusal},
    {error_code::not_holder, ServerErrorKind::refusal},
    {error_code::not_approved, ServerErrorKind::refusal},
    {error_code::not_owner, ServerErrorKind::refusal},
    {error_code::own_change, ServerErrorKind::refusal},
    {error_code::review_claimed, ServerErrorKind::refusal},
    {error_code::review_closed, ServerErrorKind::refusal},
    {error_code::nothing_to_undo, ServerErrorKind::refusal},
    {error_code::own_patch, ServerErrorKind::refusal},
    {error_code::patch_exists, ServerErrorKind::refusal},
    {error_code::patch_limit, ServerErrorKind::refusal},
    {error_code::patch_not_pushed, ServerErrorKind::refusal},
    {error_code::patch_state, ServerErrorKind::refusal},
    {error_code::relay_agent, ServerErrorKind::refusal},
    {error_code::replayed_nonce, ServerErrorKind::credentials},
    {error_code::stale_integration, ServerErrorKind::refusal},
    {error_code::stale_timestamp, ServerErrorKind::credentials},
    {error_code::task_done, ServerErrorKind::refusal},
    {error_code::unknown_agent, ServerErrorKind::credentials},
    {error_code::unsigned_request, ServerErrorKind::credentials},
    {error_code::unknown_lock, ServerErrorKind::refusal},
    {error_code::unknown_patch, ServerErrorKind::refusal},
    {error_code::unknown_room, ServerErrorKind::failure},
    {error_code::unknown_review, ServerErrorKind::refusal},
    {error_code::unknown_run, ServerErrorKind::refusal},
    {error_code::unknown_task, ServerErrorKind::refusal},
};

} // namespace

ServerErrorKind kind_of(const HttpError& error) {
    for (const ServerErrorRule& rule : k_rules)
        if (rule.code.code() == error.code())
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
