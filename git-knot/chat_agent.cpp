// `git knot chat --mode agent` (see chat_agent.hpp).
#include "git-knot/chat_agent.hpp"

#include "libknot/base/ascii.hpp"
#include "libknot/base/error.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/event_stream.hpp"
#include "libknot/client/session.hpp"
#include "libknot/protocol/wire.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

namespace knot::cli {
namespace {

// One line of JSON: control characters escaped (nothing from the room reaches a terminal raw),
// and bytes that are not UTF-8 replaced rather than thrown on.
std::string one_line(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

AgentLine malformed(std::string code, std::string message, nlohmann::json id = nullptr) {
    AgentLine line;
    line.kind = AgentLine::Kind::malformed;
    line.code = std::move(code);
    line.message = std::move(message);
    line.id = std::move(id);
    return line;
}

// What the listener thread and the input loop share: the output, one whole line at a time, and
// how far the stream has got.
class Output {
public:
    explicit Output(std::ostream& out)
        : m_out(out) {}
    void write(const std::string& line) {
        std::lock_guard lock(m_mutex);
        m_out << line << std::endl; // flushed: the agent reads as it comes
    }
    void event(const std::string& line, std::int64_t seq) {
        std::lock_guard lock(m_mutex);
        m_out << line << std::endl;
        m_shown = seq;
        m_changed.notify_all();
    }
    void failed(const std::string& line) {
        std::lock_guard lock(m_mutex);
        m_out << line << std::endl;
        m_failed = true;
        m_changed.notify_all();
    }
    // Waits until the event `seq` was written, the stream failed or `deadline` passed; returns
    // whether the stream failed.
    bool wait_for(std::int64_t seq, std::chrono::steady_clock::time_point deadline) {
        std::unique_lock lock(m_mutex);
        m_changed.wait_until(lock, deadline, [&] { return m_failed || m_shown >= seq; });
        return m_failed;
    }

private:
    std::ostream& m_out;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::int64_t m_shown = 0;
    bool m_failed = false;
};

} // namespace

AgentLine parse_agent_line(std::string_view text) {
    if (trim_whitespace(text).empty())
        return {};
    nlohmann::json value;
    try {
        value = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
        return malformed("bad_json", "the line is not JSON");
    }
    AgentLine line;
    line.kind = AgentLine::Kind::message;
    if (value.is_string()) {
        line.text = value.get<std::string>();
        return line;
    }
    if (!value.is_object())
        return malformed("bad_message", "a message is a JSON string or an object with \"text\"");
    nlohmann::json id = nullptr;
    if (value.contains("id")) {
        if (!value["id"].is_string() && !value["id"].is_number())
            return malformed("bad_message", "\"id\" must be a string or a number");
        id = value["id"];
    }
    for (const auto& [key, member] : value.items())
        if (key != "text" && key != "id")
            return malformed("bad_message", "unknown member \"" + key + "\"", id);
    if (!value.contains("text") || !value["text"].is_string())
        return malformed("bad_message", "\"text\" must be a string", id);
    line.text = value["text"].get<std::string>();
    line.id = std::move(id);
    return line;
}

std::string agent_event_line(const nlohmann::json& event, const std::string& agent_name) {
    nlohmann::json line = {{"event", event}};
    if (!agent_name.empty())
        line["agent_name"] = agent_name;
    return one_line(line);
}

std::string agent_sent_line(std::int64_t line, std::int64_t seq, const nlohmann::json& id) {
    nlohmann::json sent = {{"line", line}, {"seq", seq}};
    if (!id.is_null())
        sent["id"] = id;
    return one_line({{"sent", sent}});
}

std::string agent_error_line(const std::string& code, const std::string& message, std::int64_t line,
                             const nlohmann::json& id) {
    nlohmann::json error = {{"code", code}, {"message", message}};
    if (line > 0)
        error["line"] = line;
    if (!id.is_null())
        error["id"] = id;
    return one_line({{"error", error}});
}

std::string agent_stream_line(const std::string& state) {
    const std::string reconnecting = "reconnecting: ";
    if (state.rfind(reconnecting, 0) == 0)
        return one_line(
            {{"stream",
              {{"state", "reconnecting"}, {"message", state.substr(reconnecting.size())}}}});
    return one_line({{"stream", {{"state", state}}}});
}

std::string error_code_of(const std::exception& error) {
    if (const auto* http = dynamic_cast<const HttpError*>(&error))
        return http->code().empty() ? "http_" + std::to_string(http->status()) : http->code();
    if (dynamic_cast<const UnreachableError*>(&error))
        return "unreachable";
    return "error";
}

int run_agent_chat(Session& session, std::int64_t history, std::istream& in, std::ostream& out) {
    Output output(out);
    auto& client = session.client();
    AgentNames names;
    std::int64_t last = 0;
    try {
        names = agent_names_of(client.get("/agents"));
        last = client.get("").get<wire::Room>().last_seq;
    } catch (const Error& e) {
        output.write(agent_error_line(error_code_of(e), e.what()));
        throw;
    }

    EventStream stream(session.room(), session.identity());
    std::thread listener([&] {
        try {
            stream.follow(
                std::max<std::int64_t>(0, last - history),
                [&](const nlohmann::json& frame) {
                    const auto event = frame.get<wire::Event>(); // a malformed one ends it
                    learn_name(names, event);
                    const auto name = names.find(event.agent);
                    output.event(agent_event_line(frame, name == names.end() ? "" : name->second),
                                 event.seq);
                    return true;
                },
                [&](const std::string& state) { output.write(agent_stream_line(state)); });
        } catch (const std::exception& e) {
            output.failed(
                agent_error_line(error_code_of(e), std::string("event stream: ") + e.what()));
        }
    });

    std::int64_t number = 0;
    std::int64_t newest_sent = 0;
    for (std::string text; std::getline(in, text);) {
        ++number;
        const AgentLine line = parse_agent_line(text);
        if (line.kind == AgentLine::Kind::blank)
            continue;
        if (line.kind == AgentLine::Kind::malformed) {
            output.write(agent_error_line(line.code, line.message, number, line.id));
            continue;
        }
        try {
            // The listener has its own socket: this client is the input loop's alone.
            const auto answer = client.post("/messages", {{"text", line.text}});
            const auto event = wire::FieldReader(answer, "message answer")
                                   .require({"event"})
                                   .object<wire::Event>("event");
            output.write(agent_sent_line(number, event.seq, line.id));
            newest_sent = std::max(newest_sent, event.seq);
        } catch (const Error& e) {
            output.write(agent_error_line(error_code_of(e), e.what(), number, line.id));
        }
    }
    const bool failed = output.wait_for(newest_sent, std::chrono::steady_clock::now() +
                                                         std::chrono::seconds(k_drain_seconds));
    stream.stop();
    listener.join();
    return failed ? 1 : 0;
}

} // namespace knot::cli
