// Calls to a review model and a review webhook (see review_services.hpp).
#include "review_services.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/url.hpp"
#include "libknot/client/http_client.hpp"
#include "libknot/protocol/strict_json.hpp"

#include <nlohmann/json.hpp>

#include <istream>

namespace knot::server {
namespace {

constexpr std::size_t k_max_answer = 1 << 20;
constexpr int k_max_tokens = 1024;
constexpr std::size_t k_max_answer_depth = 16;

struct Reply {
    int status = 0;
    std::string body; // at most k_max_answer bytes
};

Reply post(const std::string& url_text, const std::string& body,
           const std::map<std::string, std::string>& headers, std::chrono::seconds timeout,
           const std::string& what) {
    const auto url = parse_url(url_text);
    if (!url)
        throw Error(what + " URL is not an http(s) URL");
    HttpClient client(url->origin(), timeout);
    Reply reply;
    try {
        client.request_streamed("POST", url->path.empty() ? "/" : url->path, body, headers,
                                [&](int status, std::istream& in) {
                                    reply.status = status;
                                    char buffer[8192];
                                    while (reply.body.size() < k_max_answer &&
                                           in.read(buffer, sizeof buffer).gcount() > 0)
                                        reply.body.append(buffer,
                                                          static_cast<std::size_t>(in.gcount()));
                                });
    } catch (const Error& error) {
        throw Error(what + " at " + url->origin() + " could not be reached: " + error.what());
    }
    return reply;
}

} // namespace

std::string ask_model(const std::string& base_url, const std::string& key, const std::string& model,
                      const std::string& prompt, std::chrono::seconds timeout) {
    std::string base = base_url;
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    const nlohmann::json request = {
        {"model", model},
        {"max_tokens", k_max_tokens},
        {"messages", nlohmann::json::array({{{"role", "user"}, {"content", prompt}}})}};
    // The prompt holds the change's bytes, which need not be UTF-8: they go as U+FFFD (a
    // throwing dump would skip the review, a WARN the change's author could choose).
    const Reply reply = post(base + "/v1/messages",
                             request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                             {{"x-api-key", key}, {"anthropic-version", "2023-06-01"}}, timeout,
                             "the review model's API");
    nlohmann::json answer;
    try {
        answer = parse_strict_json(reply.body, k_max_answer_depth);
    } catch (const StrictJsonError&) {
        throw Error("the review model's API answered " + std::to_string(reply.status) +
                    " with something that is not JSON");
    }
    if (reply.status != 200) {
        std::string message;
        if (answer.is_object() && answer.contains("error") && answer["error"].is_object() &&
            answer["error"].contains("message") && answer["error"]["message"].is_string())
            message = ": " + answer["error"]["message"].get<std::string>().substr(0, 300);
        throw Error("the review model's API refused the request (" + std::to_string(reply.status) +
                    ")" + message);
    }
    std::string text;
    if (answer.is_object() && answer.contains("content") && answer["content"].is_array())
        for (const auto& block : answer["content"])
            if (block.is_object() && block.contains("type") && block["type"] == "text" &&
                block.contains("text") && block["text"].is_string())
                text += block["text"].get<std::string>();
    if (text.empty())
        throw Error("the review model's API gave no text");
    return text;
}

void post_webhook(const std::string& url, const std::string& body, std::chrono::seconds timeout) {
    const Reply reply = post(url, body, {}, timeout, "the review webhook");
    if (reply.status < 200 || reply.status > 299)
        throw Error("the review webhook answered " + std::to_string(reply.status));
}

} // namespace knot::server
