// The chat line of `git knot dash` (see dash_input.hpp).
#include "git-knot/dash_input.hpp"

#include "git-knot/dash_screen.hpp"
#include "libknot/base/ascii.hpp"
#include "libknot/base/utf8.hpp"

namespace knot {
namespace {

// The bytes of a UTF-8 character that starts with `lead`; 0 for a byte that cannot start one.
std::size_t sequence_length(unsigned char lead) {
    if (lead >= 0xc2 && lead <= 0xdf)
        return 2;
    if (lead >= 0xe0 && lead <= 0xef)
        return 3;
    if (lead >= 0xf0 && lead <= 0xf4)
        return 4;
    return 0;
}

bool is_continuation(unsigned char c) {
    return (c & 0xc0) == 0x80;
}

// Removes the last character of `text`: its continuation bytes and its lead byte.
void pop_character(std::string& text) {
    while (!text.empty() && is_continuation(static_cast<unsigned char>(text.back())))
        text.pop_back();
    if (!text.empty())
        text.pop_back();
}

} // namespace

TypedKeys LineEditor::feed(std::string_view bytes) {
    TypedKeys out;
    for (const char c : bytes)
        key(static_cast<unsigned char>(c), out);
    // An escape alone at the end of what was read is the Esc key, not the start of a sequence:
    // terminals send a key's whole sequence at once. It does nothing.
    if (m_escape == Escape::started)
        m_escape = Escape::none;
    return out;
}

void LineEditor::set_text(std::string_view text) {
    m_text = std::string(utf8_prefix(text, m_max_bytes));
}

void LineEditor::append(std::string_view character) {
    if (m_text.size() + character.size() <= m_max_bytes)
        m_text += character;
}

void LineEditor::key(unsigned char c, TypedKeys& out) {
    switch (m_escape) {
    case Escape::started:
        m_escape = c == '[' ? Escape::csi : c == 'O' ? Escape::ss3 : Escape::none;
        return;
    case Escape::csi:
        // Parameter and intermediate bytes go on; a final byte (or anything else) ends it.
        if (c < 0x20 || c > 0x3f)
            m_escape = Escape::none;
        return;
    case Escape::ss3:
        m_escape = Escape::none;
        return;
    case Escape::none:
        break;
    }
    if (!m_partial.empty()) {
        if (is_continuation(c)) {
            m_partial += static_cast<char>(c);
            if (m_partial.size() == sequence_length(static_cast<unsigned char>(m_partial[0]))) {
                // Well-formed and printable only: no surrogates, overlong forms or C1 controls.
                std::size_t at = 0;
                const auto point = next_code_point(m_partial, at);
                if (is_valid_utf8(m_partial) && point && *point >= 0xa0)
                    append(m_partial);
                m_partial.clear();
            }
            return;
        }
        m_partial.clear(); // cut short: dropped, and `c` is read afresh
    }
    if (c >= 0x80) {
        if (sequence_length(c) > 0)
            m_partial = std::string(1, static_cast<char>(c));
        return;
    }
    switch (c) {
    case 0x1b:
        m_escape = Escape::started;
        return;
    case '\r':
    case '\n':
        if (!trim_whitespace(m_text).empty())
            out.submitted.push_back(m_text);
        m_text.clear();
        return;
    case 0x7f:
    case 0x08:
        pop_character(m_text);
        return;
    case 0x15: // Ctrl-U
        m_text.clear();
        return;
    case 0x17: // Ctrl-W: the spaces before the cursor, then the word
        while (!m_text.empty() && m_text.back() == ' ')
            m_text.pop_back();
        while (!m_text.empty() && m_text.back() != ' ')
            pop_character(m_text);
        return;
    case 0x04: // Ctrl-D
        out.quit = out.quit || m_text.empty();
        return;
    case '\t':
        append(" ");
        return;
    default:
        if (c >= 0x20 && c < 0x7f)
            append(std::string_view(reinterpret_cast<const char*>(&c), 1));
        return;
    }
}

std::string input_line(std::string_view prompt, std::string_view text, int cols, int& cursor) {
    cols = std::max(cols, 1);
    const int prompt_columns = text_columns(prompt);
    const int text_width = text_columns(text);
    if (prompt_columns + text_width < cols) {
        cursor = prompt_columns + text_width;
        return std::string(prompt) + std::string(text);
    }
    // The end of the text that fits after the prompt and "…", with the cursor's column free.
    const int room = cols - prompt_columns - 2;
    if (room <= 0) {
        cursor = cols - 1;
        return fit_to_columns(prompt, cols - 1);
    }
    std::size_t start = text.size();
    int used = 0;
    while (start > 0) {
        std::size_t begin = start - 1;
        while (begin > 0 && is_continuation(static_cast<unsigned char>(text[begin])))
            --begin;
        const int width = text_columns(text.substr(begin, start - begin));
        if (used + width > room)
            break;
        used += width;
        start = begin;
    }
    cursor = prompt_columns + 1 + used;
    return std::string(prompt) + "…" + std::string(text.substr(start));
}

} // namespace knot
