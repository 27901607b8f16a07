// Tests of dash's chat line: keys as a raw terminal sends them edited into a line, escape
// sequences and control characters kept out, and the line drawn to fit its row.
#include "git-knot/dash_input.hpp"

#include <catch2/catch.hpp>

using namespace knot;

TEST_CASE("printable keys build the line and Enter submits it and empties it") {
    LineEditor editor;
    auto typed = editor.feed("hello there");
    CHECK(typed.submitted.empty());
    CHECK(editor.text() == "hello there");
    typed = editor.feed("\r");
    CHECK(typed.submitted == std::vector<std::string>{"hello there"});
    CHECK(editor.text().empty());
    CHECK_FALSE(typed.quit);
}

TEST_CASE("several lines in one read are submitted in order, and a blank line is not") {
    LineEditor editor;
    const auto typed = editor.feed("one\r\n   \rtwo\nthr");
    CHECK(typed.submitted == std::vector<std::string>{"one", "two"});
    CHECK(editor.text() == "thr");
}

TEST_CASE("backspace removes the last character, also a multi-byte one") {
    LineEditor editor;
    editor.feed("caf\xc3\xa9!");
    editor.feed("\x7f");
    CHECK(editor.text() == "caf\xc3\xa9");
    editor.feed("\x08");
    CHECK(editor.text() == "caf");
    editor.feed("\x7f\x7f\x7f\x7f\x7f");
    CHECK(editor.text().empty());
}

TEST_CASE("Ctrl-U clears the line and Ctrl-W removes the last word") {
    LineEditor editor;
    editor.feed("keep off src/parse.c  ");
    editor.feed("\x17");
    CHECK(editor.text() == "keep off ");
    editor.feed("\x15");
    CHECK(editor.text().empty());
}

TEST_CASE("Ctrl-D quits on an empty line only") {
    LineEditor editor;
    editor.feed("draft");
    CHECK_FALSE(editor.feed("\x04").quit);
    CHECK(editor.text() == "draft");
    editor.feed("\x15");
    CHECK(editor.feed("\x04").quit);
}

TEST_CASE("q is text, not a way out") {
    LineEditor editor;
    const auto typed = editor.feed("q");
    CHECK_FALSE(typed.quit);
    CHECK(editor.text() == "q");
}

TEST_CASE("arrow keys, function keys, Alt keys and a lone Esc leave the line as it was") {
    LineEditor editor;
    editor.feed("ab");
    editor.feed("\x1b[A\x1b[1;5C\x1bOP\x1b[15~\x1bx");
    CHECK(editor.text() == "ab");
    editor.feed("\x1b"); // Esc alone in its read
    editor.feed("c");
    CHECK(editor.text() == "abc");
}

TEST_CASE("control characters and bytes that are not UTF-8 never enter the line") {
    LineEditor editor;
    editor.feed(std::string("a\x01\x07\x00", 4) + "b\xff\xc3(c\xc2\x85" + "d\te");
    CHECK(editor.text() == "ab(cd e");
}

TEST_CASE("a character split across two reads is kept whole") {
    LineEditor editor;
    editor.feed("\xe2\x82");
    CHECK(editor.text().empty());
    editor.feed("\xac");
    CHECK(editor.text() == "\xe2\x82\xac");
}

TEST_CASE("the line stops growing at its limit in bytes") {
    LineEditor editor(5);
    editor.feed("abcd\xc3\xa9");
    CHECK(editor.text() == "abcd");
    editor.set_text("0123456789");
    CHECK(editor.text() == "01234");
}

TEST_CASE("the input line shows the prompt and text with the cursor after them") {
    int cursor = -1;
    CHECK(input_line("say> ", "hi", 80, cursor) == "say> hi");
    CHECK(cursor == 7);
}

TEST_CASE("a long input line shows its end after an ellipsis, with a column for the cursor") {
    int cursor = -1;
    const auto line = input_line("say> ", "abcdefghijklmnopqrstuvwxyz", 20, cursor);
    CHECK(line == "say> …nopqrstuvwxyz"); // 20 columns, the last for the cursor
    CHECK(cursor == 19);
    // Wide characters take two columns: one fits between "…" and the cursor's column.
    CHECK(input_line("say> ", "\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xbd\xa0\xe5\xa5\xbd", 10, cursor) ==
          "say> …\xe5\xa5\xbd");
    CHECK(cursor == 8);
}

TEST_CASE("an input line on a terminal narrower than its prompt still fits") {
    int cursor = -1;
    const auto line = input_line("say> ", "hello", 3, cursor);
    CHECK(cursor <= 2);
    CHECK(line.size() <= 3 + 2); // two columns of the prompt, or one and "…"
}
