// knot_test_review_standin <dir>: the outside services of the review modes, on loopback, for
// tests: Anthropic's Messages API (POST /v1/messages) and a review webhook service (POST /hook).
// Listens on 127.0.0.1 on a free port, prints that port and a newline, and serves until killed.
// What it does is read from files in <dir> at each request, so a test can change it between
// pushes:
//   expected_key     the x-api-key the Messages API wants (else it answers 401)
//   model_answer     the text of the model's answer (default "PASS: looks right")
//   model_hang       while present, the Messages API holds its answer (checked every 20 ms, for
//                    at most two minutes): a server can be stopped during the call
//   webhook_verdict  when present, /hook answers 202 and then calls the request's respond_url
//                    with its credential (Authorization: Bearer) and this verdict
//   webhook.key      when present (a key file of libknot's Identity), the verdict is signed with
//                    it as the protocol says ("timestamp" and "signature")
// Each request is appended to <dir>/requests.jsonl ({"path", "api_key", "version", "body"}) and
// each webhook callback's answer to <dir>/callbacks.jsonl ({"status", "body"}); each is then
// announced on standard output ("request <path>", "callback <status>"), so a test waits on that
// line rather than polling the files.
#include "libknot/protocol/identity.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/review/review_text.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path g_dir;
std::mutex g_mutex;

std::string read_text(const fs::path& path, const std::string& fallback) {
    std::ifstream in(path);
    if (!in)
        return fallback;
    std::stringstream text;
    text << in.rdbuf();
    std::string value = text.str();
    while (!value.empty() && value.back() == '\n')
        value.pop_back();
    return value;
}

void append(const fs::path& path, const json& line, const std::string& announce) {
    const std::lock_guard lock(g_mutex);
    std::ofstream(path, std::ios::app) << line.dump() << '\n';
    std::cout << announce << std::endl;
}

// Calls the knot server back as a webhook service does.
void respond(const json& hook, const std::string& verdict) {
    const std::string respond_url = hook.value("respond_url", "");
    const std::string credential = hook.value("credential", "");
    json result;
    try {
        const Poco::URI uri(respond_url);
        Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathEtc(),
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.set("Authorization", "Bearer " + credential);
        request.setContentType("application/json");
        json answer = {{"verdict", verdict}, {"reason", "from the webhook"}};
        if (fs::exists(g_dir / "webhook.key")) {
            const auto parsed = knot::verdict_from_word(verdict);
            const std::int64_t now = knot::unix_now();
            answer["timestamp"] = now;
            answer["signature"] =
                knot::Identity::load(g_dir / "webhook.key")
                    .sign(knot::review_statement(
                        hook.value("room_id", ""), hook.value("review_id", ""),
                        hook.value("candidate", ""), parsed.value_or(knot::Verdict::warn),
                        "from the webhook", now));
        }
        const std::string body = answer.dump();
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        std::stringstream text;
        text << in.rdbuf();
        result = {{"status", static_cast<int>(response.getStatus())}, {"body", text.str()}};
    } catch (const std::exception& error) {
        result = {{"status", 0}, {"body", error.what()}};
    }
    append(g_dir / "callbacks.jsonl", result,
           "callback " + std::to_string(result.value("status", 0)));
}

class Handler : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
        std::stringstream text;
        text << request.stream().rdbuf();
        const json body = json::parse(text.str(), nullptr, false);
        const std::string path = request.getURI();
        append(g_dir / "requests.jsonl",
               {{"path", path},
                {"api_key", request.get("x-api-key", "")},
                {"version", request.get("anthropic-version", "")},
                {"body", body}},
               "request " + path);
        response.setContentType("application/json");
        if (path == "/v1/messages") {
            if (request.get("x-api-key", "") != read_text(g_dir / "expected_key", "")) {
                response.setStatus(Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED);
                response.send() << json{{"type", "error"},
                                        {"error",
                                         {{"type", "authentication_error"},
                                          {"message", "invalid x-api-key"}}}}
                                       .dump();
                return;
            }
            for (int waited = 0; fs::exists(g_dir / "model_hang") && waited < 6000; ++waited)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            const std::string answer = read_text(g_dir / "model_answer", "PASS: looks right");
            response.send() << json{
                {"id", "msg_standin"},
                {"type", "message"},
                {"role", "assistant"},
                {"model", body.value("model", "")},
                {"content", json::array({{{"type", "text"}, {"text", answer}}})},
                {"stop_reason",
                 "end_turn"}}.dump();
            return;
        }
        if (path == "/hook") {
            response.setStatus(Poco::Net::HTTPResponse::HTTP_ACCEPTED);
            response.send() << "{}";
            if (fs::exists(g_dir / "webhook_verdict") && body.is_object())
                std::thread(respond, body, read_text(g_dir / "webhook_verdict", "PASS")).detach();
            return;
        }
        response.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
        response.send() << "{}";
    }
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    Poco::Net::HTTPRequestHandler*
    createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler;
    }
};

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: knot_test_review_standin <dir>\n";
        return 2;
    }
    g_dir = argv[1];
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    Poco::Net::HTTPServer server(new Factory, socket, new Poco::Net::HTTPServerParams);
    server.start();
    std::cout << socket.address().port() << std::endl;
    for (;;)
        ::pause();
}
