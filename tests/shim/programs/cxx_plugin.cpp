// cxx_plugin: C++ code loaded by a C program (cxx_host). Its calls of operator new and
// delete bind to the shim's, which must find this library's C++ runtime (loaded with
// it, RTLD_LOCAL) and behave as that runtime does: aligned forms aligned, nothrow forms
// failing with null, the throwing form calling the new_handler, then throwing
// std::bad_alloc. It leaves kNodes blocks of sizeof(Node) live at site `plugin`, and
// prints which library its exceptions are thrown by (`unwinder`).
#include <dlfcn.h>
#include <unwind.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "site.h"

HD_DECLARE_SITE(plugin);

namespace {

constexpr int kNodes = 100;

struct Node {
  char payload[200];
  Node* next;
};

struct alignas(256) Aligned {
  char bytes[300];
};

volatile size_t g_huge = size_t{1} << 62;  // volatile: the failing calls stay calls
int g_handler_calls = 0;

void handler() {
  ++g_handler_calls;
  std::set_new_handler(nullptr);  // the next failure throws
}

HD_SITE(plugin) Node* keep_nodes() {
  Node* head = nullptr;
  for (int i = 0; i < kNodes; ++i) head = new Node{{}, head};
  return head;
}

Node* g_kept;

}  // namespace

extern "C" __attribute__((visibility("default"))) int cxx_plugin_run(FILE* out) {
  int errors = 0;
  auto check = [&](bool ok, const char* what) {
    if (!ok) std::fprintf(out, "error %s\n", what), ++errors;
  };
  g_kept = keep_nodes();
  {
    std::vector<std::string> strings;
    for (int i = 0; i < 1000; ++i) strings.emplace_back(100, 'x');
    check(strings.back().size() == 100, "strings");
  }
  auto* a = new Aligned;
  check(reinterpret_cast<uintptr_t>(a) % alignof(Aligned) == 0, "new of an over-aligned type is not aligned");
  delete a;
  check(operator new(g_huge, std::nothrow) == nullptr, "new(huge, nothrow) succeeded");
  check(operator new[](g_huge, std::align_val_t{64}, std::nothrow) == nullptr,
        "new[](huge, aligned, nothrow) succeeded");

  std::set_new_handler(handler);
  bool caught = false;
  try {
    void* p = operator new(g_huge);
    hd_escape(p);
  } catch (const std::bad_alloc&) {
    caught = true;
  }
  check(caught, "new(huge) did not throw std::bad_alloc");
  check(g_handler_calls == 1, "the new_handler was not called once");

  // Where this library's reference to _Unwind_RaiseException was bound: the same
  // lookup as its throws' (libstdc++'s, this library's own scope behind the global one).
  Dl_info unwinder{};
  dladdr(reinterpret_cast<void*>(&_Unwind_RaiseException), &unwinder);
  const char* name = unwinder.dli_fname ? unwinder.dli_fname : "?";
  std::fprintf(out, "unwinder %s\n", std::strrchr(name, '/') ? std::strrchr(name, '/') + 1 : name);
  HD_PRINT_SITE(out, plugin);
  std::fprintf(out, "kept %d %zu\n", kNodes, sizeof(Node));
  std::fprintf(out, "errors %d\n", errors);
  std::fflush(out);
  return errors ? 1 : 0;
}
