// Fuzzes the remote helper's reading of git's commands and batches
// (git-remote-knot/helper_command.*).
#include "git-remote-knot/helper_command.hpp"
#include "libknot/base/error.hpp"

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

// The whole input is what git writes on the helper's stdin; commands are read until the
// conversation ends or a line is refused.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    try {
        while (const auto command = knot::remote::read_command(in)) {
            if (command->kind == knot::remote::CommandKind::fetch && command->fetches.empty())
                std::abort();
            if (command->kind == knot::remote::CommandKind::push && command->pushes.empty())
                std::abort();
            for (const auto& push : command->pushes)
                if (push.spec.empty() && (push.force || !push.src.empty() || !push.dst.empty()))
                    std::abort();
        }
    } catch (const knot::Error&) {
        // An unknown command or a malformed batch: the helper ends with that message.
    }
    return 0;
}
