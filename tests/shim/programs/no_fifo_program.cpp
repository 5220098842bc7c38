// no_fifo_program: a process whose control FIFO cannot be made, as on a file system
// that holds none (vfat, some network shares). The first image puts a directory where
// the FIFO is and execs itself with `after`; the second image's shim finds the name
// taken, and must record all the same: it allocates and exits normally, which writes
// its exit snapshot.
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "site.h"

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "after") == 0) {
    void* p = malloc(1234);
    hd_escape(p);
    printf("after_exec %d\n", static_cast<int>(getpid()));
    return 0;
  }
  const char* out = getenv("HEAPDRIFT_OUTPUT");
  if (!out) return 2;
  const std::string control = std::string(out) + "/" + std::to_string(getpid()) + "/control";
  if (unlink(control.c_str()) != 0 || mkdir(control.c_str(), 0755) != 0) return 3;
  execl("/proc/self/exe", argv[0], "after", static_cast<char*>(nullptr));
  return 4;
}
