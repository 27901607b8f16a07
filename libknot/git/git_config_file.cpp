// A reader of one git config file (see git_config_file.hpp).
#include "libknot/git/git_config_file.hpp"

#include "libknot/base/ascii.hpp"
#include "libknot/base/error.hpp"
#include "libknot/base/file.hpp"

#include <cctype>

namespace knot {
namespace {

// Parses a section header such as [core] or [remote "origin"] into "core" / "remote.origin".
std::string parse_section(std::string_view line, int number) {
    const auto close = line.find(']');
    if (close == std::string_view::npos)
        throw Error("git config line " + std::to_string(number) + ": unterminated section");
    std::string_view inside = line.substr(1, close - 1);
    const auto quote = inside.find('"');
    if (quote == std::string_view::npos)
        return ascii_lower(trim_whitespace(inside));
    std::string name = ascii_lower(trim_whitespace(inside.substr(0, quote)));
    std::string sub;
    for (std::size_t i = quote + 1; i < inside.size() && inside[i] != '"'; ++i) {
        if (inside[i] == '\\' && i + 1 < inside.size())
            ++i;
        sub += inside[i];
    }
    return name + "." + sub;
}

// Reads a value from `text` at `pos` up to the end of the logical line: quotes, escapes,
// comments and continuation lines as git defines them.
std::string parse_value(std::string_view text, std::size_t& pos) {
    std::string value;
    bool quoted = false;
    std::size_t pending_space = 0;
    for (; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (c == '\n' && !quoted)
            break;
        if (!quoted && (c == '#' || c == ';')) {
            while (pos < text.size() && text[pos] != '\n')
                ++pos;
            break;
        }
        if (c == '"') {
            quoted = !quoted;
            continue;
        }
        if (c == '\\' && pos + 1 < text.size()) {
            const char next = text[++pos];
            if (next == '\n')
                continue;
            value.append(pending_space, ' ');
            pending_space = 0;
            value += next == 'n' ? '\n' : next == 't' ? '\t' : next == 'b' ? '\b' : next;
            continue;
        }
        if (!quoted && (c == ' ' || c == '\t' || c == '\r')) {
            if (!value.empty())
                ++pending_space;
            continue;
        }
        value.append(pending_space, ' ');
        pending_space = 0;
        value += c;
    }
    return value;
}

} // namespace

std::string normalise_config_key(std::string_view key) {
    const auto first = key.find('.');
    const auto last = key.rfind('.');
    if (first == std::string_view::npos)
        return ascii_lower(key);
    return ascii_lower(key.substr(0, first)) + std::string(key.substr(first, last - first)) +
           ascii_lower(key.substr(last));
}

GitConfigFile GitConfigFile::read(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return {};
    return parse(read_file(path));
}

GitConfigFile GitConfigFile::parse(std::string_view text) {
    GitConfigFile file;
    std::string section;
    int number = 1;
    std::size_t pos = 0;
    while (pos < text.size()) {
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r'))
            ++pos;
        if (pos >= text.size())
            break;
        const char c = text[pos];
        if (c == '\n') {
            ++pos;
            ++number;
            continue;
        }
        if (c == '#' || c == ';') {
            while (pos < text.size() && text[pos] != '\n')
                ++pos;
            continue;
        }
        if (c == '[') {
            const auto end = text.find('\n', pos);
            const auto line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
            section = parse_section(line, number);
            if (section == "include" || section.rfind("includeif.", 0) == 0)
                file.m_has_includes = true;
            pos += line.find(']') + 1;
            continue;
        }
        std::size_t key_end = pos;
        while (key_end < text.size() &&
               (std::isalnum(static_cast<unsigned char>(text[key_end])) || text[key_end] == '-'))
            ++key_end;
        if (key_end == pos || section.empty())
            throw Error("git config line " + std::to_string(number) + " is malformed");
        const std::string key = section + "." + ascii_lower(text.substr(pos, key_end - pos));
        pos = key_end;
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t'))
            ++pos;
        std::string value = "true"; // a key without '=' is a boolean true
        if (pos < text.size() && text[pos] == '=') {
            ++pos;
            const std::size_t start = pos;
            value = parse_value(text, pos);
            for (std::size_t i = start; i < pos; ++i)
                number += text[i] == '\n';
        } else {
            std::size_t ignored = pos;
            parse_value(text, ignored);
            pos = ignored;
        }
        file.m_values[key] = value;
    }
    return file;
}

std::optional<std::string> GitConfigFile::get(std::string_view key) const {
    const auto it = m_values.find(normalise_config_key(key));
    if (it == m_values.end())
        return std::nullopt;
    return it->second;
}

} // namespace knot
