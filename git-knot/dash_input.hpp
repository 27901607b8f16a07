// The chat line at the bottom of `git knot dash`: the keys typed, as a terminal in raw mode sends
// them, edited into a line, and the line drawn to fit its row.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace knot {

// What a run of keys asked for, in order: the lines to send and whether to quit.
struct TypedKeys {
    std::vector<std::string> submitted;
    bool quit = false;
};

// A one-line editor that appends at the end of its line. Printable characters (UTF-8, also split
// across reads) are added, a tab as a space, up to `max_bytes` (the server's limit on a
// message; what is typed past it is dropped). Backspace (DEL or Ctrl-H) removes the last
// character, Ctrl-W the last word, Ctrl-U the whole line. Enter (CR or LF) submits the line
// unless it is only white space, and empties it. Ctrl-D on an empty line quits, elsewhere it does
// nothing. Escape sequences (arrow and function keys, Alt with a key) and other control
// characters are ignored, so nothing but printable text ever enters the line.
class LineEditor {
public:
    explicit LineEditor(std::size_t max_bytes = 4000)
        : m_max_bytes(max_bytes) {}

    // Takes the bytes read from the terminal.
    TypedKeys feed(std::string_view bytes);
    const std::string& text() const { return m_text; }
    // Replaces the line (a message that could not be sent comes back to it); cut to `max_bytes`.
    void set_text(std::string_view text);

private:
    void key(unsigned char c, TypedKeys& out);
    void append(std::string_view character);

    enum class Escape { none, started, csi, ss3 };
    std::size_t m_max_bytes;
    std::string m_text;
    std::string m_partial; // the start of a UTF-8 character whose other bytes are still to come
    Escape m_escape = Escape::none;
};

// The chat line as drawn in `cols` columns (at least 1): `prompt` and `text`, or, when they do
// not fit with a column left for the cursor, the prompt, "…" and the end of `text` that fits.
// `cursor` gets the column, from 0, where the cursor goes: after the text.
std::string input_line(std::string_view prompt, std::string_view text, int cols, int& cursor);

} // namespace knot
