// A planner's answer read into tasks (see plan_answer.hpp).
#include "git-knot/plan_answer.hpp"

#include "libknot/base/ascii.hpp"
#include "libknot/base/utf8.hpp"
#include "libknot/protocol/protocol.hpp"
#include "libknot/protocol/repo_path.hpp"
#include "libknot/protocol/strict_json.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <set>

namespace knot::cli {
namespace {

constexpr std::size_t k_max_output = 1 << 20;
constexpr int k_max_arrays_tried = 256;
// An array of objects whose files are an array: three levels, and nothing deeper is read.
constexpr std::size_t k_max_answer_depth = 3;

// Whether `value` has the shape of a plan: a non-empty array whose items are strings or objects
// that have a title. Its contents are checked afterwards, so that a wrong title is named, not
// skipped.
bool looks_like_plan(const nlohmann::json& value) {
    return value.is_array() && !value.empty() &&
           std::all_of(value.begin(), value.end(), [](const nlohmann::json& item) {
               return item.is_string() || (item.is_object() && item.contains("title"));
           });
}

// The last array in `text` that looks like a plan. An array that parses is skipped whole, so a
// task's files are never taken for a plan of their own.
std::optional<nlohmann::json> last_plan(std::string_view text, bool& any_array) {
    std::optional<nlohmann::json> last;
    std::size_t at = 0;
    for (int tried = 0; tried < k_max_arrays_tried; ++tried) {
        at = text.find('[', at);
        if (at == std::string_view::npos)
            break;
        const std::size_t end = json_value_end(text, at, k_max_answer_depth);
        if (end == std::string_view::npos) {
            ++at;
            continue;
        }
        try {
            nlohmann::json value = parse_strict_json(text.substr(at, end - at), k_max_answer_depth);
            any_array = true;
            if (looks_like_plan(value))
                last = std::move(value);
            at = end;
        } catch (const StrictJsonError&) {
            ++at;
        }
    }
    return last;
}

std::string task_name(std::size_t index) {
    return "task " + std::to_string(index + 1);
}

std::string checked_title(const nlohmann::json& title, std::size_t index) {
    if (!title.is_string())
        throw PlanAnswerError(task_name(index) + "'s title is not a string");
    const std::string text(trim_whitespace(title.get_ref<const std::string&>()));
    if (text.empty())
        throw PlanAnswerError(task_name(index) + " has an empty title");
    std::size_t chars = 0;
    for (std::size_t at = 0; at < text.size(); ++chars) {
        const auto point = next_code_point(text, at);
        if (!point || *point < 0x20 || *point == 0x7f)
            throw PlanAnswerError(task_name(index) +
                                  "'s title is not one line of text (a control character)");
    }
    if (chars > k_max_task_title_chars)
        throw PlanAnswerError(task_name(index) + "'s title is longer than " +
                              std::to_string(k_max_task_title_chars) + " characters");
    return text;
}

std::vector<std::string> checked_files(const nlohmann::json& files, std::size_t index) {
    if (!files.is_array())
        throw PlanAnswerError(task_name(index) + "'s files are not a list of paths");
    std::vector<std::string> paths;
    std::set<std::string> seen;
    for (const nlohmann::json& file : files) {
        if (!file.is_string())
            throw PlanAnswerError(task_name(index) + "'s files are not a list of paths");
        const std::string& path = file.get_ref<const std::string&>();
        if (const auto why = invalid_repo_path(path))
            throw PlanAnswerError(task_name(index) + " names '" + printable_path(path) +
                                  "', which is not a repository path: " + *why);
        if (seen.insert(path).second)
            paths.push_back(path);
    }
    if (paths.size() > k_max_task_files)
        throw PlanAnswerError(task_name(index) + " names more than " +
                              std::to_string(k_max_task_files) + " files");
    return paths;
}

std::string first_line(std::string_view text) {
    const std::string_view trimmed = trim_whitespace(text);
    const std::string line(utf8_prefix(trimmed.substr(0, trimmed.find('\n')), 120));
    return terminal_text(line);
}

} // namespace

std::vector<ProposedTask> read_plan_answer(std::string_view output) {
    output = output.substr(0, k_max_output);
    bool any_array = false;
    const std::optional<nlohmann::json> plan = last_plan(output, any_array);
    if (!plan) {
        const std::string line = first_line(output);
        throw PlanAnswerError(
            std::string(any_array ? "the planner's answer holds no JSON list of task titles or "
                                    "{\"title\", \"files\"} objects"
                                  : "the planner's answer holds no JSON list of tasks") +
            (line.empty() ? " (it was empty)" : ": it begins '" + line + "'"));
    }
    if (plan->size() > k_max_proposed_tasks)
        throw PlanAnswerError("the planner proposed " + std::to_string(plan->size()) +
                              " tasks; at most " + std::to_string(k_max_proposed_tasks) +
                              " are taken from one plan");
    std::vector<ProposedTask> tasks;
    for (std::size_t i = 0; i < plan->size(); ++i) {
        const nlohmann::json& item = (*plan)[i];
        if (item.is_string()) {
            tasks.push_back({checked_title(item, i), {}});
            continue;
        }
        ProposedTask task{checked_title(item.at("title"), i), {}};
        const auto files = item.find("files");
        if (files != item.end() && !files->is_null())
            task.files = checked_files(*files, i);
        tasks.push_back(std::move(task));
    }
    return tasks;
}

} // namespace knot::cli
