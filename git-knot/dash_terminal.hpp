// The terminal as `git knot dash` uses it: its size, the alternate screen, keys read one at a
// time, and drawing a screen of lines without scrolling.
#pragma once

#include <string>
#include <termios.h>
#include <vector>

namespace knot {

struct TerminalSize {
    int rows = 24;
    int cols = 80;
};

// The size of the terminal on standard output, or 80x24 when it is not one.
TerminalSize terminal_size();

// The terminal's alternate screen with the cursor hidden, for as long as it lives: however dash
// ends, the shell's screen comes back as it was.
class FullScreen {
public:
    FullScreen();
    ~FullScreen();
    FullScreen(const FullScreen&) = delete;
    FullScreen& operator=(const FullScreen&) = delete;
};

// Standard input, a terminal, with neither echo nor line editing for as long as it lives, so each
// key arrives as it is typed (dash_input edits the line). Signals stay on: Ctrl-C is SIGINT, as
// before dash had a chat line. The terminal's settings come back when it is destroyed.
class RawKeys {
public:
    RawKeys();
    ~RawKeys();
    RawKeys(const RawKeys&) = delete;
    RawKeys& operator=(const RawKeys&) = delete;

private:
    termios m_old{};
    bool m_changed = false;
};

// Draws `lines` from the top left, each line cleared as it is written and the rest of a
// `rows`-line screen cleared after them. Nothing is written after the last row, so the terminal
// never scrolls (a newline there would push the header off the screen). With a `cursor_col` of 0
// or more the cursor is shown on the last line, at that column (from 0); else it stays hidden.
void draw(const std::vector<std::string>& lines, int rows, int cursor_col = -1);

} // namespace knot
