// The registry of git-knot's commands: each commands/<name>.cpp adds its own (command.hpp).
#include "command.hpp"

#include <algorithm>

namespace knot::cli {
namespace {

// Built during static initialisation, before main; a function-local static, so it exists
// before the first Registration whatever the order the object files are initialised in.
std::vector<Command>& registered() {
    static std::vector<Command> all;
    return all;
}

} // namespace

Registration::Registration(const Command& command) {
    registered().push_back(command);
}

const std::vector<Command>& commands() {
    static const std::vector<Command> sorted = [] {
        std::vector<Command> all = registered();
        std::sort(all.begin(), all.end(), [](const Command& a, const Command& b) {
            return std::string_view(a.name) < std::string_view(b.name);
        });
        return all;
    }();
    return sorted;
}

const Command* find_command(const std::string& name) {
    for (const Command& command : commands())
        if (name == command.name)
            return &command;
    return nullptr;
}

} // namespace knot::cli
