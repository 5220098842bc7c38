// A leak that the program's teardown hides: a global registry keeps a 64 KiB block
// every 5 ms for 3 s and never lets one go while the program runs, but the
// registry's destructor, at exit, frees them all (as a global std::map does, or an
// interpreter's finalization). The exit snapshot is written after that. With the
// argument `slow`, the destructor takes a second over it, freeing half of what is left
// every 125 ms (as CPython's finalization of a large heap frees as it goes): periodic
// snapshots see the teardown under way.
#include <time.h>

#include <memory>
#include <string>
#include <vector>

namespace {

struct Registry {
  std::vector<std::unique_ptr<char[]>> entries;
  bool slow = false;

  ~Registry() {
    timespec step{0, 125 * 1000 * 1000};
    for (int i = 0; slow && i < 8; ++i) {
      entries.resize(entries.size() / 2);
      nanosleep(&step, nullptr);
    }
  }

  __attribute__((noinline)) void remember() {
    entries.emplace_back(new char[64 << 10]);
    entries.back()[0] = 1;
  }
};

Registry registry;  // destroyed at exit, with everything it kept

}  // namespace

int main(int argc, char** argv) {
  registry.slow = argc > 1 && std::string(argv[1]) == "slow";
  timespec pause{0, 5 * 1000 * 1000};
  for (int i = 0; i < 600; ++i) {
    registry.remember();
    nanosleep(&pause, nullptr);
  }
  return 0;
}
