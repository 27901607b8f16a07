// Fuzzes how a reviewer's answer is read (libknot/review/review_text.cpp): a peer's local AI, a
// model behind the server's key or whatever answers at ANTHROPIC_BASE_URL writes it, and the
// verdict it gives gates integration.
#include "libknot/base/utf8.hpp"
#include "libknot/review/review_text.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

// Whatever the output, the answer is one of the three verdicts with a reason that is one line of
// valid UTF-8 within the bound, and a verdict line made of it reads back as the same verdict.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view output(reinterpret_cast<const char*>(data), size);
    const knot::ReviewAnswer answer = knot::read_review_answer(output);
    if (answer.reason.size() > knot::k_max_review_reason || !knot::is_valid_utf8(answer.reason))
        std::abort();
    for (const char c : answer.reason)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            std::abort();
    const knot::Verdict verdict = answer.verdict;
    if (verdict != knot::Verdict::pass && verdict != knot::Verdict::warn &&
        verdict != knot::Verdict::fail)
        std::abort();
    // A reason may hold a JSON object (which a reader tries first), so the line is built from
    // the verdict alone.
    if (knot::read_review_answer(std::string(knot::verdict_word(verdict)) + ": ok").verdict !=
        verdict)
        std::abort();
    return 0;
}
