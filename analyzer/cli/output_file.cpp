#include "output_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace heapdrift::cli {

void write_file_atomically(const std::string& path, std::string_view contents) {
  std::string temp = path + ".tmp." + std::to_string(getpid());
  auto fail = [&](const char* what) {
    std::string message = path + ": cannot " + what + ": " + std::strerror(errno);
    unlink(temp.c_str());
    throw std::runtime_error(message);
  };
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail("create it");
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      fail("write it");
    }
    done += size_t(n);
  }
  if (close(fd) != 0) fail("write it");
  if (rename(temp.c_str(), path.c_str()) != 0) fail("write it");
}

}  // namespace heapdrift::cli
