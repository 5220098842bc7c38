// The command `heapdrift record` runs. It is forked paused: its pid names the
// recording directory, which must exist (with recording.json) before the command
// starts, and only the child knows its pid before the fork returns. start() then
// hands it its last environment variables and lets it exec.
#ifndef HEAPDRIFT_ANALYZER_CLI_CHILD_PROCESS_H
#define HEAPDRIFT_ANALYZER_CLI_CHILD_PROCESS_H

#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace heapdrift::cli {

class PausedChild {
 public:
  // Forks; throws std::runtime_error if it cannot. From here until wait() returns,
  // SIGTERM and SIGHUP are forwarded to the child and SIGINT and SIGQUIT ignored
  // (the terminal sends those to the child too), as system(3) does.
  explicit PausedChild(const std::vector<std::string>& argv);
  ~PausedChild();
  PausedChild(const PausedChild&) = delete;
  PausedChild& operator=(const PausedChild&) = delete;

  pid_t pid() const { return pid_; }

  // Sets `env` in the child and execs the command (execvp). Returns false if the exec
  // failed: the child has printed why and exited with 127.
  bool start(const std::vector<std::pair<std::string, std::string>>& env);

  // Makes the child exit with 127 without running the command.
  void cancel();

  // Waits for the child: its exit status, or 128 + the signal that killed it.
  int wait();

 private:
  pid_t pid_ = -1;
  int go_fd_ = -1;      // parent → child: 'G' and the variables, then closed
  int status_fd_ = -1;  // child → parent: errno of a failed exec; EOF once exec'd
  bool waited_ = false;
};

}  // namespace heapdrift::cli

#endif  // HEAPDRIFT_ANALYZER_CLI_CHILD_PROCESS_H
