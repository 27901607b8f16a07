// One screen of `git knot dash`: the room's header, agents, open tasks, locks, the integration
// ref and the newest events, laid out to fit a terminal of any size.
#pragma once

#include "libknot/client/sync_summary.hpp"
#include "libknot/protocol/wire.hpp"

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace knot {

class RoomClient;

// What the dashboard shows of the room, as read from the server.
struct DashData {
    wire::Room room; // GET /v1/rooms/<room>: room, name, agents
    std::vector<wire::Task> tasks;
    std::vector<wire::Lock> locks;
    IntegrationState integration;
};

// Reads the room, its tasks, its locks and its newest integration run. Throws as RoomClient does.
DashData fetch_dash_data(RoomClient& client);

// live: redrawn until Ctrl-C (the header says how to quit and shows the clock); snapshot: drawn
// once (--once, or output that is not a terminal).
enum class DashMode { live, snapshot };

// The chat part of a live dashboard that has a chat line (stdin is a terminal).
struct DashChat {
    std::deque<std::string> messages; // the room's chat messages, oldest first, as event_line
    std::string status;               // what the chat's title line adds: "sending", "not sent: ..."
    std::string input;                // the chat line as input_line draws it (dash_input.hpp)
};

// The screen's lines, at most `rows` of at most `cols` columns each (both at least 1). With six
// rows or more every section has its title line (with its count) and the header comes first;
// the rows left are shared among the sections' items, each getting what it needs when all fit,
// else an even share; a section cut short ends with "  +N more" (the events keep their newest,
// the "+N more" line standing for the older ones above them). With fewer rows the sections are
// summed up on one line under the header. Times (lock expiry, task claims) are relative to
// `now`. Text from the room is shown without its control characters. With `chat`, the last row
// is its input line (the rows above it filled, empty when nothing is left to show) and a "chat"
// section of its messages comes after the events (eight rows
// then have every title; with fewer, the summary line as above, the input line last).
std::vector<std::string> dash_screen(const DashData& data, const std::deque<std::string>& events,
                                     const std::string& state, DashMode mode, int rows, int cols,
                                     std::int64_t now, const DashChat* chat = nullptr);

// `text` fitted to `cols` terminal columns: characters that are not printable (control
// characters, bytes that are not UTF-8) become '?', and a longer text is cut with "…" as its
// last column. East Asian wide characters take two columns, combining marks none.
std::string fit_to_columns(std::string_view text, int cols);

// The columns `text` takes on a terminal, counted as fit_to_columns counts them.
int text_columns(std::string_view text);

} // namespace knot
