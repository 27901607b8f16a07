// The one place a command line is parsed (CLI11) and its mistakes are put in knot's words.
#include "command.hpp"
#include "libknot/base/ascii.hpp"
#include "libknot/base/error.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace knot::cli {
namespace {

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.compare(0, prefix.size(), prefix) == 0;
}

// How an option is shown in a message: `--since` or `-n` as typed, a positional as `<paths>`.
std::string shown(const CLI::Option& option) {
    if (!option.get_positional())
        return option.get_name();
    return "<" + option.get_name() + ">" + (option.get_items_expected_max() > 1 ? "..." : "");
}

const CLI::Option* option_named(const CLI::App& app, const std::string& name) {
    for (const CLI::Option* option : app.get_options())
        if (option->check_name(name) || option->get_name() == name)
            return option;
    return nullptr;
}

// The words before CLI11's first ": " (the option it names), or "" when there are none.
std::string named_in(const std::string& what) {
    const auto colon = what.find(": ");
    return colon == std::string::npos ? "" : what.substr(0, colon);
}

bool is_numeric(const CLI::Option* option) {
    if (!option)
        return false;
    const std::string type = option->get_type_name();
    return type.find("INT") != std::string::npos || type.find("FLOAT") != std::string::npos ||
           type.find("NUMBER") != std::string::npos;
}

// CLI11's error in our words. Where CLI11 keeps the facts (the options, what was left over) they
// are read from `app`; its message is only taken apart for the option it names, and a message
// of a kind not handled here is passed on with its first letter lowered.
std::string describe(const CLI::App& app, const CLI::ParseError& error) {
    const std::string what = error.what();
    if (dynamic_cast<const CLI::RequiredError*>(&error)) {
        for (const CLI::Option* option : app.get_options())
            if (option->get_required() && option->count() == 0)
                return "missing " + shown(*option);
    }
    if (dynamic_cast<const CLI::ExtrasError*>(&error)) {
        const auto extras = app.remaining();
        if (!extras.empty()) {
            const std::string& first = extras.front();
            return first.size() > 1 && first[0] == '-' ? "unknown option '" + first + "'"
                                                       : "unexpected argument '" + first + "'";
        }
    }
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&error)) {
        const std::string name = named_in(what);
        if (!name.empty()) {
            const CLI::Option* option = option_named(app, name);
            return (option ? shown(*option) : name) + " needs a value";
        }
        if (const auto at = what.find(" was given a disallowed flag override");
            at != std::string::npos)
            return what.substr(0, at) + " takes no value";
    }
    if (dynamic_cast<const CLI::ConversionError*>(&error)) {
        const std::string prefix = "Could not convert: ";
        const auto equals = what.find(" = ");
        if (starts_with(what, prefix) && equals != std::string::npos) {
            const std::string name = what.substr(prefix.size(), equals - prefix.size());
            const std::string value = what.substr(equals + 3);
            return name + ": '" + value + "' is not " +
                   (is_numeric(option_named(app, name)) ? "a number" : "a valid value");
        }
    }
    if (dynamic_cast<const CLI::ValidationError*>(&error)) {
        // "-n: Value 0 not in range 1 to 500", CLI::Range's words.
        const std::string name = named_in(what);
        const std::string value_prefix = "Value ";
        const std::string range = " not in range ";
        std::string rest = name.empty() ? what : what.substr(name.size() + 2);
        const auto at = rest.find(range);
        if (starts_with(rest, value_prefix) && at != std::string::npos) {
            const std::string value = rest.substr(value_prefix.size(), at - value_prefix.size());
            return name + ": '" + value + "' is not a number from " +
                   rest.substr(at + range.size());
        }
    }
    if (dynamic_cast<const CLI::ExcludesError*>(&error)) {
        if (const auto at = what.find(" excludes "); at != std::string::npos)
            return what.substr(0, at) + " and " + what.substr(at + 10) + " cannot be used together";
    }
    if (dynamic_cast<const CLI::RequiresError*>(&error)) {
        if (const auto at = what.find(" requires "); at != std::string::npos)
            return what.substr(0, at) + " needs " + what.substr(at + 10);
    }
    std::string text = what;
    if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z')
        text[0] = static_cast<char>(text[0] - 'A' + 'a');
    return text;
}

} // namespace

bool parse_args(CLI::App& app, const std::vector<std::string>& args) {
    const std::string command = app.get_name();
    // --help reads "usage: git knot lock [OPTIONS] paths...", as git's own commands do.
    app.name("git knot " + command);
    app.get_formatter()->label("Usage", "usage");
    if (args.size() == 1 && args.front() == k_list_options) {
        print_options(app, std::cout);
        return false;
    }
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return false;
    } catch (const CLI::ParseError& e) {
        throw UsageError(describe(app, e) + " (see 'git knot " + command + " --help')");
    }
    return true;
}

CLI::Validator at_least(long long least) {
    return CLI::Validator(
        [least](std::string& value) -> std::string {
            try {
                std::size_t used = 0;
                if (std::stoll(value, &used) >= least && used == value.size())
                    return "";
            } catch (const std::exception&) {
            }
            return "'" + value + "' is not a number of " + std::to_string(least) + " or more";
        },
        "INT>=" + std::to_string(least));
}

void print_options(const CLI::App& app, std::ostream& out) {
    for (const CLI::Option* option : app.get_options()) {
        if (option->get_positional() || option->get_group().empty())
            continue;
        std::string value;
        if (option->get_type_size_max() > 0) {
            value = option->get_option_text();
            if (value.empty())
                value = ascii_lower(option->get_type_name());
        }
        for (const std::string& name : option->get_lnames())
            out << "--" << name << (value.empty() ? "" : "=<" + value + ">") << '\n';
        for (const std::string& name : option->get_snames())
            out << '-' << name << (value.empty() ? "" : " <" + value + ">") << '\n';
    }
}

std::string usage_prefix(const std::string& name) {
    return find_command(name) ? "git knot " + name + ": " : "git knot: ";
}

} // namespace knot::cli
