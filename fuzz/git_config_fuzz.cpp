// Fuzzes the native git-config reader (libknot/git/git_config_file.*) that hooks use for speed.
#include "libknot/base/error.hpp"
#include "libknot/git/git_config_file.hpp"

#include <cstdint>
#include <string>
#include <string_view>

// The whole input is one config file; the keys knot reads, and a few that the file's own text
// suggests, are looked up in it.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const knot::GitConfigFile file = knot::GitConfigFile::parse(text);
        for (const char* key : {"knot.server", "knot.room", "knot.agent", "knot.autolock",
                                "remote.knot.url", "core.hooksPath", "include.path"})
            static_cast<void>(file.get(key));
        static_cast<void>(file.has_includes());
        // Keys of any shape, as a caller might pass them.
        const std::size_t cut = text.find('\n');
        static_cast<void>(file.get(text.substr(0, cut)));
        static_cast<void>(knot::normalise_config_key(text.substr(0, cut)));
    } catch (const knot::Error&) {
        // A syntax error, reported with its line.
    }
    return 0;
}
