#include "page_arena.h"

#include <sys/mman.h>

namespace heapdrift::perfmap {
namespace {

constexpr size_t kChunkSize = 256 * 1024;

}  // namespace

void* map_pages(size_t size) {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void unmap_pages(void* p, size_t size) {
  if (p) munmap(p, size);
}

PageArena::~PageArena() {
  while (chunks_) {
    Chunk* next = chunks_->next;
    munmap(chunks_, chunks_->size);
    chunks_ = next;
  }
}

char* PageArena::allocate(size_t n) {
  if (!chunks_ || chunks_->size - chunks_->used < n) {
    size_t size = sizeof(Chunk) + n > kChunkSize ? sizeof(Chunk) + n : kChunkSize;
    auto* chunk = static_cast<Chunk*>(map_pages(size));
    if (!chunk) return nullptr;
    chunk->next = chunks_;
    chunk->size = size;
    chunk->used = sizeof(Chunk);
    chunks_ = chunk;
  }
  char* p = reinterpret_cast<char*>(chunks_) + chunks_->used;
  chunks_->used += n;
  return p;
}

void PageArena::reset() {
  while (chunks_ && chunks_->next) {
    Chunk* next = chunks_->next;
    munmap(chunks_, chunks_->size);
    chunks_ = next;
  }
  if (chunks_) chunks_->used = sizeof(Chunk);
}

size_t PageArena::mapped_bytes() const {
  size_t n = 0;
  for (Chunk* c = chunks_; c; c = c->next) n += c->size;
  return n;
}

}  // namespace heapdrift::perfmap
