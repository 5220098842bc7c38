// A leak that the program's teardown hides: a global registry keeps a 64 KiB block
// every 5 ms for 3 s and never lets one go while the program runs, but the
// registry's destructor, at exit, frees them all (as a global std::map does, or an
// interpreter's finalization). The exit snapshot is written after that.
#include <time.h>

#include <memory>
#include <vector>

namespace {

struct Registry {
  std::vector<std::unique_ptr<char[]>> entries;

  __attribute__((noinline)) void remember() {
    entries.emplace_back(new char[64 << 10]);
    entries.back()[0] = 1;
  }
};

Registry registry;  // destroyed at exit, with everything it kept

}  // namespace

int main() {
  timespec pause{0, 5 * 1000 * 1000};
  for (int i = 0; i < 600; ++i) {
    registry.remember();
    nanosleep(&pause, nullptr);
  }
  return 0;
}
