#include "signal_block.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <cerrno>

#include "stack_capture.h"
#include "stack_extent.h"

namespace heapdrift {
namespace {

sigset_t current_mask() {
  sigset_t now;
  pthread_sigmask(SIG_SETMASK, nullptr, &now);
  return now;
}

bool every_signal_in(const sigset_t& set) {
  sigset_t all;
  sigfillset(&all);
  for (int s = 1; s < NSIG; ++s) {
    bool blockable = s != SIGKILL && s != SIGSTOP && sigismember(&all, s) == 1;
    if (blockable && sigismember(&set, s) != 1) return false;
  }
  return true;
}

bool same_mask(const sigset_t& a, const sigset_t& b) {
  for (int s = 1; s < NSIG; ++s) {
    if (sigismember(&a, s) != sigismember(&b, s)) return false;
  }
  return true;
}

sigset_t with(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  return set;
}

std::atomic<int> g_calls{0}, g_calls_with_signals_open{0};

}  // namespace
}  // namespace heapdrift

// The executable's symbols come first, so libunwind's calls to sigprocmask reach this
// definition, as in a preloaded process they reach the shim's. It notes whether every
// signal was already blocked when the call came.
extern "C" int sigprocmask(int how, const sigset_t* set, sigset_t* old) {
  using namespace heapdrift;
  ++g_calls;
  if (!every_signal_in(current_mask())) ++g_calls_with_signals_open;
  int error = pthread_sigmask(how, set, old);
  if (error == 0) return 0;
  errno = error;
  return -1;
}

namespace heapdrift {

// Outside the anonymous namespace, and called by no other test: the first capture
// through them is a learning walk with libunwind's caches cold.
__attribute__((noinline)) void signal_block_leaf(CapturedStack* out) {
  capture_stack(UnwindMode::kLibunwind, 64, 0, 0, current_stack_top(), true, out);
  asm volatile("" ::: "memory");
}
__attribute__((noinline)) void signal_block_caller(CapturedStack* out) {
  signal_block_leaf(out);
  asm volatile("" ::: "memory");
}

namespace {

TEST(SignalsBlocked, BlocksEverySignalAndRestoresTheMaskItFound) {
  sigset_t before = with({SIGUSR1}), saved;
  ASSERT_EQ(pthread_sigmask(SIG_SETMASK, &before, &saved), 0);
  {
    SignalsBlocked blocked;
    EXPECT_TRUE(every_signal_in(current_mask()));
  }
  EXPECT_TRUE(same_mask(current_mask(), before));
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
}

std::atomic<int> g_delivered{0};

TEST(SignalsBlocked, ASignalRaisedInsideIsDeliveredOnLeaving) {
  struct sigaction action {}, previous{};
  action.sa_handler = [](int) { ++g_delivered; };
  ASSERT_EQ(sigaction(SIGUSR2, &action, &previous), 0);
  {
    SignalsBlocked blocked;
    pthread_kill(pthread_self(), SIGUSR2);
    EXPECT_EQ(g_delivered.load(), 0);
  }
  EXPECT_EQ(g_delivered.load(), 1);
  sigaction(SIGUSR2, &previous, nullptr);
}

TEST(MaskChangeIsVoid, OnlyInsideAScopeAndOnlyForCallsThatKeepEverySignalBlocked) {
  sigset_t all, usr1 = with({SIGUSR1});
  sigfillset(&all);
  sigset_t all_but_usr1 = all;
  sigdelset(&all_but_usr1, SIGUSR1);
  sigset_t all_but_rtmax = all;
  sigdelset(&all_but_rtmax, SIGRTMAX);
  sigset_t all_but_unblockable = all;  // the kernel never blocks these two
  sigdelset(&all_but_unblockable, SIGKILL);
  sigdelset(&all_but_unblockable, SIGSTOP);
  EXPECT_FALSE(mask_change_is_void(SIG_SETMASK, nullptr));
  EXPECT_FALSE(mask_change_is_void(SIG_BLOCK, &usr1));
  EXPECT_FALSE(mask_change_is_void(SIG_SETMASK, &all));
  SignalsBlocked blocked;
  EXPECT_TRUE(mask_change_is_void(SIG_SETMASK, nullptr));  // a query
  EXPECT_TRUE(mask_change_is_void(SIG_BLOCK, &usr1));
  EXPECT_TRUE(mask_change_is_void(SIG_SETMASK, &all));
  EXPECT_TRUE(mask_change_is_void(SIG_SETMASK, &all_but_unblockable));
  EXPECT_FALSE(mask_change_is_void(SIG_SETMASK, &all_but_usr1));
  EXPECT_FALSE(mask_change_is_void(SIG_SETMASK, &all_but_rtmax));
  EXPECT_FALSE(mask_change_is_void(SIG_SETMASK, &usr1));
  EXPECT_FALSE(mask_change_is_void(SIG_UNBLOCK, &usr1));
}

// The learning walk holds every signal blocked while libunwind looks up unwind
// information, so that libunwind's own calls (which the shim skips) find nothing to do.
TEST(SignalsBlocked, LibunwindsCallsInALearningWalkComeWithEverySignalBlocked) {
  sigset_t before = with({SIGUSR1}), saved;
  ASSERT_EQ(pthread_sigmask(SIG_SETMASK, &before, &saved), 0);
  g_calls = 0;
  g_calls_with_signals_open = 0;
  CapturedStack stack;
  signal_block_caller(&stack);
  EXPECT_GT(stack.depth, 2u);
  EXPECT_GT(g_calls.load(), 0) << "libunwind looked nothing up: the test proves nothing";
  EXPECT_EQ(g_calls_with_signals_open.load(), 0);
  EXPECT_TRUE(same_mask(current_mask(), before));
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
}

}  // namespace
}  // namespace heapdrift
