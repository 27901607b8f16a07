// What git says to a remote helper (gitremote-helpers(7)), parsed without any I/O of the
// helper's own, so that it can be unit-tested and fuzzed apart from the server and the clone.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace knot::remote {

// One line of a fetch batch: "fetch <oid> <name>".
struct FetchLine {
    std::string oid;
    std::string name; // "" when git sent none
};

// One line of a push batch: "push [+]<src>:<dst>"; `src` is empty for a deletion.
struct PushLine {
    std::string spec; // [+]<src>:<dst>, as git wrote it
    bool force = false;
    std::string src;
    std::string dst;
};

enum class CommandKind { capabilities, option, list, list_for_push, fetch, push };

struct Command {
    CommandKind kind = CommandKind::capabilities;
    std::string option_name;        // option: its name
    std::string option_value;       // option: its value, "" when none
    std::vector<FetchLine> fetches; // fetch: the whole batch, first line included
    std::vector<PushLine> pushes;   // push: the whole batch, first line included
};

// Reads the next command from `in`; a fetch or push command takes the rest of its batch, up to
// the blank line that ends it (or the end of input). Returns nothing when git ends the
// conversation (a blank line outside a batch, or the end of input). Throws knot::Error naming
// the line for an unknown command or a batch line that is not of its batch's kind.
std::optional<Command> read_command(std::istream& in);

// "fetch <oid> <name>" and "push [+]<src>:<dst>". Throw knot::Error when `line` does not start
// with "fetch " or "push " respectively.
FetchLine parse_fetch_line(const std::string& line);
PushLine parse_push_line(const std::string& line);

} // namespace knot::remote
