// signal_mask_program: run under the shim in exact mode. Allocates through 32 call
// chains of 16 distinct functions each (512 return addresses, more than libunwind's
// per-thread cache holds), so that the first walks of each chain are learning walks
// with libunwind looking up unwind information, while another thread sends it SIGUSR2
// all along and the program keeps SIGUSR1 blocked. Prints:
//   allocations N    the allocations it made through the chains
//   mask_changed K   rounds of 32 allocations after which its mask was not its own
//   delivered D      SIGUSR2 signals handled
//   sigprocmask_ok B 1 when sigprocmask (the shim's, in front of glibc's) blocked,
//                    reported and refused as glibc's does
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "site.h"

namespace {

std::atomic<int> g_delivered{0};
std::atomic<bool> g_stop{false};

template <int Chain, int Level>
__attribute__((noinline)) void* descend() {
  if constexpr (Level == 0) {
    return malloc(64 + Chain);
  } else {
    void* p = descend<Chain, Level - 1>();
    hd_escape(p);
    return p;
  }
}

template <size_t... Chains>
constexpr std::array<void* (*)(), sizeof...(Chains)> chains(std::index_sequence<Chains...>) {
  return {&descend<Chains, 15>...};
}

bool same_mask(const sigset_t& a, const sigset_t& b) {
  for (int s = 1; s < NSIG; ++s) {
    if (sigismember(&a, s) != sigismember(&b, s)) return false;
  }
  return true;
}

bool sigprocmask_works() {
  sigset_t usr1, now;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  if (sigprocmask(SIG_BLOCK, &usr1, nullptr) != 0) return false;
  if (sigprocmask(SIG_SETMASK, nullptr, &now) != 0 || sigismember(&now, SIGUSR1) != 1) return false;
  errno = 0;
  if (sigprocmask(12345, &usr1, nullptr) != -1 || errno != EINVAL) return false;
  return true;
}

void* send_signals(void* main_thread) {
  while (!g_stop.load()) {
    pthread_kill(*static_cast<pthread_t*>(main_thread), SIGUSR2);
    usleep(20);
  }
  return nullptr;
}

}  // namespace

int main() {
  bool works = sigprocmask_works();  // leaves SIGUSR1 blocked
  sigset_t own;
  pthread_sigmask(SIG_SETMASK, nullptr, &own);

  struct sigaction action {};
  action.sa_handler = [](int) { ++g_delivered; };
  action.sa_flags = SA_RESTART;
  sigaction(SIGUSR2, &action, nullptr);
  pthread_t self = pthread_self(), sender;
  pthread_create(&sender, nullptr, send_signals, &self);

  auto table = chains(std::make_index_sequence<32>());
  int allocations = 0, mask_changed = 0;
  for (int round = 0; round < 4; ++round) {
    for (auto chain : table) {
      free(chain());
      ++allocations;
    }
    // Once a round, to keep the program's own system calls few: a mask left changed
    // by one walk stays changed.
    sigset_t now;
    pthread_sigmask(SIG_SETMASK, nullptr, &now);
    mask_changed += !same_mask(now, own);
  }
  while (g_delivered.load() == 0) usleep(100);  // the test's timeout bounds this
  g_stop = true;
  pthread_join(sender, nullptr);
  std::printf("allocations %d\nmask_changed %d\ndelivered %d\nsigprocmask_ok %d\n", allocations, mask_changed,
              g_delivered.load(), works ? 1 : 0);
  return 0;
}
