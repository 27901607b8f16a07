// Reading UTF-8 (see utf8.hpp).
#include "libknot/base/utf8.hpp"

namespace knot {

std::optional<std::uint32_t> next_code_point(std::string_view text, std::size_t& at) {
    const auto lead = static_cast<unsigned char>(text[at]);
    std::uint32_t code_point = 0;
    std::size_t length = 1;
    if (lead < 0x80) {
        code_point = lead;
    } else if ((lead & 0xe0) == 0xc0) {
        code_point = lead & 0x1fu;
        length = 2;
    } else if ((lead & 0xf0) == 0xe0) {
        code_point = lead & 0x0fu;
        length = 3;
    } else if ((lead & 0xf8) == 0xf0) {
        code_point = lead & 0x07u;
        length = 4;
    } else {
        return std::nullopt;
    }
    if (at + length > text.size())
        return std::nullopt;
    for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(text[at + k]);
        if ((next & 0xc0) != 0x80)
            return std::nullopt;
        code_point = (code_point << 6) | (next & 0x3fu);
    }
    at += length;
    return code_point;
}

bool is_valid_utf8(std::string_view text) {
    static constexpr std::uint32_t k_smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t start = at;
        const auto point = next_code_point(text, at);
        if (!point || *point < k_smallest[at - start] || *point > 0x10ffff ||
            (*point >= 0xd800 && *point <= 0xdfff))
            return false;
    }
    return true;
}

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes)
        return text;
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    return text.substr(0, cut);
}

std::string terminal_text(std::string_view text, bool lines) {
    std::string out;
    out.reserve(text.size());
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t start = at;
        const auto point = next_code_point(text, at);
        if (!point || !is_valid_utf8(text.substr(start, at - start))) {
            at = point ? at : start + 1;
            out += '?';
            continue;
        }
        const bool kept_space = lines && (*point == '\n' || *point == '\t');
        if ((*point < 0x20 || *point == 0x7f || (*point >= 0x80 && *point < 0xa0)) && !kept_space)
            out += '?';
        else
            out.append(text.substr(start, at - start));
    }
    return out;
}

} // namespace knot
