// What git says to a remote helper, parsed (see helper_command.hpp).
#include "helper_command.hpp"

#include "libknot/base/error.hpp"

#include <istream>

namespace knot::remote {
namespace {

bool starts_with(const std::string& text, std::string_view prefix) {
    return text.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

FetchLine parse_fetch_line(const std::string& line) {
    if (!starts_with(line, "fetch "))
        throw Error("malformed fetch batch from git: " + line);
    const std::size_t space = line.find(' ', 6);
    FetchLine fetch;
    fetch.oid = line.substr(6, space == std::string::npos ? std::string::npos : space - 6);
    if (space != std::string::npos)
        fetch.name = line.substr(space + 1);
    return fetch;
}

PushLine parse_push_line(const std::string& line) {
    if (!starts_with(line, "push "))
        throw Error("malformed push batch from git: " + line);
    PushLine push;
    push.spec = line.substr(5);
    push.force = !push.spec.empty() && push.spec.front() == '+';
    const std::string bare = push.force ? push.spec.substr(1) : push.spec;
    const std::size_t colon = bare.find(':');
    push.src = bare.substr(0, colon);
    push.dst = colon == std::string::npos ? bare : bare.substr(colon + 1);
    return push;
}

std::optional<Command> read_command(std::istream& in) {
    std::string line;
    if (!std::getline(in, line) || line.empty())
        return std::nullopt;
    Command command;
    if (line == "capabilities") {
        command.kind = CommandKind::capabilities;
    } else if (starts_with(line, "option ")) {
        command.kind = CommandKind::option;
        const std::string rest = line.substr(7);
        const std::size_t space = rest.find(' ');
        command.option_name = rest.substr(0, space);
        command.option_value = space == std::string::npos ? "" : rest.substr(space + 1);
    } else if (line == "list") {
        command.kind = CommandKind::list;
    } else if (line == "list for-push") {
        command.kind = CommandKind::list_for_push;
    } else if (starts_with(line, "fetch ") || starts_with(line, "push ")) {
        const bool fetch = starts_with(line, "fetch ");
        command.kind = fetch ? CommandKind::fetch : CommandKind::push;
        // The batch ends at a blank line; git sends nothing else until the helper answers it.
        for (bool more = true; more; more = std::getline(in, line) && !line.empty()) {
            if (fetch)
                command.fetches.push_back(parse_fetch_line(line));
            else
                command.pushes.push_back(parse_push_line(line));
        }
    } else {
        throw Error("unknown command from git: " + line);
    }
    return command;
}

} // namespace knot::remote
