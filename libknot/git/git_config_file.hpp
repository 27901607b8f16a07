// A reader of one git config file, fast enough for hooks: a `git config` child per key costs
// more than a hook may. It reads the syntax git writes; a file that uses includes is reported
// as such so the caller (GitRepo::config_get) asks the git binary instead.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace knot {

class GitConfigFile {
public:
    // Parses `path`; a missing file is an empty config. Throws knot::Error on a syntax error.
    static GitConfigFile read(const std::filesystem::path& path);
    static GitConfigFile parse(std::string_view text);

    // The last value of `key` ("section.key" or "section.subsection.key"; section and key are
    // case-insensitive, the subsection is not).
    std::optional<std::string> get(std::string_view key) const;
    // True when the file includes others ([include] or [includeIf]): its values are incomplete.
    bool has_includes() const { return m_has_includes; }

private:
    std::map<std::string, std::string> m_values;
    bool m_has_includes = false;
};

// Lower-cases the section and key of "section.subsection.key", leaving the subsection alone.
std::string normalise_config_key(std::string_view key);

} // namespace knot
