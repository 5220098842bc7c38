// Which JVMs the recorder lets the shim read interpreted frames' Method* of, by the
// java.vm.name and java.vm.specification.version they report.
#include "interpreter_layout.h"

#include <gtest/gtest.h>

namespace heapdrift::perfmap {
namespace {

TEST(InterpreterLayout, HotSpotReleasesFrom17To25AreKnown) {
  EXPECT_TRUE(interpreter_layout_known("OpenJDK 64-Bit Server VM", "17"));
  EXPECT_TRUE(interpreter_layout_known("OpenJDK 64-Bit Server VM", "21"));
  EXPECT_TRUE(interpreter_layout_known("OpenJDK 64-Bit Server VM", "25"));
  EXPECT_TRUE(interpreter_layout_known("Java HotSpot(TM) 64-Bit Server VM", "21"));
  EXPECT_TRUE(interpreter_layout_known("OpenJDK Client VM", "17"));
}

TEST(InterpreterLayout, JmethodIdsThatAreNoPointersAndOlderReleasesAreNot) {
  EXPECT_FALSE(interpreter_layout_known("OpenJDK 64-Bit Server VM", "26"));  // JDK-8268406
  EXPECT_FALSE(interpreter_layout_known("OpenJDK 64-Bit Server VM", "16"));
  EXPECT_FALSE(interpreter_layout_known("OpenJDK 64-Bit Server VM", "11"));
  EXPECT_FALSE(interpreter_layout_known("OpenJDK 64-Bit Server VM", "1.8"));
}

TEST(InterpreterLayout, OtherJvmsAndUnreadablePropertiesAreNot) {
  EXPECT_FALSE(interpreter_layout_known("OpenJDK 64-Bit Zero VM", "17"));
  EXPECT_FALSE(interpreter_layout_known("Eclipse OpenJ9 VM", "17"));
  EXPECT_FALSE(interpreter_layout_known("", "17"));
  EXPECT_FALSE(interpreter_layout_known("OpenJDK 64-Bit Server VM", ""));
  EXPECT_FALSE(interpreter_layout_known("OpenJDK 64-Bit Server VM", "17-ea"));
  EXPECT_FALSE(interpreter_layout_known("OpenJDK 64-Bit Server VM", "17 "));
}

}  // namespace
}  // namespace heapdrift::perfmap
