// The signed statement of a patch and the rules for its id and ref (see patch_statement.hpp).
#include "libknot/protocol/patch_statement.hpp"

#include "libknot/protocol/crypto.hpp"
#include "libknot/protocol/refs.hpp"

namespace knot {

std::string statement_text(const PatchStatement& statement) {
    return "knot-patch-v1\npatch " + statement.id + "\nroom " + statement.room + "\nauthor " +
           statement.author + "\nbase " + statement.base + "\ntip " + statement.tip +
           "\nmessage-sha256 " + statement.message_sha256 + "\ntime " +
           std::to_string(statement.time);
}

bool is_patch_id(std::string_view id) {
    return id.size() == 11 && id[0] == 'p' &&
           id.find_first_not_of("0123456789abcdef", 1) == std::string_view::npos;
}

std::string new_patch_id() {
    return "p" + random_hex(5);
}

std::string patch_ref(std::string_view author_name, std::string_view id) {
    return std::string(k_knot_ref_prefix) + std::string(author_name) + "/patches/" +
           std::string(id);
}

bool is_patch_ref(std::string_view ref) {
    if (ref.substr(0, k_knot_ref_prefix.size()) != k_knot_ref_prefix)
        return false;
    const std::string_view rest = ref.substr(k_knot_ref_prefix.size());
    const std::size_t slash = rest.find('/');
    // An agent name is never empty, so "refs/knot//patches/x" is not one.
    return slash != std::string_view::npos && slash > 0 &&
           rest.substr(slash + 1, 8) == "patches/" && rest.size() > slash + 9;
}

} // namespace knot
