// The two outside services a review may go to: a model behind Anthropic's Messages API (the
// server key mode) and a webhook service (the webhook mode). Both are the host's choice (flags
// and environment), never a member's, and both answers are read bounded.
#pragma once

#include <chrono>
#include <string>

namespace knot::server {

// Asks the Messages API at `base_url` (ANTHROPIC_BASE_URL, e.g. https://api.anthropic.com;
// /v1/messages is appended) for `model`'s answer to `prompt` with `key`. Returns the text of its
// answer. Throws knot::Error with a reason for people that never holds the key.
std::string ask_model(const std::string& base_url, const std::string& key, const std::string& model,
                      const std::string& prompt, std::chrono::seconds timeout);

// POSTs `body` (JSON) to the webhook at `url`. Throws knot::Error saying why it was not
// accepted (unreachable, or a status other than 2xx).
void post_webhook(const std::string& url, const std::string& body, std::chrono::seconds timeout);

} // namespace knot::server
