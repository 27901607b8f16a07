// The terminal as `git knot dash` uses it (see dash_terminal.hpp).
#include "git-knot/dash_terminal.hpp"

#include <iostream>
#include <sys/ioctl.h>
#include <unistd.h>

namespace knot {

TerminalSize terminal_size() {
    winsize size{};
    if (::ioctl(1, TIOCGWINSZ, &size) == 0 && size.ws_row > 0 && size.ws_col > 0)
        return {size.ws_row, size.ws_col};
    return {};
}

FullScreen::FullScreen() {
    std::cout << "\x1b[?1049h\x1b[?25l" << std::flush;
}

FullScreen::~FullScreen() {
    std::cout << "\x1b[?25h\x1b[?1049l" << std::flush;
}

RawKeys::RawKeys() {
    if (::tcgetattr(0, &m_old) != 0)
        return; // not a terminal: nothing to change or restore
    termios raw = m_old;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | IEXTEN);
    raw.c_iflag &= ~static_cast<tcflag_t>(IXON); // Ctrl-S would freeze the screen, not type
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    m_changed = ::tcsetattr(0, TCSANOW, &raw) == 0;
}

RawKeys::~RawKeys() {
    if (m_changed)
        ::tcsetattr(0, TCSANOW, &m_old);
}

void draw(const std::vector<std::string>& lines, int rows, int cursor_col) {
    std::string out = "\x1b[?25l"; // hidden while drawing, so it does not flicker across
    for (std::size_t i = 0; i < lines.size(); ++i)
        out += "\x1b[" + std::to_string(i + 1) + ";1H\x1b[2K" + lines[i];
    if (static_cast<int>(lines.size()) < rows)
        out += "\x1b[" + std::to_string(lines.size() + 1) + ";1H\x1b[J";
    if (cursor_col >= 0 && !lines.empty())
        out += "\x1b[" + std::to_string(lines.size()) + ";" + std::to_string(cursor_col + 1) +
               "H\x1b[?25h";
    std::cout << out << std::flush;
}

} // namespace knot
