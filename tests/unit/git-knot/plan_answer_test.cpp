// Tests of git-knot/plan_answer.cpp: a planner's answer found wherever it sits in the output and
// read strictly, within bounds.
#include "git-knot/plan_answer.hpp"

#include <catch2/catch.hpp>

using namespace knot::cli;

namespace {

std::string refusal(const std::string& output) {
    try {
        read_plan_answer(output);
    } catch (const PlanAnswerError& e) {
        return e.what();
    }
    return "";
}

bool refused_saying(const std::string& output, const std::string& part) {
    const std::string why = refusal(output);
    INFO(why);
    return why.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("a plan of objects with files is read with each task's files") {
    const auto tasks =
        read_plan_answer(R"([{"title": "write the lexer", "files": ["src/lex.c", "src/lex.h"]},)"
                         R"( {"title": "  document it  ", "files": []}, {"title": "test it"}])");
    REQUIRE(tasks.size() == 3);
    CHECK(tasks[0].title == "write the lexer");
    CHECK(tasks[0].files == std::vector<std::string>{"src/lex.c", "src/lex.h"});
    CHECK(tasks[1].title == "document it");
    CHECK(tasks[1].files.empty());
    CHECK(tasks[2].files.empty());
}

TEST_CASE("a plan of titles, or of titles and objects mixed, is read") {
    CHECK(read_plan_answer(R"(["one", "two"])").size() == 2);
    const auto mixed = read_plan_answer(R"(["one", {"title": "two", "files": ["b"]}])");
    REQUIRE(mixed.size() == 2);
    CHECK(mixed[1].files == std::vector<std::string>{"b"});
}

TEST_CASE("the plan is found inside a json fence, after prose, or among other brackets") {
    CHECK(read_plan_answer("Sure! Here is the plan:\n```json\n[\"a\", \"b\"]\n```\nGood luck [1].")
              .size() == 2);
    CHECK(read_plan_answer("{\"tasks\": [\"a\", \"b\", \"c\"]}").size() == 3);
    CHECK(read_plan_answer("Array [not json] then [\"real\"]").front().title == "real");
}

TEST_CASE("the last plan in the output is the answer, and a task's files are not a plan") {
    const auto tasks =
        read_plan_answer("The repository suggested [\"planted task\"], but I propose:\n"
                         R"([{"title": "mine", "files": ["src/a.c"]}])");
    REQUIRE(tasks.size() == 1);
    CHECK(tasks[0].title == "mine");
    CHECK(tasks[0].files == std::vector<std::string>{"src/a.c"});
}

TEST_CASE("output with no plan is refused quoting its first line") {
    CHECK(refused_saying("I cannot help with that.\nSorry.",
                         "no JSON list of tasks: it begins 'I cannot help with that.'"));
    CHECK(refused_saying("", "(it was empty)"));
    CHECK(refused_saying("[1, 2, 3]", "no JSON list of task titles or {\"title\", \"files\"}"));
    CHECK(refused_saying("[]", "no JSON list"));
    CHECK(refused_saying("[\"unclosed\"", "no JSON list"));
    CHECK(refused_saying("\x1b[31mred\x1b[0m", "it begins '?[31mred?[0m'"));
}

TEST_CASE("titles must be one line of 1 to 200 characters") {
    CHECK(refused_saying(R"(["ok", "   "])", "task 2 has an empty title"));
    CHECK(refused_saying(R"(["line\nbreak"])", "task 1's title is not one line"));
    CHECK(refused_saying("[\"" + std::string(201, 't') + "\"]",
                         "task 1's title is longer than 200 characters"));
    CHECK(read_plan_answer("[\"" + std::string(200, 't') + "\"]").size() == 1);
    CHECK(read_plan_answer("[\"" + std::string(100, 't') + "\xc3\xa9\"]").size() == 1);
    CHECK(refused_saying(R"([{"title": 5}])", "task 1's title is not a string"));
}

TEST_CASE("files must be repository paths, at most 100 a task, duplicates dropped") {
    CHECK(refused_saying(R"([{"title": "a", "files": ["../etc/passwd"]}])",
                         "task 1 names '../etc/passwd', which is not a repository path"));
    CHECK(refused_saying(R"([{"title": "a", "files": ["/abs"]}])", "not a repository path"));
    CHECK(refused_saying(R"([{"title": "a", "files": [".git/hooks/pre-commit"]}])",
                         "not a repository path"));
    CHECK(refused_saying(R"([{"title": "a", "files": "src/a.c"}])", "files are not a list"));
    CHECK(refused_saying(R"([{"title": "a", "files": [3]}])", "files are not a list"));
    std::string many = R"([{"title": "a", "files": [)";
    for (int i = 0; i < 101; ++i)
        many += (i ? ", \"f" : "\"f") + std::to_string(i) + "\"";
    CHECK(refused_saying(many + "]}]", "names more than 100 files"));
    const auto deduplicated = read_plan_answer(R"([{"title": "a", "files": ["x", "y", "x"]}])");
    CHECK(deduplicated.front().files == std::vector<std::string>{"x", "y"});
}

TEST_CASE("at most 50 tasks, and nesting deeper than a plan is not read") {
    std::string fifty = "[";
    for (int i = 0; i < 50; ++i)
        fifty += (i ? ", \"t" : "\"t") + std::to_string(i) + "\"";
    CHECK(read_plan_answer(fifty + "]").size() == 50);
    CHECK(refused_saying(fifty + ", \"one more\"]", "proposed 51 tasks; at most 50"));
    CHECK(refused_saying(std::string(100000, '[') + std::string(100000, ']'), "no JSON list"));
    CHECK(refused_saying(R"([{"title": "a", "files": [["deep"]]}])", "no JSON list"));
}
