// What every hook needs in a room (see hook_context.hpp).
#include "hooks/hook_context.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/utf8.hpp"
#include "libknot/git/git_command.hpp"
#include "libknot/protocol/repo_path.hpp"

#include <chrono>
#include <fstream>
#include <ostream>

namespace knot {
namespace {

// A hook waits at most this long for the server before it warns and lets git go on.
constexpr std::chrono::seconds k_hook_timeout{3};

// The server takes an intent of 200 characters; the hooks send at most 200 bytes.
constexpr std::size_t k_max_intent_bytes = 200;

} // namespace

SessionOptions hook_session_options() {
    return SessionOptions{.timeout = k_hook_timeout};
}

HookContext::HookContext(Clone clone, RoomConfig room, std::string hook, std::ostream& err)
    : m_owned(std::make_unique<Session>(std::move(clone), std::move(room), hook_session_options()))
    , m_session(*m_owned)
    , m_hook(std::move(hook))
    , m_err(err) {}

HookContext::HookContext(Session& session, std::string hook, std::ostream& err)
    : m_session(session)
    , m_hook(std::move(hook))
    , m_err(err) {}

void HookContext::deliver_outbox() {
    const Outbox::Delivery delivery = m_session.deliver_outbox(m_err);
    if (delivery.waiting > 0 && delivery.left == delivery.waiting)
        throw UnreachableError("cannot reach the knot server at " + m_session.room().server);
}

int HookContext::go_on_offline(const UnreachableError& e, const std::vector<Report>& reports) {
    for (const auto& report : reports)
        m_session.outbox().queue(report.target, report.body);
    m_err << "knot: warning: " << e.what() << "; " << m_hook << " goes on";
    if (!reports.empty())
        m_err << ", its report queued (" << m_session.outbox().size() << " waiting in the outbox)";
    m_err << '\n';
    return 0;
}

std::vector<std::vector<std::string>> batches(const std::vector<std::string>& paths) {
    std::vector<std::vector<std::string>> out;
    for (std::size_t i = 0; i < paths.size(); i += k_max_paths_per_request) {
        const auto end = std::min(paths.size(), i + k_max_paths_per_request);
        out.emplace_back(paths.begin() + static_cast<std::ptrdiff_t>(i),
                         paths.begin() + static_cast<std::ptrdiff_t>(end));
    }
    return out;
}

std::string current_intent(const std::filesystem::path& knot_dir) {
    std::ifstream in(knot_dir / "intent");
    std::string line;
    std::getline(in, line);
    return std::string(utf8_prefix(chomp(line), k_max_intent_bytes));
}

} // namespace knot
