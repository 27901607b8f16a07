// One screen of `git knot dash` (see dash_screen.hpp).
#include "git-knot/dash_screen.hpp"

#include "libknot/base/utf8.hpp"
#include "libknot/client/event_format.hpp"
#include "libknot/client/room_client.hpp"
#include "libknot/protocol/wire_reader.hpp"

#include <algorithm>
#include <array>
#include <ctime>

namespace knot {
namespace {

// The terminal columns of code point `c`: 0 for combining marks, 2 for East Asian wide and
// full-width characters and the emoji blocks, else 1 (what wcwidth says in a UTF-8 locale, for
// the characters a room's names, titles and paths hold, without depending on the locale).
int code_point_columns(std::uint32_t c) {
    static constexpr std::array<std::pair<std::uint32_t, std::uint32_t>, 5> zero = {
        {{0x0300, 0x036f}, {0x1ab0, 0x1aff}, {0x1dc0, 0x1dff}, {0x200b, 0x200f}, {0x20d0, 0x20ff}}};
    static constexpr std::array<std::pair<std::uint32_t, std::uint32_t>, 12> wide = {
        {{0x1100, 0x115f},
         {0x2e80, 0x303e},
         {0x3041, 0x33ff},
         {0x3400, 0x4dbf},
         {0x4e00, 0x9fff},
         {0xa000, 0xa4cf},
         {0xac00, 0xd7a3},
         {0xf900, 0xfaff},
         {0xfe30, 0xfe4f},
         {0xff00, 0xff60},
         {0xffe0, 0xffe6},
         {0x1f300, 0x3fffd}}};
    for (const auto& [first, last] : zero)
        if (c >= first && c <= last)
            return 0;
    for (const auto& [first, last] : wide)
        if (c >= first && c <= last)
            return 2;
    return 1;
}

// One character as the terminal gets it: its bytes and its columns.
struct Glyph {
    std::string_view bytes;
    int columns = 1;
};

// The characters of `text`, each unprintable one (a control character, a byte that is not
// UTF-8) replaced by '?', so nothing from the room can move the cursor or change the terminal.
std::vector<Glyph> glyphs_of(std::string_view text) {
    std::vector<Glyph> out;
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t start = at;
        const auto point = next_code_point(text, at);
        const bool printable = point && is_valid_utf8(text.substr(start, at - start)) &&
                               *point >= 0x20 && *point != 0x7f &&
                               !(*point >= 0x80 && *point < 0xa0);
        if (!printable) {
            at = point ? at : start + 1;
            out.push_back({"?", 1});
            continue;
        }
        out.push_back({text.substr(start, at - start), code_point_columns(*point)});
    }
    return out;
}

// A section: its title (with its count) and its item lines, shown as room allows.
struct Section {
    std::string title;
    std::vector<std::string> items;
    bool newest_last = false; // cut from the front (events), else from the back
};

// How many item lines each section gets out of `budget`: all it has when everything fits; else
// rounds of an even share of what is left among the sections still wanting, in order, so a
// long section never crowds out the others.
std::vector<std::size_t> share_rows(const std::vector<Section>& sections, std::size_t budget) {
    std::vector<std::size_t> given(sections.size(), 0);
    while (budget > 0) {
        std::size_t wanting = 0;
        for (std::size_t i = 0; i < sections.size(); ++i)
            wanting += given[i] < sections[i].items.size() ? 1 : 0;
        if (wanting == 0)
            break;
        const std::size_t share = std::max<std::size_t>(1, budget / wanting);
        for (std::size_t i = 0; i < sections.size() && budget > 0; ++i) {
            const std::size_t more = std::min({share, sections[i].items.size() - given[i], budget});
            given[i] += more;
            budget -= more;
        }
    }
    return given;
}

// The section's lines in `rows` item lines: all of them, or rows - 1 and "  +N more".
std::vector<std::string> shown_items(const Section& section, std::size_t rows) {
    const auto& items = section.items;
    if (rows >= items.size())
        return items;
    if (rows == 0)
        return {};
    const std::size_t kept = rows - 1;
    const std::string more = "  +" + std::to_string(items.size() - kept) + " more";
    std::vector<std::string> out;
    if (section.newest_last) {
        out.push_back(more);
        out.insert(out.end(), items.end() - static_cast<std::ptrdiff_t>(kept), items.end());
    } else {
        out.assign(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(kept));
        out.push_back(more);
    }
    return out;
}

std::string task_line(const wire::Task& task) {
    std::string line = "  " + task.id + " " + task.status + "  " + task.title;
    if (!task.claimed_by_name.value_or("").empty())
        line += "  (" + *task.claimed_by_name + ")";
    return line;
}

std::string integration_line(const IntegrationState& integration) {
    std::string line =
        "integration  " +
        (integration.commit.empty() ? std::string("none yet") : integration.commit.substr(0, 8));
    if (integration.run > 0)
        line += "  run " + std::to_string(integration.run) + " " + integration.status + ": " +
                integration.summary;
    return line;
}

} // namespace

int text_columns(std::string_view text) {
    int columns = 0;
    for (const auto& glyph : glyphs_of(text))
        columns += glyph.columns;
    return columns;
}

std::string fit_to_columns(std::string_view text, int cols) {
    const auto glyphs = glyphs_of(text);
    int total = 0;
    for (const auto& glyph : glyphs)
        total += glyph.columns;
    const int room = total <= cols ? cols : cols - 1; // one column for "…" when cut
    std::string out;
    int used = 0;
    for (const auto& glyph : glyphs) {
        if (used + glyph.columns > room)
            break;
        out += glyph.bytes;
        used += glyph.columns;
    }
    if (total > cols && cols > 0)
        out += "…";
    return out;
}

DashData fetch_dash_data(RoomClient& client) {
    DashData data;
    data.room = client.get("").get<wire::Room>();
    data.tasks =
        wire::FieldReader(client.get("/tasks"), "tasks answer").objects<wire::Task>("tasks");
    data.locks =
        wire::FieldReader(client.get("/locks"), "locks answer").objects<wire::Lock>("locks");
    data.integration = integration_state(client.get("/integration?limit=1"));
    return data;
}

std::vector<std::string> dash_screen(const DashData& data, const std::deque<std::string>& events,
                                     const std::string& state, DashMode mode, int rows, int cols,
                                     std::int64_t now, const DashChat* chat) {
    rows = std::max(rows, 1);
    cols = std::max(cols, 1);
    if (chat)
        --rows; // the input line's
    std::string header = "knot  " + data.room.name + " (" + data.room.room + ")  [" + state + "]";
    if (mode == DashMode::live)
        header += "  " + local_clock(now) + "  Ctrl-C quits";

    Section agents, tasks, locks, recent;
    std::size_t online = 0;
    for (const auto& agent : data.room.agents) {
        online += agent.online ? 1 : 0;
        std::string line = std::string("  ") + (agent.online ? "●" : "○") + " " + agent.name;
        if (!agent.status.empty())
            line += "  " + agent.status;
        agents.items.push_back(line);
    }
    agents.title = "agents  " + std::to_string(agents.items.size()) + ", " +
                   std::to_string(online) + " online";
    for (const auto& task : data.tasks)
        if (task.status != "done")
            tasks.items.push_back(task_line(task));
    tasks.title = "tasks  " + std::to_string(tasks.items.size()) + " open";
    for (const auto& lock : data.locks)
        locks.items.push_back("  " + lock.path + "  " + lock.agent_name + "  " +
                              relative_time(lock.expires_at, now));
    locks.title = "locks  " + std::to_string(locks.items.size());
    for (const auto& event : events)
        recent.items.push_back("  " + event);
    recent.newest_last = true;
    recent.title = "events";
    Section talk;
    if (chat) {
        for (const auto& message : chat->messages)
            talk.items.push_back("  " + message);
        talk.newest_last = true;
        talk.title = chat->status.empty() ? "chat" : "chat  " + chat->status;
    }

    std::vector<std::string> lines = {header};
    const std::string integration = integration_line(data.integration);
    // The header, the titles and the integration line.
    const int k_fixed_lines = chat ? 7 : 6;
    if (rows < k_fixed_lines) {
        lines.push_back(agents.title + " · " + tasks.title + " · " + locks.title);
        lines.push_back(integration);
        for (auto it = events.rbegin();
             it != events.rend() && lines.size() < static_cast<std::size_t>(rows); ++it)
            lines.push_back("  " + *it);
    } else {
        std::vector<Section> sections = {agents, tasks, locks, recent};
        if (chat)
            sections.push_back(talk);
        const auto given = share_rows(sections, static_cast<std::size_t>(rows - k_fixed_lines));
        for (std::size_t i = 0; i < sections.size(); ++i) {
            if (i == 3)
                lines.push_back(integration);
            if (i == 4) // the chat: the rows to spare go above it, so it sits on the input line
                lines.resize(lines.size() + (static_cast<std::size_t>(rows) - lines.size() - 1 -
                                             std::min(sections[i].items.size(), given[i])));
            lines.push_back(sections[i].title);
            for (auto& line : shown_items(sections[i], given[i]))
                lines.push_back(std::move(line));
        }
    }
    if (lines.size() > static_cast<std::size_t>(rows))
        lines.resize(static_cast<std::size_t>(std::max(rows, 0)));
    if (chat) {
        lines.resize(static_cast<std::size_t>(std::max(rows, 0))); // the input on the last row
        lines.push_back(chat->input);
    }
    for (auto& line : lines)
        line = fit_to_columns(line, cols);
    return lines;
}

} // namespace knot
