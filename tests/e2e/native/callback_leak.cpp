// callback_leak: two static functions (unnamed: the program is built stripped with
// -rdynamic) called back by std::for_each, whose instantiation is exported and named.
// One keeps every block it mallocs, the other frees its own. std::for_each is an
// allocator frame when innermost (the C++ library allocating on its caller's behalf),
// but it does not make the unnamed function it called an allocator's internals: the
// site must stay that function, not become main, where every callback would meet.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>

struct Kept {
  Kept* next;
  char payload[4000];
};
static Kept* kept_list = nullptr;

static void keep_block(int) {
  auto* k = static_cast<Kept*>(std::malloc(sizeof(Kept)));
  if (!k) std::abort();
  std::memset(k->payload, 1, sizeof k->payload);
  k->next = kept_list;
  kept_list = k;
}

static void use_scratch(int) {
  void* scratch = std::malloc(6000);
  std::memset(scratch, 2, 6000);
  std::free(scratch);
}

int main() {
  const timespec pause = {0, 1000000};
  int items[1] = {0};
  // 3,000 rounds, some 3.5 s: the kept list grows by 12 MB.
  for (int round = 0; round < 3000; ++round) {
    std::for_each(items, items + 1, keep_block);
    std::for_each(items, items + 1, use_scratch);
    nanosleep(&pause, nullptr);
  }
  return 0;
}
