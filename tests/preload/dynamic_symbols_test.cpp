// may_define and defined_address against the loader: for every named object of this
// process and a set of names (functions and a variable), the object's own table must say
// "maybe", and give dlsym's address, exactly where dlsym finds the name defined in that
// object, and "no" and null elsewhere. The vDSO, whose dynamic section the loader does
// not relocate, is read too.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <link.h>

#include <string>
#include <vector>

#include "dynamic_symbols.h"

namespace heapdrift {
namespace {

const char* const kNames[] = {"malloc", "free", "pthread_create", "dl_iterate_phdr", "environ", "_Znwm",
                              "_ZnwmRKSt9nothrow_t", "_ZSt17__throw_bad_allocv", "heapdrift_defined_nowhere"};

struct Seen {
  std::string name;
  std::vector<Defines> answers;  // one for each of kNames
  std::vector<const void*> addresses;
};

int collect(dl_phdr_info* info, size_t, void* data) {
  Seen seen{info->dlpi_name ? info->dlpi_name : "", {}, {}};
  for (const char* name : kNames) {
    seen.answers.push_back(may_define(*info, name));
    seen.addresses.push_back(defined_address(*info, name));
  }
  static_cast<std::vector<Seen>*>(data)->push_back(seen);
  return 0;
}

TEST(DynamicSymbols, SayWhatTheLoaderFinds) {
  std::vector<Seen> objects;
  dl_iterate_phdr(collect, &objects);
  int checked = 0;
  bool libc = false, cxx_runtime = false, variable = false;
  for (const Seen& o : objects) {
    if (o.name.empty() || o.name.find("vdso") != std::string::npos) continue;
    void* handle = dlopen(o.name.c_str(), RTLD_LAZY | RTLD_NOLOAD);
    ASSERT_NE(handle, nullptr) << o.name;
    for (size_t i = 0; i < std::size(kNames); ++i) {
      void* found = dlsym(handle, kNames[i]);
      Dl_info where{};
      const bool here = found && dladdr(found, &where) && where.dli_fname && o.name == where.dli_fname;
      EXPECT_EQ(o.answers[i], here ? Defines::kMaybe : Defines::kNo) << o.name << " " << kNames[i];
      EXPECT_EQ(o.addresses[i], here ? found : nullptr) << o.name << " " << kNames[i];
      ++checked;
      libc |= here && std::string(kNames[i]) == "malloc";
      cxx_runtime |= here && std::string(kNames[i]) == "_ZnwmRKSt9nothrow_t";
      variable |= here && std::string(kNames[i]) == "environ";
    }
    dlclose(handle);
  }
  EXPECT_TRUE(libc) << "no object defines malloc";
  EXPECT_TRUE(cxx_runtime) << "no object defines the C++ runtime's operators";
  EXPECT_TRUE(variable) << "no object defines environ";
  EXPECT_GT(checked, 20);
}

TEST(DynamicSymbols, ReadTheVdsosUnrelocatedTable) {
  struct Vdso {
    static int find(dl_phdr_info* info, size_t, void* data) {
      if (info->dlpi_name && std::string(info->dlpi_name).find("vdso") != std::string::npos) {
        *static_cast<std::pair<Defines, Defines>*>(data) = {may_define(*info, "__vdso_clock_gettime"),
                                                             may_define(*info, "malloc")};
        return 1;
      }
      return 0;
    }
  };
  std::pair<Defines, Defines> answers{Defines::kNo, Defines::kMaybe};
  ASSERT_EQ(dl_iterate_phdr(Vdso::find, &answers), 1) << "no vDSO in this process";
  EXPECT_EQ(answers.first, Defines::kMaybe);
  EXPECT_EQ(answers.second, Defines::kNo);
}

}  // namespace
}  // namespace heapdrift
