// format_command: a command line on one line of text, whatever it holds. fold_text:
// prose folded to a width.
#include <string>

#include <gtest/gtest.h>

#include "units.h"

namespace heapdrift {
namespace {

TEST(FormatCommand, AShortCommandIsAsItIs) {
  EXPECT_EQ(format_command("java -cp app.jar Main 12"), "java -cp app.jar Main 12");
}

TEST(FormatCommand, ControlCharactersAreEscaped) {
  EXPECT_EQ(format_command("python3 -c \nimport x\n\tx.run()\x1b"), "python3 -c \\nimport x\\n\\tx.run()?");
}

TEST(FormatCommand, ALongCommandIsCutWithAnEllipsis) {
  std::string files;
  for (int i = 0; i < 100; ++i) files += " src/File" + std::to_string(i) + ".java";
  std::string shown = format_command("javac" + files, 40);
  EXPECT_EQ(shown, "javac src/File0.java src/File1.java src\u2026");
  EXPECT_EQ(format_command(std::string(40, 'x'), 40), std::string(40, 'x'));
}

TEST(FormatCommand, TheCutDoesNotSplitACharacter) {
  // "é" is two bytes; a cut that would fall between them falls before it.
  EXPECT_EQ(format_command("ab\u00e9cd", 4), "ab\u2026");
}

TEST(FoldText, FoldsAtSpacesWithinTheWidth) {
  EXPECT_EQ(fold_text("one two three four five", "  note: ", "        ", 20),
            "  note: one two\n        three four\n        five\n");
  EXPECT_EQ(fold_text("short", "> ", "  "), "> short\n");
}

TEST(FoldText, AWordLongerThanTheWidthHasALineOfItsOwn) {
  EXPECT_EQ(fold_text("a (-XX:NativeMemoryTracking=summary) b", "", "", 10),
            "a\n(-XX:NativeMemoryTracking=summary)\nb\n");
}

}  // namespace
}  // namespace heapdrift
