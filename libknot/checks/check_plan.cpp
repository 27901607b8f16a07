// Which commands check a tree (see check_plan.hpp).
#include "libknot/checks/check_plan.hpp"

#include "libknot/base/ascii.hpp"

#include <cerrno>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <sched.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace knot {
namespace {

namespace fs = std::filesystem;

// Build files larger than this are not read: they are someone's joke or a symlink to a dump,
// and detection must stay cheap on a server.
constexpr std::uintmax_t k_max_build_file_bytes = 1u << 20;

// The npm init placeholder, which fails on purpose and so is no test at all.
constexpr std::string_view k_npm_placeholder = "Error: no test specified";

bool is_file(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

// The text of the regular file `name` (relative) in `tree`, or nothing when it is missing, not
// a regular file (a FIFO would block), too large or unreadable. A symlink inside the tree is not
// followed, neither as the file nor as a directory on the way: on the server the tree is a
// member's, and a link could name the server's own files (its admin token), which would then be
// printed as check commands.
std::optional<std::string> read_small_file(const fs::path& tree, const fs::path& name) {
    int dir = ::open(tree.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (const auto& part : name.parent_path()) {
        if (dir < 0)
            break;
        const int next =
            ::openat(dir, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        ::close(dir);
        dir = next;
    }
    if (dir < 0)
        return std::nullopt;
    const int fd = ::openat(dir, name.filename().c_str(),
                            O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    ::close(dir);
    if (fd < 0)
        return std::nullopt;
    struct stat info {};
    std::optional<std::string> text;
    if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) &&
        static_cast<std::uintmax_t>(info.st_size) <= k_max_build_file_bytes) {
        std::string bytes(static_cast<std::size_t>(info.st_size), '\0');
        std::size_t done = 0;
        ssize_t got = 0;
        while (done < bytes.size() &&
               ((got = ::read(fd, bytes.data() + done, bytes.size() - done)) > 0 ||
                (got < 0 && errno == EINTR)))
            done += got > 0 ? static_cast<std::size_t>(got) : 0;
        if (got >= 0) {
            bytes.resize(done);
            text = std::move(bytes);
        }
    }
    ::close(fd);
    return text;
}

bool file_contains(const fs::path& tree, const fs::path& name, std::string_view needle) {
    const auto text = read_small_file(tree, name);
    return text && text->find(needle) != std::string::npos;
}

// Whether `makefile` has a rule for `target`: a line, not a recipe, whose targets before the
// ':' include it ("check:", "test check: all", "check::"); "check := x" is a variable.
bool makefile_has_target(const std::string& makefile, std::string_view target) {
    std::istringstream lines(makefile);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] == '\t' || line[0] == '#')
            continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        if (colon + 1 < line.size() && line[colon + 1] == '=')
            continue;
        const std::string_view targets = std::string_view(line).substr(0, colon);
        if (targets.find_first_of("=$%") != std::string_view::npos)
            continue;
        std::istringstream words{std::string(targets)};
        std::string word;
        while (words >> word)
            if (word == target)
                return true;
    }
    return false;
}

// The make targets, in the order make itself looks for its file.
std::optional<CheckCommand> make_check(const fs::path& tree) {
    for (const char* name : {"GNUmakefile", "makefile", "Makefile"}) {
        const auto text = read_small_file(tree, name);
        if (!text)
            continue;
        for (const char* target : {"check", "test"})
            if (makefile_has_target(*text, target))
                return CheckCommand{std::string("make ") + target, std::string("make ") + target};
        return std::nullopt; // make reads only the first file it finds
    }
    return std::nullopt;
}

bool has_npm_test(const fs::path& tree) {
    const auto text = read_small_file(tree, "package.json");
    if (!text)
        return false;
    const auto package = nlohmann::json::parse(*text, nullptr, false);
    if (package.is_discarded() || !package.is_object())
        return false;
    const auto scripts = package.find("scripts");
    if (scripts == package.end() || !scripts->is_object())
        return false;
    const auto test = scripts->find("test");
    if (test == scripts->end() || !test->is_string())
        return false;
    const auto& script = test->get_ref<const std::string&>();
    return !trim_whitespace(script).empty() && script.find(k_npm_placeholder) == std::string::npos;
}

bool has_python_tests_in(const fs::path& dir) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const bool python = name.size() > 3 && name.ends_with(".py");
        if (python && (name.starts_with("test_") || name.ends_with("_test.py")) &&
            is_file(it->path()))
            return true;
    }
    return false;
}

bool has_pytest(const fs::path& tree) {
    return is_file(tree / "pytest.ini") || is_file(tree / "conftest.py") ||
           file_contains(tree, "tox.ini", "[pytest]") ||
           file_contains(tree, "setup.cfg", "[tool:pytest]") ||
           file_contains(tree, "pyproject.toml", "[tool.pytest") || has_python_tests_in(tree) ||
           has_python_tests_in(tree / "tests");
}

// The processors this process may run on, for the build's parallelism.
unsigned processor_count() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return static_cast<unsigned>(CPU_COUNT(&set));
    const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? static_cast<unsigned>(online) : 1;
}

} // namespace

std::vector<CheckCommand> parse_checks_file(std::string_view text) {
    std::vector<CheckCommand> commands;
    int number = 0;
    while (!text.empty()) {
        ++number;
        const auto end = text.find('\n');
        const std::string_view line = trim_whitespace(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (line.empty() || line.front() == '#')
            continue;
        commands.push_back({".knot/checks:" + std::to_string(number), std::string(line)});
    }
    return commands;
}

std::vector<CheckCommand> detect_checks(const fs::path& tree) {
    std::vector<CheckCommand> commands;
    if (is_file(tree / "CMakeLists.txt")) {
        // No -G: cmake keeps the generator an existing $KNOT_BUILD_DIR was made with and
        // otherwise picks its default, so the same build directory works from run to run.
        commands.push_back({"cmake configure", R"(cmake -S . -B "$KNOT_BUILD_DIR")"});
        commands.push_back({"cmake build", R"(cmake --build "$KNOT_BUILD_DIR" -j )" +
                                               std::to_string(processor_count())});
        commands.push_back({"ctest", R"(ctest --test-dir "$KNOT_BUILD_DIR" --output-on-failure)"});
    } else if (auto make = make_check(tree)) {
        commands.push_back(std::move(*make));
    }
    if (has_npm_test(tree))
        commands.push_back({"npm test", "npm test"});
    if (is_file(tree / "tsconfig.json"))
        commands.push_back({"tsc", "npx --no-install tsc --noEmit"});
    if (is_file(tree / "go.mod"))
        commands.push_back({"go test", "go test ./..."});
    if (is_file(tree / "Cargo.toml"))
        commands.push_back({"cargo test", "cargo test"});
    if (has_pytest(tree))
        commands.push_back({"pytest", "python3 -m pytest -q"});
    return commands;
}

CheckPlan plan_checks(const std::vector<std::string>& configured, const fs::path& tree) {
    CheckPlan plan;
    int number = 0;
    for (const auto& value : configured) {
        ++number;
        const auto command = trim_whitespace(value);
        if (!command.empty())
            plan.commands.push_back({"knot.check:" + std::to_string(number), std::string(command)});
    }
    if (!plan.commands.empty()) {
        plan.source = "knot.check";
        return plan;
    }
    if (const auto checks = read_small_file(tree, ".knot/checks")) {
        plan.source = ".knot/checks";
        plan.commands = parse_checks_file(*checks);
        return plan;
    }
    plan.commands = detect_checks(tree);
    plan.source = plan.commands.empty() ? "none" : "detected";
    return plan;
}

bool may_have_checks(const std::vector<std::string>& top_level_names) {
    // Every name detect_checks and plan_checks read at the top of a tree (keep in step).
    static const std::vector<std::string_view> looked_at = {
        ".knot",        "CMakeLists.txt", "GNUmakefile", "makefile",       "Makefile",
        "package.json", "tsconfig.json",  "go.mod",      "Cargo.toml",     "pytest.ini",
        "conftest.py",  "tox.ini",        "setup.cfg",   "pyproject.toml", "tests"};
    for (const std::string& name : top_level_names) {
        if (name.ends_with(".py"))
            return true;
        for (const std::string_view known : looked_at)
            if (name == known)
                return true;
    }
    return false;
}

} // namespace knot
