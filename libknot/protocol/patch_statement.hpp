// The signed statement of a patch (docs/protocol.md, "Patches"): the text its author signs, and
// the checks the server and the clients both apply to a patch's id and ref.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace knot {

// What an author vouches for. The content is pinned by `tip`, a commit id: whoever holds the
// statement and its signature can tell whether the commit a ref shows is the one signed.
struct PatchStatement {
    std::string id;             // "p" + 10 lower-case hex digits, chosen by the author
    std::string room;           // rm_...
    std::string author;         // ag_...: the agent whose key signs
    std::string base;           // the commit the patch applies onto (an ancestor of tip)
    std::string tip;            // the commit holding the patch's content
    std::string message_sha256; // lower-case hex SHA-256 of the message, byte for byte
    std::int64_t time = 0;      // unix seconds when the author signed
};

// The canonical text, lines joined by "\n" with no trailing newline:
//   knot-patch-v1 \n patch <id> \n room <room> \n author <author> \n base <oid> \n tip <oid>
//   \n message-sha256 <hex> \n time <unix>
std::string statement_text(const PatchStatement& statement);

// A patch id: "p" followed by 10 lower-case hex digits (40 random bits).
bool is_patch_id(std::string_view id);
// A fresh random patch id.
std::string new_patch_id();

// The ref a patch's tip is pushed to: refs/knot/<author name>/patches/<id>. Pushes there are
// stored and recorded but never integrated on their own (is_patch_ref).
std::string patch_ref(std::string_view author_name, std::string_view id);
// Whether `ref` is refs/knot/<name>/patches/<anything>: a push the server keeps without
// queueing an integration run.
bool is_patch_ref(std::string_view ref);

// The most a patch's message may hold, in bytes.
inline constexpr std::size_t k_max_patch_message_bytes = 4096;

} // namespace knot
