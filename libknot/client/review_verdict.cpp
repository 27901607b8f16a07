// A member's signed verdict on a peer review (see review_verdict.hpp).
#include "libknot/client/review_verdict.hpp"

#include "libknot/client/session.hpp"
#include "libknot/protocol/protocol.hpp"

#include <nlohmann/json.hpp>

namespace knot {

wire::Review send_verdict(Session& session, const wire::Review& review, Verdict verdict,
                          const std::string& reason) {
    const std::int64_t now = unix_now();
    const std::string statement =
        review_statement(session.room().room, review.id, review.candidate, verdict, reason, now);
    const nlohmann::json answer = session.client().post(
        "/reviews/" + review.id + "/verdict", {{"verdict", verdict_word(verdict)},
                                               {"reason", reason},
                                               {"timestamp", now},
                                               {"signature", session.identity().sign(statement)}});
    return answer.get<wire::Review>();
}

bool is_review_id(std::string_view id) {
    return id.size() == 20 && id.substr(0, 4) == "rev_" &&
           id.substr(4).find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

} // namespace knot
