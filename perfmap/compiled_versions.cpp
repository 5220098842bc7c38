#include "compiled_versions.h"

#include <cstdint>
#include <unordered_map>

namespace heapdrift::perfmap {

std::vector<CompiledVersions> compiled_versions(const JitLog& log, std::span<const uint64_t> times_ns) {
  std::vector<CompiledVersions> out;
  if (log.sessions.empty()) return out;
  const uint32_t session = uint32_t(log.sessions.size() - 1);

  std::unordered_map<std::string, size_t> index;  // function + signature: ids are per naming
  std::vector<uint32_t> versions;                 // now, by index
  std::vector<uint64_t> bytes;
  struct Code {
    size_t method;
    uint64_t size;
  };
  std::unordered_map<uint64_t, Code> live;  // by address
  size_t next_time = 0;
  auto reach = [&](uint64_t t) {  // records the counts at the times before t
    for (; next_time < times_ns.size() && times_ns[next_time] < t; ++next_time) {
      for (size_t m = 0; m < out.size(); ++m) {
        out[m].versions[next_time] = versions[m];
        out[m].bytes[next_time] = bytes[m];
      }
    }
  };
  auto end = [&](std::unordered_map<uint64_t, Code>::iterator it) {
    --versions[it->second.method];
    bytes[it->second.method] -= it->second.size;
    live.erase(it);
  };

  size_t u = 0;
  auto unload_before = [&](uint64_t sequence) {  // the unloads before that record, in file order
    for (; u < log.unloads.size() && log.unloads[u].sequence < sequence; ++u) {
      const LogCodeUnload& unload = log.unloads[u];
      if (unload.session != session) continue;
      reach(unload.time_ns);
      if (auto it = live.find(unload.address); it != live.end()) end(it);
    }
  };
  for (const LogCodeLoad& load : log.loads) {
    unload_before(load.sequence);
    if (load.session != session || load.method == kNoMethod) continue;
    reach(load.time_ns);
    const LogMethod& method = log.methods[load.method];
    auto [at, added] = index.emplace(method.function() + method.signature, out.size());
    if (added) {
      out.push_back({method.function(), method.signature, std::vector<uint32_t>(times_ns.size()),
                     std::vector<uint64_t>(times_ns.size())});
      versions.push_back(0);
      bytes.push_back(0);
    }
    if (auto it = live.find(load.address); it != live.end()) {
      if (it->second.method == at->second && it->second.size == load.size) continue;  // reported again
      end(it);  // its range was reused: it is gone
    }
    live.emplace(load.address, Code{at->second, load.size});
    ++versions[at->second];
    bytes[at->second] += load.size;
  }
  unload_before(UINT64_MAX);
  reach(UINT64_MAX);
  return out;
}

}  // namespace heapdrift::perfmap
