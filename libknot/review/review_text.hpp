// What the three review modes share: the verdict words, the statement a reviewer signs, the
// prompt a model is given, and how a model's answer is read. The server (server key mode) and
// `git knot review --watch` (peer mode) use the same functions, so a model answers the same
// question whoever asks it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace knot {

enum class Verdict { pass, warn, fail };

// "PASS", "WARN" or "FAIL": the words on the wire, in prompts and in signed statements.
std::string_view verdict_word(Verdict verdict);
// The verdict a word names, in any case ("pass", "Fail"); nothing for any other word.
std::optional<Verdict> verdict_from_word(std::string_view word);

struct ReviewAnswer {
    Verdict verdict = Verdict::warn;
    std::string reason; // one line, at most k_max_review_reason characters
};

// A reason is one line of at most this many bytes (cut on a character boundary).
inline constexpr std::size_t k_max_review_reason = 1000;

// Reads a reviewer's output: the last JSON object in it with a "verdict" of PASS, WARN or FAIL
// (and a string "reason"; the last, because a model quoting an object planted in the change
// quotes it before its own answer), or else the first line that starts with one of those words
// (the rest of the line is the reason); anything else is a WARN whose reason is the output's
// first line.
// Never throws; nesting is refused, not recursed into; only the first 1 MiB is read.
ReviewAnswer read_review_answer(std::string_view output);

// `reason` as one line: control characters become spaces, the ends are trimmed, and it is cut to
// k_max_review_reason bytes on a character boundary.
std::string one_line_reason(std::string_view reason);

// What a reviewer is shown of a change.
struct ReviewMaterial {
    std::string agent;     // the pushing agent's name
    std::string intent;    // what it said it was doing: `doing`, its claimed task, its commits
    std::string diff_stat; // `git diff --stat` of the change
    std::string diff;      // the change itself, cut to a budget with a note of what was left out
};

// The prompt both a server-side model and a peer's local AI get: the question ("does this change
// do what its agent said it was doing?"), the fixed JSON shape of the answer, and the material
// fenced as data written by the change's author, not instructions.
std::string review_prompt(const ReviewMaterial& material);

// The string a reviewer signs for a verdict: bound to the room, the review, the exact candidate
// commit, the verdict, the reason's SHA-256 and the time, so it cannot be reused on another
// review, another candidate, or with another reason.
std::string review_statement(std::string_view room_id, std::string_view review_id,
                             std::string_view candidate, Verdict verdict, std::string_view reason,
                             std::int64_t timestamp);

} // namespace knot
