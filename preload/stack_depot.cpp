#include "stack_depot.h"

#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "internal_alloc.h"
#include "snapshot_format.h"

namespace heapdrift {
namespace {
constexpr size_t kBuckets = size_t{1} << StackDepot::kBucketBits;
}

StackDepot::StackDepot(uint32_t max_stacks) {
  uint32_t limit = (1u << (kIndexPageBits + 10)) - 1;
  max_stacks_ = max_stacks < limit ? max_stacks : limit;
  buckets_ = static_cast<std::atomic<StackRecord*>*>(internal_map(kBuckets * sizeof(void*)));
  if (buckets_) mapped_.store(kBuckets * sizeof(void*), std::memory_order_relaxed);
}

StackDepot::~StackDepot() {
  // Records live in arena chunks that are not tracked one by one; a depot lives as
  // long as the process, except in tests, where leaking the chunks is harmless.
  internal_unmap(buckets_, kBuckets * sizeof(void*));
  for (auto& page : index_) internal_unmap(page.load(), sizeof(void*) << kIndexPageBits);
}

const uintptr_t* StackRecord::methods() const {
  return (flags & format::kStackInterpreterMethods) ? frames + depth : nullptr;
}

uint64_t StackDepot::hash(const uintptr_t* frames, uint32_t depth, uint16_t flags, const uintptr_t* methods) {
  uint64_t h = XXH3_64bits_withSeed(frames, depth * sizeof(uintptr_t), flags);
  if (methods) h = XXH3_64bits_withSeed(methods, depth * sizeof(uintptr_t), h);
  return h;
}

void StackDepot::populate() { internal_populate(buckets_, kBuckets * sizeof(void*)); }

bool StackDepot::holds(const StackRecord& r, const uintptr_t* frames, uint32_t depth, uint16_t flags,
                       const uintptr_t* methods) {
  return r.depth == depth && r.flags == flags && memcmp(r.frames, frames, depth * sizeof(uintptr_t)) == 0 &&
         (!methods || memcmp(r.frames + depth, methods, depth * sizeof(uintptr_t)) == 0);
}

const StackRecord* StackDepot::find(const StackRecord* r, uint64_t h, const uintptr_t* frames,
                                    uint32_t depth, uint16_t flags, const uintptr_t* methods) {
  for (; r; r = r->next.load(std::memory_order_acquire)) {
    if (r->hash == h && holds(*r, frames, depth, flags, methods)) return r;
  }
  return nullptr;
}

void* StackDepot::arena_alloc(size_t size) {
  size = (size + 7) & ~size_t{7};
  if (size > arena_left_) {
    size_t chunk = size > kArenaChunk ? size : kArenaChunk;
    arena_ = static_cast<char*>(internal_map(chunk));
    if (!arena_) {
      arena_left_ = 0;
      return nullptr;
    }
    arena_left_ = chunk;
    mapped_.fetch_add(chunk, std::memory_order_relaxed);
  }
  void* p = arena_;
  arena_ += size;
  arena_left_ -= size;
  return p;
}

uint32_t StackDepot::intern(const uintptr_t* frames, uint32_t depth, uint16_t flags, const uintptr_t* methods,
                            uint32_t last) {
  if (!buckets_) return format::kOverflowStackId;
  if (!(flags & format::kStackInterpreterMethods)) methods = nullptr;
  else if (!methods) flags &= static_cast<uint16_t>(~format::kStackInterpreterMethods);
  if (const StackRecord* r = get(last); r && holds(*r, frames, depth, flags, methods)) return last;
  uint64_t h = hash(frames, depth, flags, methods);
  std::atomic<StackRecord*>& bucket = buckets_[h & (kBuckets - 1)];
  if (const StackRecord* r = find(bucket.load(std::memory_order_acquire), h, frames, depth, flags, methods)) {
    return r->id;
  }

  SpinLockGuard guard(insert_lock_);
  StackRecord* head = bucket.load(std::memory_order_acquire);
  if (const StackRecord* r = find(head, h, frames, depth, flags, methods)) return r->id;

  uint32_t id = next_id_.load(std::memory_order_relaxed);
  if (id > max_stacks_) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return format::kOverflowStackId;
  }
  std::atomic<StackRecord**>& page = index_[id >> kIndexPageBits];
  if (!page.load(std::memory_order_relaxed)) {
    auto* p = static_cast<StackRecord**>(internal_map(sizeof(void*) << kIndexPageBits));
    if (!p) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return format::kOverflowStackId;
    }
    mapped_.fetch_add(sizeof(void*) << kIndexPageBits, std::memory_order_relaxed);
    page.store(p, std::memory_order_release);
  }
  size_t words = methods ? 2 * size_t{depth} : depth;
  auto* r = static_cast<StackRecord*>(arena_alloc(sizeof(StackRecord) + words * sizeof(uintptr_t)));
  if (!r) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return format::kOverflowStackId;
  }
  r->next.store(head, std::memory_order_relaxed);
  r->hash = h;
  r->id = id;
  r->depth = static_cast<uint16_t>(depth);
  r->flags = flags;
  memcpy(r->frames, frames, depth * sizeof(uintptr_t));
  if (methods) memcpy(r->frames + depth, methods, depth * sizeof(uintptr_t));

  // Publish: the index entry and the id count first, then the bucket, so that
  // whoever finds the record by hash can also find it by id.
  page.load(std::memory_order_relaxed)[id & ((1u << kIndexPageBits) - 1)] = r;
  next_id_.store(id + 1, std::memory_order_release);
  bucket.store(r, std::memory_order_release);
  return id;
}

const StackRecord* StackDepot::get(uint32_t id) const {
  if (id == format::kOverflowStackId || id >= next_id_.load(std::memory_order_acquire)) return nullptr;
  StackRecord** page = index_[id >> kIndexPageBits].load(std::memory_order_acquire);
  return page ? page[id & ((1u << kIndexPageBits) - 1)] : nullptr;
}

}  // namespace heapdrift
