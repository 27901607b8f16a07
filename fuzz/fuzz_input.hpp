// Splits a fuzzer's input into the fields a harness needs: bytes, lines and the rest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace knot::fuzz {

// A cursor over the input. Reading past the end gives zeros and empty strings, so every input
// is a valid one and the fuzzer need not learn a framing first.
class Input {
public:
    Input(const std::uint8_t* data, std::size_t size)
        : m_text(reinterpret_cast<const char*>(data), size) {}

    // The next byte, or 0 at the end.
    std::uint8_t byte() {
        if (m_pos >= m_text.size())
            return 0;
        return static_cast<std::uint8_t>(m_text[m_pos++]);
    }
    // The text up to the next '\n' (not included), or up to the end.
    std::string line() {
        const std::size_t end = m_text.find('\n', m_pos);
        const std::size_t stop = end == std::string_view::npos ? m_text.size() : end;
        std::string out(m_text.substr(m_pos, stop - m_pos));
        m_pos = end == std::string_view::npos ? m_text.size() : end + 1;
        return out;
    }
    // Everything not read yet.
    std::string rest() {
        std::string out(m_text.substr(m_pos));
        m_pos = m_text.size();
        return out;
    }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;
};

} // namespace knot::fuzz
