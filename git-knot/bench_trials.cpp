// `git knot bench`'s trials (see bench_trials.hpp).
#include "git-knot/bench_trials.hpp"

#include "git-knot/bench_load.hpp"
#include "libknot/base/error.hpp"
#include "libknot/protocol/protocol.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <sys/utsname.h>
#include <thread>

namespace knot {
namespace {

const BenchOp k_all_ops[] = {BenchOp::lock, BenchOp::release, BenchOp::claim, BenchOp::message,
                             BenchOp::push};

// Whether the mix makes requests of kind `op` at all.
bool in_mix(const BenchMix& mix, BenchOp op) {
    switch (op) {
    case BenchOp::lock:
    case BenchOp::release:
        return mix.locks > 0;
    case BenchOp::claim:
        return mix.claims > 0;
    case BenchOp::message:
        return mix.messages > 0;
    case BenchOp::push:
        return mix.pushes > 0;
    }
    return false;
}

double rounded(double value, int places) {
    const double scale = places == 3 ? 1000.0 : places == 1 ? 10.0 : 100.0;
    return std::round(value * scale) / scale;
}

nlohmann::json figures(const LatencyHistogram& histogram) {
    return {{"count", histogram.count()},
            {"p50_ms", rounded(histogram.percentile_ms(50), 3)},
            {"p99_ms", rounded(histogram.percentile_ms(99), 3)},
            {"max_ms", rounded(histogram.max_ms(), 3)}};
}

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("model name", 0) != 0 && line.rfind("Hardware", 0) != 0)
            continue;
        const auto colon = line.find(':');
        if (colon != std::string::npos && colon + 2 <= line.size())
            return line.substr(colon + 2);
    }
    return "unknown";
}

// A member of a record as text, "" when absent (records from other versions may lack some).
std::string text(const nlohmann::json& object, const char* key) {
    const auto found = object.find(key);
    if (found == object.end() || found->is_null())
        return "";
    if (found->is_string())
        return found->get<std::string>();
    if (found->is_boolean())
        return found->get<bool>() ? "yes" : "no";
    return found->dump();
}

double number(const nlohmann::json& object, const std::string& path) {
    const nlohmann::json* at = &object;
    std::istringstream parts(path);
    for (std::string part; std::getline(parts, part, '.');) {
        if (!at->is_object() || !at->contains(part))
            return 0;
        at = &(*at)[part];
    }
    return at->is_number() ? at->get<double>() : 0;
}

std::string when(const nlohmann::json& record) {
    const std::time_t time = static_cast<std::time_t>(number(record, "time"));
    std::tm tm{};
    char buffer[32] = "";
    if (gmtime_r(&time, &tm))
        std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M UTC", &tm);
    return buffer;
}

std::string limit_text(const nlohmann::json& conditions) {
    if (conditions.contains("count") && conditions["count"].is_number())
        return std::to_string(conditions["count"].get<long long>()) + " operations";
    std::ostringstream out;
    out << number(conditions, "duration_s") << " s";
    return out.str();
}

std::string machine_text(const nlohmann::json& conditions) {
    return text(conditions, "cpu") + ", " + text(conditions, "cores") + " cores, " +
           text(conditions, "kernel");
}

std::string title(const Trial& trial) {
    return "#" + std::to_string(trial.number) + " " + text(trial.record, "id");
}

// The rows of a comparison and of one trial's report: the figure's path in an op's record.
struct Column {
    const char* label;
    const char* path;
    bool whole; // a count, printed without decimals
};
const Column k_columns[] = {{"count", "count", true},
                            {"ops/s", "rate", false},
                            {"p50 ms", "p50_ms", false},
                            {"p99 ms", "p99_ms", false},
                            {"max ms", "max_ms", false},
                            {"errors", "errors", true},
                            {"fan-out p50 ms", "fanout.p50_ms", false},
                            {"fan-out p99 ms", "fanout.p99_ms", false},
                            {"fan-out max ms", "fanout.max_ms", false},
                            {"fan-out missing", "fanout.missing", true}};

// The operations any of `trials` has, in the order of a run (lock, release, claim, message, push),
// then any this version does not know.
std::vector<std::string> op_names(const std::vector<Trial>& trials) {
    std::vector<std::string> names;
    for (const BenchOp op : k_all_ops)
        names.emplace_back(bench_op_name(op));
    for (const auto& trial : trials)
        for (const auto& [name, op] : trial.record["ops"].items())
            if (std::find(names.begin(), names.end(), name) == names.end())
                names.push_back(name);
    std::erase_if(names, [&](const std::string& name) {
        return std::none_of(trials.begin(), trials.end(),
                            [&](const Trial& t) { return t.record["ops"].contains(name); });
    });
    return names;
}

std::string figure_text(double value, bool whole) {
    std::ostringstream out;
    if (whole)
        out << static_cast<long long>(value);
    else
        out << std::fixed << std::setprecision(2) << value;
    return out.str();
}

} // namespace

nlohmann::json machine_conditions() {
    utsname names{};
    const std::string kernel =
        ::uname(&names) == 0 ? std::string(names.sysname) + " " + names.release : "unknown";
    return {{"cpu", cpu_model()},
            {"cores", std::max(1u, std::thread::hardware_concurrency())},
            {"kernel", kernel}};
}

nlohmann::json trial_record(const std::string& id, const BenchPlan& plan,
                            const BenchConditions& conditions, const BenchResult& result) {
    nlohmann::json terms = machine_conditions();
    terms["server_version"] = conditions.server_version;
    terms["client_version"] = KNOT_VERSION;
    terms["target"] = conditions.target;
    terms["tls"] = conditions.tls;
    if (!conditions.server_dir.empty())
        terms["server_dir"] = conditions.server_dir;
    terms["agents"] = plan.agents;
    terms["mix"] = bench_mix_text(plan.mix);
    terms["duration_s"] = rounded(static_cast<double>(plan.duration.count()) / 1000.0, 3);
    terms["count"] = plan.count ? nlohmann::json(*plan.count) : nlohmann::json(nullptr);
    nlohmann::json ops = nlohmann::json::object();
    std::uint64_t errors = 0;
    for (const BenchOp op : k_all_ops) {
        if (!in_mix(plan.mix, op))
            continue;
        const BenchOpFigures& figure = result.ops[static_cast<std::size_t>(op)];
        nlohmann::json entry = figures(figure.latency);
        entry["rate"] = rounded(
            result.seconds > 0 ? static_cast<double>(figure.latency.count()) / result.seconds : 0,
            1);
        entry["errors"] = figure.errors;
        entry["fanout"] = figures(figure.fanout);
        entry["fanout"]["missing"] = figure.fanout_missing;
        ops[bench_op_name(op)] = entry;
        errors += figure.errors + figure.fanout_missing;
    }
    return {{"id", id},
            {"time", unix_now()},
            {"conditions", terms},
            {"seconds", rounded(result.seconds, 3)},
            {"ops", ops},
            {"errors", errors},
            {"remains", result.remains}};
}

TrialFile read_trials(const std::filesystem::path& path) {
    TrialFile file;
    std::ifstream in(path);
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        const std::string where = path.filename().string() + ":" + std::to_string(number) + ": ";
        const auto record = nlohmann::json::parse(line, nullptr, false);
        if (record.is_discarded()) {
            file.problems.push_back(where + "not JSON; skipped");
            continue;
        }
        if (!record.is_object() || !record.contains("id") || !record["id"].is_string() ||
            !record.contains("conditions") || !record["conditions"].is_object() ||
            !record.contains("ops") || !record["ops"].is_object()) {
            file.problems.push_back(where + "not a trial (no id, conditions or ops); skipped");
            continue;
        }
        file.trials.push_back({number, record});
    }
    return file;
}

int append_trial(const std::filesystem::path& path, const nlohmann::json& record) {
    if (path.has_parent_path())
        std::filesystem::create_directories(path.parent_path());
    int lines = 0;
    bool ended = true; // whether the file ends with a line end (an empty one does)
    {
        std::ifstream in(path);
        for (std::string line; std::getline(in, line);) {
            ++lines;
            ended = !in.eof();
        }
    }
    std::ofstream out(path, std::ios::app);
    // A last line cut short (a run killed while writing) stays a line of its own.
    out << (ended ? "" : "\n") << record.dump() << '\n';
    out.flush();
    if (!out)
        throw Error("cannot append the trial to " + path.string());
    return lines + 1;
}

std::vector<Trial> pick_trials(const TrialFile& file, const std::vector<std::string>& wanted) {
    std::vector<Trial> picked;
    if (wanted.empty()) {
        const auto& all = file.trials;
        picked.assign(all.size() < 2 ? all.begin() : all.end() - 2, all.end());
    }
    for (const auto& name : wanted) {
        const auto found =
            std::find_if(file.trials.begin(), file.trials.end(), [&](const Trial& t) {
                return std::to_string(t.number) == name || text(t.record, "id") == name;
            });
        if (found == file.trials.end())
            throw UsageError("no trial '" + name + "' (a number or an id that git knot bench " +
                             "--compare lists)");
        picked.push_back(*found);
    }
    if (picked.size() < 2)
        throw UsageError("--compare needs two trials, and there " +
                         std::string(picked.size() == 1 ? "is one" : "are none") +
                         "; run git knot bench first");
    return picked;
}

void print_trial(std::ostream& out, const Trial& trial) {
    const auto& terms = trial.record["conditions"];
    out << "trial " << title(trial) << "  " << when(trial.record) << "\n  target "
        << text(terms, "target") << " (knot-server " << text(terms, "server_version") << ", TLS "
        << text(terms, "tls") << ")  agents " << text(terms, "agents") << "  mix "
        << text(terms, "mix") << "  limit " << limit_text(terms) << "  took "
        << figure_text(number(trial.record, "seconds"), false) << " s\n  machine "
        << machine_text(terms) << "\n";
    out << std::left << std::setw(9) << "op";
    for (const auto& column : k_columns)
        out << std::right << std::setw(column.label[0] == 'f' ? 17 : 9) << column.label;
    out << '\n';
    for (const auto& name : op_names({trial})) {
        const auto& op = trial.record["ops"][name];
        out << std::left << std::setw(9) << name;
        for (const auto& column : k_columns)
            out << std::right << std::setw(column.label[0] == 'f' ? 17 : 9)
                << figure_text(number(op, column.path), column.whole);
        out << '\n';
    }
}

void print_comparison(std::ostream& out, const std::vector<Trial>& trials) {
    constexpr int k_label = 22;
    constexpr int k_cell = 38;
    const auto row = [&](const std::string& label, const auto& cell) {
        out << std::left << std::setw(k_label) << label;
        for (const auto& trial : trials)
            out << std::left << std::setw(k_cell) << cell(trial);
        out << '\n';
    };
    row("trial", [](const Trial& t) { return title(t); });
    row("when", [](const Trial& t) { return when(t.record); });
    for (const char* key : {"target", "server_version", "tls", "agents", "mix"})
        row(std::string("  ") + key,
            [key](const Trial& t) { return text(t.record["conditions"], key).substr(0, 37); });
    row("  limit", [](const Trial& t) { return limit_text(t.record["conditions"]); });
    row("  cores, kernel", [](const Trial& t) {
        const auto& terms = t.record["conditions"];
        return text(terms, "cores") + ", " + text(terms, "kernel").substr(0, 24);
    });
    row("  cpu", [](const Trial& t) { return text(t.record["conditions"], "cpu").substr(0, 37); });
    for (const auto& name : op_names(trials)) {
        out << name << '\n';
        for (const auto& column : k_columns) {
            const auto value = [&](const Trial& t) {
                const auto& ops = t.record["ops"];
                return ops.contains(name) ? number(ops[name], column.path) : -1;
            };
            const double first = value(trials.front());
            row(std::string("  ") + column.label, [&](const Trial& t) {
                const double here = value(t);
                if (here < 0)
                    return std::string("-");
                std::string cell = figure_text(here, column.whole);
                if (&t != &trials.front() && first > 0) {
                    std::ostringstream ratio;
                    ratio << std::fixed << std::setprecision(2) << here / first;
                    cell += " (" + ratio.str() + "x)";
                }
                return cell;
            });
        }
    }
}

} // namespace knot
