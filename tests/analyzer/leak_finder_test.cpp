// find_leaks on histories built by hand: the RSS-versus-heap note, and the ranking.
#include "leak_finder.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "leaks_text.h"
#include "log_builder.h"

namespace heapdrift {
namespace {

constexpr double kMiB = 1 << 20;

// The live heap is in the shim's byte counters (exact mode), or only in the
// allocator's statistics (sampled mode); `decoy` goes in the other place.
SnapshotSummary summary(double seconds, double rss, double live_heap, uint64_t arenas, bool exact = true,
                        double decoy = 0) {
  SnapshotSummary s;
  s.process.mono_ns = uint64_t(seconds * 1e9);
  double counted = exact ? live_heap : decoy, in_use = exact ? decoy : live_heap;
  if (exact || decoy) {
    s.counters = {{"alloc_bytes", uint64_t(counted + 1000 * kMiB)}, {"free_bytes", uint64_t(1000 * kMiB)}};
  }
  // All of RSS anonymous; what is not the live heap is free inside the arenas.
  s.memory = MemoryInfo{"glibc",
                        {{"rss_bytes", uint64_t(rss)},
                         {"rss_anon_bytes", uint64_t(rss)},
                         {"rss_file_bytes", 0},
                         {"malloc.arena_count", arenas},
                         {"malloc.arena_bytes", uint64_t(in_use * 0.75 + rss - live_heap)},
                         {"malloc.in_use_bytes", uint64_t(in_use * 0.75)},
                         {"malloc.mmap_bytes", uint64_t(in_use * 0.25)},
                         {"malloc.free_bytes", uint64_t(rss - live_heap)}},
                        ""};
  return s;
}

// A sampled-mode snapshot whose RSS is split as given: anonymous and file-backed, and
// of the anonymous part what glibc holds (its heap and its free bytes).
SnapshotSummary split(double seconds, double anon, double file, double heap, double free) {
  SnapshotSummary s;
  s.process.mono_ns = uint64_t(seconds * 1e9);
  s.memory = MemoryInfo{"glibc",
                        {{"rss_bytes", uint64_t(anon + file)},
                         {"rss_anon_bytes", uint64_t(anon)},
                         {"rss_file_bytes", uint64_t(file)},
                         {"malloc.arena_count", 2},
                         {"malloc.arena_bytes", uint64_t(heap + free)},
                         {"malloc.in_use_bytes", uint64_t(heap)},
                         {"malloc.mmap_bytes", 0},
                         {"malloc.free_bytes", uint64_t(free)}},
                        ""};
  return s;
}

ProcessHistory history(std::vector<SnapshotSummary> snapshots) {
  ProcessHistory h;
  h.sample_rate = 512 * 1024;
  for (const auto& s : snapshots) h.timeline.snapshot_ns.push_back(s.process.mono_ns);
  h.snapshots = std::move(snapshots);
  return h;
}

// `s` of a JVM run as java, with its own counters (the shim's jvm.* keys).
SnapshotSummary jvm(SnapshotSummary s, double metaspace, double heap, uint64_t threads, uint64_t classes) {
  s.process.exe = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
  s.memory->values.insert({{"jvm.metaspace_committed_bytes", uint64_t(metaspace)},
                           {"jvm.heap_committed_bytes", uint64_t(heap)},
                           {"jvm.threads", threads},
                           {"jvm.classes", classes}});
  return s;
}

TEST(LeakFinder, SaysSoWhenRssGrowsWithoutTheHeap) {
  ProcessLeaks r = find_leaks(history({summary(1, 100 * kMiB, 50 * kMiB, 8), summary(30, 200 * kMiB, 52 * kMiB, 8),
                                       summary(60, 300 * kMiB, 51 * kMiB, 8)}),
                              LeakCriteria{});
  ASSERT_TRUE(r.memory.note.has_value());
  EXPECT_NE(r.memory.note->find("RSS grew by 200 MiB"), std::string::npos) << *r.memory.note;
  EXPECT_NE(r.memory.note->find("8 arenas"), std::string::npos) << *r.memory.note;
  EXPECT_NE(r.memory.note->find("MALLOC_ARENA_MAX"), std::string::npos) << *r.memory.note;
  EXPECT_TRUE(r.suspects.empty());
}

// A heap that fell meanwhile is said to have shrunk, not to have grown by a negative size.
TEST(LeakFinder, SaysTheHeapShrankWhileRssGrew) {
  ProcessLeaks r = find_leaks(history({summary(1, 100 * kMiB, 80 * kMiB, 8), summary(60, 300 * kMiB, 50 * kMiB, 8)}),
                              LeakCriteria{});
  ASSERT_TRUE(r.memory.note.has_value());
  EXPECT_NE(r.memory.note->find("RSS grew by 200 MiB while the live heap shrank by 30.0 MiB"), std::string::npos)
      << *r.memory.note;
}

// Samples the shim could not keep whole at its caps: leaks says how many, which site the
// stackless ones are, and which cap to raise; the JSON has the counts.
TEST(LeakFinder, SaysWhenTheShimReachedItsCaps) {
  std::vector<SnapshotSummary> snapshots = {summary(1, 100 * kMiB, 50 * kMiB, 8), summary(30, 100 * kMiB, 50 * kMiB, 8),
                                            summary(60, 100 * kMiB, 50 * kMiB, 8)};
  ProcessLeaks whole = find_leaks(history(snapshots), LeakCriteria{});
  EXPECT_EQ(leaks_text({whole}, FrameTable{}).find("reached a cap"), std::string::npos);
  EXPECT_EQ(leaks_json({whole}, FrameTable{}, 10)["dropped_stacks"], 0);

  snapshots.back().counters.insert({{"sampled_allocs", 5000}, {"dropped_stacks", 1200}, {"dropped_samples", 7}});
  ProcessLeaks capped = find_leaks(history(snapshots), LeakCriteria{});
  // The note is folded into lines: join them.
  const std::string text = std::regex_replace(leaks_text({capped}, FrameTable{}), std::regex("\n +"), " ");
  EXPECT_NE(text.find("the shim reached a cap: 1200 of the 5000 samples taken have no stack"), std::string::npos)
      << text;
  EXPECT_NE(text.find("HEAPDRIFT_MAX_STACKS"), std::string::npos) << text;
  EXPECT_NE(text.find("7 samples were not kept"), std::string::npos) << text;
  EXPECT_NE(text.find("HEAPDRIFT_MAX_LIVE_SAMPLES"), std::string::npos) << text;
  const nlohmann::ordered_json j = leaks_json({capped}, FrameTable{}, 10);
  EXPECT_EQ(j["dropped_stacks"], 1200);
  EXPECT_EQ(j["dropped_samples"], 7);
}

// A block of 400 MiB allocated before the first snapshot and filled over the run (an
// arena, a ring buffer): RSS grows as its pages are first written, with no allocation.
// What the allocator held was not resident to begin with: not memory outside malloc.
TEST(LeakFinder, SaysWhenTheAllocatorsMemoryIsWrittenForTheFirstTime) {
  ProcessLeaks r = find_leaks(history({split(1, 20 * kMiB, 10 * kMiB, 400 * kMiB, 1 * kMiB),
                                       split(60, 390 * kMiB, 10 * kMiB, 400 * kMiB, 1 * kMiB)}),
                              LeakCriteria{});
  ASSERT_TRUE(r.memory.note.has_value());
  const std::string& note = *r.memory.note;
  EXPECT_NE(note.find("RSS grew by 370 MiB"), std::string::npos) << note;
  EXPECT_NE(note.find("the allocator held it already: of what it had obtained from the system, at least 381 MiB was "
                      "not resident at the start and 11.0 MiB at the end"),
            std::string::npos)
      << note;
  EXPECT_EQ(note.find("outside malloc"), std::string::npos) << note;
}

// RSS grows with anonymous memory that glibc does not hold (a JVM's Metaspace or code
// cache, a GC's heap): not the allocator's doing, and not a matter of arenas.
TEST(LeakFinder, SaysWhenTheGrowthIsOutsideMalloc) {
  ProcessLeaks r = find_leaks(history({split(1, 90 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB),
                                       split(60, 290 * kMiB, 10 * kMiB, 31 * kMiB, 11 * kMiB)}),
                              LeakCriteria{});
  ASSERT_TRUE(r.memory.note.has_value());
  const std::string& note = *r.memory.note;
  EXPECT_NE(note.find("RSS grew by 200 MiB"), std::string::npos) << note;
  EXPECT_NE(note.find("outside malloc: anonymous memory that the allocator does not hold grew by 198 MiB"),
            std::string::npos)
      << note;
  EXPECT_NE(note.find("pmap -x PID"), std::string::npos) << note;
  EXPECT_NE(note.find("strace"), std::string::npos) << note;
  EXPECT_EQ(note.find("MALLOC_ARENA_MAX"), std::string::npos) << note;
}

// A JVM's own counters (the shim's jvm.* keys) say which of its spaces took the growth.
TEST(LeakFinder, AJvmsCountersSayWhichOfItsSpacesTookTheGrowthOutsideMalloc) {
  auto jvm = [](SnapshotSummary s, double metaspace, double heap, uint64_t classes) {
    return heapdrift::jvm(std::move(s), metaspace, heap, 12, classes);
  };
  // Before its first GC a JVM's Metaspace reads 0: the figures start at the next snapshot.
  ProcessLeaks metaspace = find_leaks(
      history({jvm(split(1, 90 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB), 0, 40 * kMiB, 3000),
               jvm(split(30, 150 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB), 20 * kMiB, 40 * kMiB, 5000),
               jvm(split(60, 290 * kMiB, 10 * kMiB, 31 * kMiB, 11 * kMiB), 160 * kMiB, 40 * kMiB, 40000)}),
      LeakCriteria{});
  ASSERT_TRUE(metaspace.memory.note.has_value());
  std::string note = *metaspace.memory.note;
  EXPECT_NE(note.find("Metaspace 20.0 MiB -> 160 MiB committed, Java heap 40.0 MiB -> 40.0 MiB, 12 -> 12 threads, "
                      "5000 -> 40000 classes loaded"),
            std::string::npos)
      << note;
  EXPECT_NE(note.find("Metaspace, which holds the classes' metadata, took 140 MiB of it"), std::string::npos) << note;
  ASSERT_TRUE(metaspace.memory.jvm_first && metaspace.memory.jvm_last);
  EXPECT_EQ(metaspace.memory.jvm_first->classes, 5000);

  // The note of a minute in which the JVM's Metaspace and heap went from the first
  // figures to the second, while 200 MiB outside malloc came.
  auto note_of = [&](double metaspace_a, double heap_a, double metaspace_b, double heap_b) {
    ProcessLeaks r = find_leaks(
        history({jvm(split(1, 90 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB), metaspace_a, heap_a, 3000),
                 jvm(split(60, 290 * kMiB, 10 * kMiB, 31 * kMiB, 11 * kMiB), metaspace_b, heap_b, 3010)}),
        LeakCriteria{});
    return r.memory.note.value_or("");
  };
  note = note_of(20 * kMiB, 40 * kMiB, 22 * kMiB, 230 * kMiB);
  EXPECT_NE(note.find("The Java heap took 190 MiB of it"), std::string::npos) << note;
  EXPECT_EQ(note.find("Metaspace, which"), std::string::npos) << note;
  // Both took a quarter or more: both are named, the larger first.
  note = note_of(20 * kMiB, 40 * kMiB, 100 * kMiB, 150 * kMiB);
  EXPECT_NE(note.find(". The Java heap took 110 MiB of it: "), std::string::npos) << note;
  EXPECT_NE(note.find("; Metaspace, which holds the classes' metadata, took 80.0 MiB of it"), std::string::npos)
      << note;

  // No GC in the run: Metaspace is not counted in any snapshot, or in one only; the
  // heap, threads and classes are told over the run all the same.
  for (double counted_at_the_end : {0.0, 50 * kMiB}) {
    ProcessLeaks no_gc = find_leaks(
        history({jvm(split(1, 90 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB), 0, 40 * kMiB, 3000),
                 jvm(split(60, 290 * kMiB, 10 * kMiB, 31 * kMiB, 11 * kMiB), counted_at_the_end, 40 * kMiB, 9000)}),
        LeakCriteria{});
    note = no_gc.memory.note.value_or("");
    EXPECT_NE(note.find("Metaspace not counted yet (no GC had run), Java heap 40.0 MiB -> 40.0 MiB, 12 -> 12 threads, "
                        "3000 -> 9000 classes loaded"),
              std::string::npos)
        << note;
    EXPECT_EQ(note.find("took"), std::string::npos) << note;
    const nlohmann::ordered_json j = leaks_json({no_gc}, FrameTable{}, 10)["jvm"];
    EXPECT_TRUE(j["metaspace_committed_bytes"].is_null()) << j.dump();
    EXPECT_EQ(j["classes"]["last"], 9000) << j.dump();
  }
  nlohmann::ordered_json j = leaks_json({metaspace}, FrameTable{}, 10)["jvm"];
  EXPECT_EQ(j["metaspace_committed_bytes"]["last"], 160 * kMiB) << j.dump();

  // Without the counters in two snapshots (a JVM with -XX:-UsePerfData), nothing is said of them.
  ProcessLeaks without = find_leaks(history({split(1, 90 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB),
                                             jvm(split(60, 290 * kMiB, 10 * kMiB, 31 * kMiB, 11 * kMiB), 160 * kMiB,
                                                 40 * kMiB, 40000)}),
                                    LeakCriteria{});
  ASSERT_TRUE(without.memory.note.has_value());
  EXPECT_EQ(without.memory.note->find("own counters"), std::string::npos) << *without.memory.note;
}

// The heap's resident pages (jvm.heap_resident_bytes), where the shim measured them: a
// heap that keeps what it committed but uses more of it takes RSS all the same, and the
// note says so; a heap that committed more as it grew is told as before.
TEST(LeakFinder, TheJavaHeapsResidentPagesSayWhatItTookOfTheGrowth) {
  auto jvm = [](SnapshotSummary s, double committed, std::optional<double> resident) {
    s = heapdrift::jvm(std::move(s), 20 * kMiB, committed, 12, 3000);
    if (resident) s.memory->values.insert({"jvm.heap_resident_bytes", uint64_t(*resident)});
    return s;
  };
  // 198 MiB outside malloc over the minute.
  auto leaks_of = [&](double committed_a, std::optional<double> resident_a, double committed_b,
                      std::optional<double> resident_b) {
    return find_leaks(history({jvm(split(1, 90 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB), committed_a, resident_a),
                               jvm(split(60, 290 * kMiB, 10 * kMiB, 31 * kMiB, 11 * kMiB), committed_b, resident_b)}),
                      LeakCriteria{});
  };
  ProcessLeaks first_use = leaks_of(512 * kMiB, 30 * kMiB, 512 * kMiB, 210 * kMiB);
  std::string note = first_use.memory.note.value_or("");
  EXPECT_NE(note.find("Java heap 512 MiB -> 512 MiB committed (30.0 MiB -> 210 MiB of it resident at the snapshots)"),
            std::string::npos)
      << note;
  EXPECT_NE(note.find(". The Java heap took 180 MiB of it, in pages of what it had committed before"),
            std::string::npos)
      << note;
  EXPECT_NE(note.find("-XX:+AlwaysPreTouch"), std::string::npos) << note;
  const nlohmann::ordered_json j = leaks_json({first_use}, FrameTable{}, 10)["jvm"];
  EXPECT_EQ(j["heap_resident_bytes"]["first"], 30 * kMiB) << j.dump();
  EXPECT_EQ(j["heap_resident_bytes"]["last"], 210 * kMiB) << j.dump();

  // Committed and used alike: the heap grew.
  note = leaks_of(64 * kMiB, 60 * kMiB, 240 * kMiB, 230 * kMiB).memory.note.value_or("");
  EXPECT_NE(note.find(". The Java heap took 170 MiB of it: it grows up to its maximum (-Xmx)"), std::string::npos)
      << note;
  // A heap whose resident pages did not grow took nothing, whatever it committed.
  note = leaks_of(512 * kMiB, 200 * kMiB, 512 * kMiB, 201 * kMiB).memory.note.value_or("");
  EXPECT_EQ(note.find("The Java heap took"), std::string::npos) << note;
  // Without the figure in one of the snapshots, committed bytes are all there is.
  ProcessLeaks older = leaks_of(40 * kMiB, std::nullopt, 230 * kMiB, 200 * kMiB);
  note = older.memory.note.value_or("");
  EXPECT_EQ(note.find("resident"), std::string::npos) << note;
  EXPECT_NE(note.find("The Java heap took 190 MiB of it"), std::string::npos) << note;
  EXPECT_FALSE(leaks_json({older}, FrameTable{}, 10)["jvm"].contains("heap_resident_bytes"));
}

// A JVM run with -XX:-UsePerfData has no counters, but the shim still measures its
// heap's pages: the note and the JSON tell them, and nothing of the counters.
TEST(LeakFinder, WithoutTheJvmsCountersTheHeapsResidentPagesAreStillTold) {
  auto measured = [](SnapshotSummary s, double resident) {
    s.memory->values.insert({"jvm.heap_resident_bytes", uint64_t(resident)});
    return s;
  };
  ProcessLeaks r = find_leaks(history({measured(split(1, 90 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB), 30 * kMiB),
                                       measured(split(60, 290 * kMiB, 10 * kMiB, 31 * kMiB, 11 * kMiB), 210 * kMiB)}),
                              LeakCriteria{});
  const std::string note = r.memory.note.value_or("");
  EXPECT_NE(note.find("in a JVM, Native Memory Tracking"), std::string::npos) << note;
  EXPECT_NE(note.find(". The JVM's own counters are off (-XX:-UsePerfData); its Java heap's pages in RAM went 30.0 "
                      "MiB -> 210 MiB at the snapshots. The Java heap took 180 MiB of it, in pages it had not used "
                      "before"),
            std::string::npos)
      << note;
  EXPECT_EQ(note.find("of it resident at the snapshots"), std::string::npos) << note;  // the counters' part
  EXPECT_EQ(note.find("threads"), std::string::npos) << note;
  const nlohmann::ordered_json j = leaks_json({r}, FrameTable{}, 10)["jvm"];
  EXPECT_EQ(j["heap_resident_bytes"]["last"], 210 * kMiB) << j.dump();
  EXPECT_FALSE(j.contains("heap_committed_bytes")) << j.dump();
  EXPECT_FALSE(j.contains("metaspace_committed_bytes")) << j.dump();
}

// The JVM's threads: the counters give their number, not their stacks' memory. When
// they grew and the JVM's spaces leave a quarter of the growth outside malloc or more,
// the note gives that rest per thread gained.
TEST(LeakFinder, ThreadsTheJvmGainedAreToldWithWhatTheyMayHold) {
  auto jvm = [](SnapshotSummary s, double metaspace, uint64_t threads) {
    return heapdrift::jvm(std::move(s), metaspace, 40 * kMiB, threads, 3000);
  };
  // 198 MiB outside malloc over the minute, while Metaspace and the threads went so.
  auto note_of = [&](double metaspace_b, uint64_t threads_a, uint64_t threads_b) {
    ProcessLeaks r = find_leaks(
        history({jvm(split(1, 90 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB), 20 * kMiB, threads_a),
                 jvm(split(60, 290 * kMiB, 10 * kMiB, 31 * kMiB, 11 * kMiB), metaspace_b, threads_b)}),
        LeakCriteria{});
    return r.memory.note.value_or("");
  };
  std::string note = note_of(20 * kMiB, 20, 1404);
  EXPECT_NE(note.find(". The 1384 threads the JVM gained may hold what the figures above leave, 198 MiB (146 KiB a "
                      "thread): each thread's stack is mapped directly"),
            std::string::npos)
      << note;
  EXPECT_NE(note.find("jcmd PID Thread.print"), std::string::npos) << note;
  // Beside Metaspace, which took more: named after it, with what it leaves.
  note = note_of(120 * kMiB, 20, 1404);
  EXPECT_NE(note.find(". Metaspace, which holds the classes' metadata, took 100 MiB of it"), std::string::npos) << note;
  EXPECT_NE(note.find("; the 1384 threads the JVM gained may hold what the figures above leave, 98.0 MiB"),
            std::string::npos)
      << note;
  // Not named: Metaspace leaves less than a quarter; too few threads gained (16 at
  // least, and a quarter of those at the start); more a thread than a default stack.
  for (auto [metaspace_b, threads_a, threads_b] :
       {std::tuple{180 * kMiB, 20, 1404}, {20 * kMiB, 20, 35}, {20 * kMiB, 400, 480}, {20 * kMiB, 20, 40}}) {
    note = note_of(metaspace_b, uint64_t(threads_a), uint64_t(threads_b));
    EXPECT_NE(note.find("The JVM's own counters"), std::string::npos) << note;
    EXPECT_EQ(note.find("threads the JVM gained"), std::string::npos) << note;
  }
}

// Threads that ended without being joined or detached keep their stacks: stacks mapped
// beyond the threads running, growing, are told whether RSS grew much or not.
TEST(LeakFinder, StacksOfThreadsNeverJoinedAreTold) {
  // RSS flat; from `stacks_a` to `stacks_b` stacks of `stack` bytes while the threads
  // went from `threads_a` to `threads_b` (none: snapshots without the count).
  auto note_of = [](uint64_t stacks_a, uint64_t stacks_b, double stack, std::optional<uint64_t> threads_a,
                    std::optional<uint64_t> threads_b) {
    SnapshotSummary a = split(1, 90 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB);
    SnapshotSummary b = split(60, 90 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB);
    a.thread_stacks = {stacks_a, uint64_t(stacks_a * stack)};
    b.thread_stacks = {stacks_b, uint64_t(stacks_b * stack)};
    if (threads_a) a.memory->values["process_threads"] = *threads_a;
    if (threads_b) b.memory->values["process_threads"] = *threads_b;
    return find_leaks(history({a, b}), LeakCriteria{}).memory.note.value_or("");
  };
  EXPECT_EQ(note_of(10, 900, 8 * kMiB, 3, 3),
            "898 threads' stacks are mapped beyond the 3 threads running, 890 more than at the start (8.00 MiB a "
            "stack): threads that ended without pthread_join or pthread_detach keep their stacks, resident as far as "
            "they were used (a program's own fibers or coroutines, with guard pages, would look the same)");
  // Not told: the threads run (one stack each, the main thread's apart); too few more
  // (64 at least); no more than glibc's cache of ended threads' stacks could hold (40 MiB,
  // twice over); snapshots without the count of threads.
  EXPECT_EQ(note_of(10, 900, 8 * kMiB, 11, 901), "");
  EXPECT_EQ(note_of(10, 73, 8 * kMiB, 3, 3), "");
  EXPECT_EQ(note_of(10, 320, 256 * 1024, 3, 3), "");
  EXPECT_EQ(note_of(10, 900, 8 * kMiB, std::nullopt, std::nullopt), "");
}

// The figures behind that note, in the JSON whether a note was told or not.
TEST(LeakFinder, ThreadStacksAndThreadsAreInTheJson) {
  SnapshotSummary a = split(1, 90 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB);
  SnapshotSummary b = split(60, 90 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB);
  a.thread_stacks = {10, 10 * 8 * uint64_t(kMiB)};
  b.thread_stacks = {12, 12 * 8 * uint64_t(kMiB)};
  a.memory->values["process_threads"] = 9;
  b.memory->values["process_threads"] = 11;
  nlohmann::ordered_json j = leaks_json({find_leaks(history({a, b}), LeakCriteria{})}, FrameTable{}, 10);
  EXPECT_EQ(j["thread_stacks"], nlohmann::ordered_json::parse(R"({"first": {"count": 10, "bytes": 83886080},
                                                                  "last": {"count": 12, "bytes": 100663296}})"));
  EXPECT_EQ(j["process_threads"], nlohmann::ordered_json::parse(R"({"first": 9, "last": 11})"));
  // Snapshots without the count of threads: the stacks alone.
  a.memory->values.erase("process_threads");
  j = leaks_json({find_leaks(history({a, b}), LeakCriteria{})}, FrameTable{}, 10);
  EXPECT_FALSE(j.contains("process_threads")) << j.dump(1);
  EXPECT_EQ(j["thread_stacks"]["last"]["count"], 12);
}

// A JIT's code: its code cache's mapping (anonymous and executable) from first to last,
// named when it took a quarter of the growth outside malloc or more, and a JVM's
// compiled code alive, from its JIT log.
TEST(LeakFinder, AJitsCodeIsToldFromItsMappingAndItsJitLog) {
  perfmaptest::LogBuilder b(1);
  b.method(1, "a.B", "m", "()V");
  b.load(uint64_t(0.5e9), 0x100000, 3 * uint64_t(kMiB), 1);
  b.load(uint64_t(30e9), 0x10000000, 20 * uint64_t(kMiB), 1);
  perfmap::JitCodeMap jit_log;
  jit_log.add_log(b.log());
  auto leaks = [](double mapped_first, double mapped_last, const perfmap::JitCodeMap* code) {
    SnapshotSummary first = split(1, 90 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB);
    SnapshotSummary last = split(60, 290 * kMiB, 10 * kMiB, 31 * kMiB, 11 * kMiB);
    first.jit_code_mapped = uint64_t(mapped_first), last.jit_code_mapped = uint64_t(mapped_last);
    return find_leaks(history({first, last}), LeakCriteria{}, code);
  };
  ProcessLeaks r = leaks(10 * kMiB, 80 * kMiB, &jit_log);
  ASSERT_TRUE(r.memory.compiled_code.has_value());
  EXPECT_EQ(r.memory.compiled_code->first, 3 * uint64_t(kMiB));
  EXPECT_EQ(r.memory.compiled_code->last, 23 * uint64_t(kMiB));
  std::string note = r.memory.note.value_or("");
  EXPECT_NE(note.find(". Anonymous executable memory, where a JIT puts its code (a JVM's code cache), went 10.0 MiB "
                      "-> 80.0 MiB mapped; of it, the compiled Java code alive (its instructions alone, from the "
                      "JIT log) 3.00 MiB -> 23.0 MiB. The JIT's code cache took 70.0 MiB of it: "),
            std::string::npos)
      << note;

  // A tenth of what came outside malloc is told, not named; without a JIT log, no
  // compiled code is told.
  r = leaks(10 * kMiB, 30 * kMiB, nullptr);
  EXPECT_FALSE(r.memory.compiled_code.has_value());
  note = r.memory.note.value_or("");
  EXPECT_TRUE(note.ends_with("(a JVM's code cache), went 10.0 MiB -> 30.0 MiB mapped")) << note;

  // Perf maps alone give no compiled code; a process without a mebibyte of JIT code
  // (libffi's closures, say) says nothing of it.
  perfmap::JitCodeMap perf_map_only;
  perf_map_only.add_perf_map(perfmap::PerfMap{}, 0);
  r = leaks(64 << 10, 64 << 10, &perf_map_only);
  EXPECT_FALSE(r.memory.compiled_code.has_value());
  EXPECT_EQ(r.memory.note.value_or("").find("executable"), std::string::npos) << *r.memory.note;
}

// What to do about it depends on the runtime that mapped it; a native program has none.
TEST(LeakFinder, NamesWhatShowsMemoryOutsideMallocForTheProgramsRuntime) {
  for (auto [exe, advice] : {std::pair{"/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "Native Memory Tracking"},
                             std::pair{"/usr/bin/python3.11", "PYTHONMALLOC=malloc"},
                             std::pair{"/usr/bin/node", "--heapsnapshot-signal"},
                             std::pair{"/usr/lib/gcc/x86_64-linux-gnu/12/cc1plus", "pmap -x PID"}}) {
    std::vector<SnapshotSummary> s = {split(1, 90 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB),
                                      split(60, 290 * kMiB, 10 * kMiB, 31 * kMiB, 11 * kMiB)};
    for (SnapshotSummary& one : s) one.process.exe = exe;
    ProcessLeaks r = find_leaks(history(std::move(s)), LeakCriteria{});
    ASSERT_TRUE(r.memory.note.has_value());
    EXPECT_NE(r.memory.note->find(advice), std::string::npos) << *r.memory.note;
    for (const char* other : {"Native Memory Tracking", "PYTHONMALLOC", "--heapsnapshot-signal", "pmap -x"}) {
      if (std::string(other).find(advice) == std::string::npos && std::string(advice).find(other) == std::string::npos) {
        EXPECT_EQ(r.memory.note->find(other), std::string::npos) << exe << ": " << *r.memory.note;
      }
    }
  }
  // A JVM embedded in a launcher of another name is known by its counters.
  std::vector<SnapshotSummary> s = {
      jvm(split(1, 90 * kMiB, 10 * kMiB, 30 * kMiB, 10 * kMiB), 0, 40 * kMiB, 12, 3000),
      jvm(split(60, 290 * kMiB, 10 * kMiB, 31 * kMiB, 11 * kMiB), 0, 40 * kMiB, 12, 3000)};
  for (SnapshotSummary& one : s) one.process.exe = "/opt/server/bin/server";
  const std::string note = find_leaks(history(std::move(s)), LeakCriteria{}).memory.note.value_or("");
  EXPECT_NE(note.find("Native Memory Tracking"), std::string::npos) << note;
  EXPECT_EQ(note.find("pmap -x"), std::string::npos) << note;
}

TEST(LeakFinder, SaysWhenTheGrowthIsFileBacked) {
  ProcessLeaks r = find_leaks(history({split(1, 50 * kMiB, 50 * kMiB, 30 * kMiB, 10 * kMiB),
                                       split(60, 50 * kMiB, 250 * kMiB, 30 * kMiB, 10 * kMiB)}),
                              LeakCriteria{});
  ASSERT_TRUE(r.memory.note.has_value());
  EXPECT_NE(r.memory.note->find("file-backed and shared memory grew by 200 MiB"), std::string::npos)
      << *r.memory.note;
  EXPECT_EQ(r.memory.note->find("ZGC"), std::string::npos) << *r.memory.note;
  EXPECT_EQ(r.memory.note->find("shared_buffers"), std::string::npos) << *r.memory.note;

  // A PostgreSQL process's: its shared buffers, as far as it touched them.
  std::vector<SnapshotSummary> postgres = {split(1, 50 * kMiB, 50 * kMiB, 30 * kMiB, 10 * kMiB),
                                           split(60, 50 * kMiB, 250 * kMiB, 30 * kMiB, 10 * kMiB)};
  for (SnapshotSummary& one : postgres) one.process.exe = "/usr/lib/postgresql/15/bin/postgres";
  const std::string postgres_note = find_leaks(history(std::move(postgres)), LeakCriteria{}).memory.note.value_or("");
  EXPECT_NE(postgres_note.find("grew by 200 MiB (mapped files, shared memory, tmpfs): not the heap of malloc; in "
                               "PostgreSQL that is mostly its shared buffers"),
            std::string::npos)
      << postgres_note;

  // A JVM's, under ZGC, whose Java heap is shared memory: the note says so, with the
  // heap's pages where the shim measured them (jvm.heap_resident_shared_bytes), else with
  // the heap the JVM counts.
  auto zgc_leaks = [](std::optional<double> resident_first, std::optional<double> resident_last) {
    auto zgc_jvm = [](SnapshotSummary s, std::optional<double> resident) {
      s = jvm(std::move(s), 0, 384 * kMiB, 12, 500);
      if (resident) s.memory->values.insert({"jvm.heap_resident_shared_bytes", uint64_t(*resident)});
      return s;
    };
    return find_leaks(history({zgc_jvm(split(1, 50 * kMiB, 50 * kMiB, 30 * kMiB, 10 * kMiB), resident_first),
                               zgc_jvm(split(60, 50 * kMiB, 250 * kMiB, 30 * kMiB, 10 * kMiB), resident_last)}),
                      LeakCriteria{});
  };
  const std::string note = zgc_leaks(std::nullopt, std::nullopt).memory.note.value_or("");
  EXPECT_NE(note.find("grew by 200 MiB (mapped files, shared memory, tmpfs): not the heap of malloc; but a JVM's Java "
                      "heap is shared memory under ZGC (/memfd:java_heap), and the JVM counts its heap 384 MiB -> 384 "
                      "MiB committed"),
            std::string::npos)
      << note;
  ProcessLeaks zgc_measured = zgc_leaks(40 * kMiB, 235 * kMiB);
  const std::string measured_note = zgc_measured.memory.note.value_or("");
  EXPECT_NE(measured_note.find("shared memory under ZGC (/memfd:java_heap): its pages in RAM went 40.0 MiB -> 235 "
                               "MiB as RSS counts them (the JVM committed 384 MiB; JDK 17 maps the heap three times "
                               "over, and RSS counts each view)"),
            std::string::npos)
      << measured_note;
  EXPECT_EQ(leaks_json({zgc_measured}, FrameTable{}, 10)["jvm"]["heap_resident_shared_bytes"]["last"], 235 * kMiB);
}

// An allocator whose statistics the shim does not read: RSS alone cannot say whether
// it keeps freed memory or the growth is outside it.
TEST(LeakFinder, SaysWhenTheSnapshotsCannotTell) {
  auto other = [](double seconds, double rss) {
    SnapshotSummary s;
    s.process.mono_ns = uint64_t(seconds * 1e9);
    s.counters = {{"alloc_bytes", uint64_t(1000 * kMiB)}, {"free_bytes", uint64_t(990 * kMiB)}};
    s.memory = MemoryInfo{"other", {{"rss_bytes", uint64_t(rss)}, {"rss_anon_bytes", uint64_t(rss)}}, ""};
    return s;
  };
  ProcessLeaks r = find_leaks(history({other(1, 100 * kMiB), other(60, 300 * kMiB)}), LeakCriteria{});
  ASSERT_TRUE(r.memory.note.has_value());
  EXPECT_NE(r.memory.note->find("do not tell whether the allocator keeps it free or it is outside malloc"),
            std::string::npos)
      << *r.memory.note;
}

// glibc's figures left out of the last snapshot (the shim's walk of its arenas went
// over its budget): the live heap at both ends is what the samples estimate, and the
// note says why the allocator's part is unknown.
TEST(LeakFinder, EstimatesTheHeapFromTheSamplesWhereTheAllocatorsFiguresAreLeftOut) {
  SnapshotSummary last;
  last.process.mono_ns = uint64_t(60e9);
  last.memory = MemoryInfo{"glibc",
                           {{"rss_bytes", uint64_t(300 * kMiB)},
                            {"rss_anon_bytes", uint64_t(300 * kMiB)},
                            {"rss_file_bytes", 0},
                            {"malloc.left_out_after_walk_us", 58589}},
                           ""};
  ProcessHistory h = history({split(1, 100 * kMiB, 0, 90 * kMiB, 10 * kMiB), last});
  h.sites.push_back({{}, {{1, 40 * kMiB, 1, 0, 1}, {2, 8 * kMiB, 4, 1, 1}}});
  ProcessLeaks r = find_leaks(std::move(h), LeakCriteria{});
  EXPECT_TRUE(r.memory.heap_estimated);
  EXPECT_EQ(r.memory.heap_first, 40 * kMiB);
  EXPECT_EQ(r.memory.heap_last, 48 * kMiB);
  ASSERT_TRUE(r.memory.note.has_value());
  EXPECT_NE(r.memory.note->find("while the live heap (estimated from the samples) grew by 8.00 MiB"),
            std::string::npos)
      << *r.memory.note;
  EXPECT_NE(r.memory.note->find("do not tell whether the allocator keeps it free or it is outside malloc (glibc's "
                                "figures are left out: counting its free chunks took 59 ms at an earlier snapshot"),
            std::string::npos)
      << *r.memory.note;
}

TEST(LeakFinder, SaysNothingWhenTheHeapExplainsTheRss) {
  ProcessLeaks r = find_leaks(history({summary(1, 100 * kMiB, 50 * kMiB, 2), summary(30, 200 * kMiB, 150 * kMiB, 2),
                                       summary(60, 300 * kMiB, 250 * kMiB, 2)}),
                              LeakCriteria{});
  EXPECT_FALSE(r.memory.note.has_value());
}

TEST(LeakFinder, TakesTheHeapFromTheAllocatorWithoutByteCounters) {
  for (bool heap_grows : {false, true}) {
    double last = heap_grows ? 250 * kMiB : 51 * kMiB;
    ProcessLeaks r = find_leaks(history({summary(1, 100 * kMiB, 50 * kMiB, 8, false),
                                         summary(60, 300 * kMiB, last, 8, false)}),
                                LeakCriteria{});
    EXPECT_EQ(r.memory.heap_last, last);
    EXPECT_EQ(r.memory.note.has_value(), !heap_grows);
  }
}

TEST(LeakFinder, PrefersTheExactCountersToTheAllocator) {
  // Exact counters say the heap grew with RSS; the allocator's figure (decoy) is flat.
  ProcessLeaks r = find_leaks(history({summary(1, 100 * kMiB, 50 * kMiB, 8, true, 10 * kMiB),
                                       summary(60, 300 * kMiB, 250 * kMiB, 8, true, 10 * kMiB)}),
                              LeakCriteria{});
  EXPECT_EQ(r.memory.heap_last, 250 * kMiB);
  EXPECT_FALSE(r.memory.note.has_value());
}

TEST(LeakFinder, SaysNothingWhenRssBarelyMoves) {
  ProcessLeaks r = find_leaks(history({summary(1, 100 * kMiB, 50 * kMiB, 2), summary(60, 105 * kMiB, 50 * kMiB, 2)}),
                              LeakCriteria{});
  EXPECT_FALSE(r.memory.note.has_value());
}

// A program whose malloc is its own (an allocator linked into it; the shim wrote
// allocator "own"): the note says so, and no detection floor is claimed.
TEST(LeakFinder, SaysWhenNoAllocationReachedTheShim) {
  std::vector<SnapshotSummary> snapshots;
  for (int k = 0; k < 4; ++k) {
    snapshots.push_back(summary(5 * k + 1, (100 + 50 * k) * kMiB, 0, 1));
    snapshots.back().memory->allocator = "own";
  }
  std::vector<ProcessLeaks> r = {find_leaks(history(std::move(snapshots)), LeakCriteria{})};
  ASSERT_TRUE(r[0].memory.note);
  EXPECT_TRUE(r[0].memory.saw_no_allocation);
  EXPECT_NE(r[0].memory.note->find("saw none of its allocations"), std::string::npos) << *r[0].memory.note;
  const std::string printed = leaks_text(r, FrameTable{});
  EXPECT_EQ(printed.find("Detection floor"), std::string::npos) << printed;
  EXPECT_NE(printed.find("No verdict: the shim saw no allocation of the program's"), std::string::npos) << printed;
}

// Compiled code that keeps growing, in the text: a line a method, but one for all the
// methods of a class loaded again and again; --top counts lines.
TEST(LeakFinder, CodeGrowthOfAClassInManyCopiesIsOneLine) {
  std::vector<SnapshotSummary> s;
  for (int k = 0; k < 4; ++k) s.push_back(summary(k + 1, 100 * kMiB, 50 * kMiB, 2));
  ProcessLeaks r = find_leaks(history(std::move(s)), LeakCriteria{});
  r.code_growth = {{"a.Plugin.run", "()V", 100, 800, 40000, 790},
                   {"a.Rereg.work", "(J)J", 10, 700, 30000, 1},
                   {"a.Plugin.stop", "()V", 90, 795, 20000, 790},
                   {"a.Old.m", "()V", 5, 600, 10000, 0}};
  const std::string printed = leaks_text({r}, FrameTable{});
  EXPECT_NE(printed.find("\n    a.Plugin  in 790 copies of the class: 2 of its methods, 1595 versions alive (+1405 "
                         "over the run), 58.6 KiB of code\n    a.Rereg.work(J)J  700 versions alive (+690 over the "
                         "run), 29.3 KiB of code\n    a.Old.m()V  600 versions alive (+595 over the run)"),
            std::string::npos)
      << printed;
  const std::string top2 = leaks_text({r}, FrameTable{}, 2);
  EXPECT_NE(top2.find("29.3 KiB of code\n    ... 1 more (--top)\n"), std::string::npos) << top2;
}

// A script's recording: a child for each short command it ran. The text gives the
// programs that could be judged a block each and counts the others by program, most
// frequent first, with their command when it is always the same; the JSON lists every
// child.
TEST(LeakFinder, ChildrenTooShortLivedToJudgeAreCountedByProgram) {
  auto process = [](uint32_t pid, const std::string& command, int snapshots) {
    std::vector<SnapshotSummary> s;
    for (int k = 0; k < snapshots; ++k) s.push_back(summary(k + 1, 100 * kMiB, 50 * kMiB, 2));
    ProcessHistory h = history(std::move(s));
    h.pid = pid;
    h.command = command;
    return find_leaks(std::move(h), LeakCriteria{});
  };
  std::vector<ProcessLeaks> r = {process(10, "sh run.sh", 4),      process(11, "date", 1),
                                 process(12, "cc1 a.c -o a.s", 1), process(13, "server --port 80", 5),
                                 process(14, "cc1 b.c -o b.s", 2), process(15, "cc1 a.c -o a.s", 1),
                                 process(16, "ls /", 1),           process(17, "ls /", 1)};
  const std::string printed = leaks_text(r, FrameTable{});
  EXPECT_NE(printed.find("process 10: sh run.sh"), std::string::npos) << printed;
  EXPECT_NE(printed.find("process 13: server --port 80"), std::string::npos) << printed;
  for (const char* pid : {"process 11", "process 12", "process 14", "process 15", "process 16", "process 17"}) {
    EXPECT_EQ(printed.find(pid), std::string::npos) << printed;
  }
  EXPECT_EQ(printed.find("No verdict"), std::string::npos) << printed;
  const size_t counted = printed.find("\n6 processes too short-lived to judge (fewer than 3 snapshots each");
  ASSERT_NE(counted, std::string::npos) << printed;
  EXPECT_GT(counted, printed.find("process 13:")) << printed;
  EXPECT_NE(printed.find("\n       3  cc1 (cc1 a.c -o a.s, \u2026)\n       2  ls /\n       1  date\n", counted),
            std::string::npos)
      << printed;
  EXPECT_EQ(leaks_json(r, FrameTable{}, SIZE_MAX)["children"].size(), 7u);

  // One alone, and the main process is never counted away.
  r = {process(20, "sh -c true", 1), process(21, "true", 1)};
  const std::string one = leaks_text(r, FrameTable{});
  EXPECT_NE(one.find("process 20: sh -c true"), std::string::npos) << one;
  EXPECT_NE(one.find("No verdict: the leak test needs at least 3 snapshots"), std::string::npos) << one;
  EXPECT_NE(one.find("1 process too short-lived to judge (fewer than 3 snapshots each; --json lists it), by program:\n"
                     "       1  true\n"),
            std::string::npos)
      << one;
}

// A test that drives a browser: the browser's processes have a malloc of their own, and
// only an exit snapshot each. They are counted apart from the short-lived ones, with the
// reason once; a main process of that kind is told why, not that it needs 3 snapshots.
TEST(LeakFinder, ChildrenWhoseMallocIsTheirOwnAreCountedApartAndToldWhyOnce) {
  auto process = [](uint32_t pid, const std::string& command, int snapshots, const char* allocator) {
    std::vector<SnapshotSummary> s;
    for (int k = 0; k < snapshots; ++k) {
      s.push_back(summary(k + 1, 100 * kMiB, 50 * kMiB, 2));
      s.back().memory->allocator = allocator;
    }
    ProcessHistory h = history(std::move(s));
    h.pid = pid;
    h.command = command;
    return find_leaks(std::move(h), LeakCriteria{});
  };
  std::vector<ProcessLeaks> r = {process(10, "node test.js", 4, "glibc"),
                                 process(11, "chromium --type=zygote", 1, "own"),
                                 process(12, "chromium --type=renderer", 1, "own"), process(13, "ls /", 1, "glibc")};
  const std::string printed = leaks_text(r, FrameTable{});
  const size_t unseen = printed.find("\n2 processes not seen by the shim, the program's malloc being its own "
                                     "(--json lists each), by program:\n       2  chromium (chromium --type=zygote, "
                                     "\u2026)\n  note: the program's malloc is its own");
  ASSERT_NE(unseen, std::string::npos) << printed;
  EXPECT_GT(unseen, printed.find("1 process too short-lived to judge")) << printed;
  EXPECT_EQ(printed.find("process 11"), std::string::npos) << printed;
  EXPECT_EQ(printed.find("saw none of its allocations"), printed.rfind("saw none of its allocations")) << printed;

  r = {process(20, "chromium --headless", 1, "own")};
  const std::string one = leaks_text(r, FrameTable{});
  EXPECT_NE(one.find("  1 snapshot over"), std::string::npos) << one;
  EXPECT_NE(one.find("No verdict: the shim saw no allocation of the program's"), std::string::npos) << one;
  EXPECT_EQ(one.find("needs at least 3 snapshots"), std::string::npos) << one;
  EXPECT_TRUE(leaks_json(r, FrameTable{}, SIZE_MAX).contains("note"));
}

TEST(LeakFinder, RanksSuspectsByEvidence) {
  ProcessHistory h = history({summary(5, 0, 0, 1), summary(10, 0, 0, 1), summary(15, 0, 0, 1), summary(20, 0, 0, 1)});
  // Two steady leaks, one with twice the samples (stronger evidence), and a stable site.
  auto leak = [&](int per_second) {
    SiteHistory site;
    for (int i = 0; i < 20 * per_second; ++i) {
      uint64_t birth = uint64_t(i * 1e9 / per_second) + 1;
      uint32_t first = uint32_t((birth - 1) / uint64_t(5e9));  // the first snapshot at or after it
      site.samples.push_back({birth, 65536, 64, first, 3});
    }
    return site;
  };
  h.sites.push_back(leak(2));
  h.sites.push_back({{}, {{1, 64 * kMiB, 1, 0, 3}}});
  h.sites.push_back(leak(4));
  ProcessLeaks r = find_leaks(h, LeakCriteria{});
  ASSERT_EQ(r.suspects.size(), 2u);
  EXPECT_EQ(r.suspects[0].site, 2u);
  EXPECT_EQ(r.suspects[1].site, 0u);
  EXPECT_TRUE(r.growing.empty());  // the stable buffer did not grow
}

// One buffer grown by realloc (or a std::vector): each larger block replaces the one
// before, so the test sees one death and one birth of large blocks at each step, which
// it cannot tell from a structure reaching its working size. It is not a suspect, and
// it is shown apart, with its single block.
TEST(LeakFinder, ShowsABufferGrownByReallocationApartFromTheSuspects) {
  std::vector<SnapshotSummary> snapshots;
  for (int k = 0; k <= 12; ++k) snapshots.push_back(summary(5 * k + 1, 0, 0, 1));
  ProcessHistory h = history(std::move(snapshots));
  SiteHistory buffer;
  double size = 4 * kMiB;
  for (uint32_t k = 0; k <= 12; k += 2, size *= 1.5) {  // a new block every other snapshot
    buffer.samples.push_back({uint64_t(5e9) * k + 1, size, 1.0, k, std::min(k + 1, 12u)});
  }
  h.sites.push_back({{}, {{1, 64 * kMiB, 1, 0, 12}}});  // a stable buffer: not shown
  h.sites.push_back(buffer);
  ProcessLeaks r = find_leaks(h, LeakCriteria{});
  EXPECT_TRUE(r.suspects.empty());
  ASSERT_EQ(r.growing.size(), 1u);
  const GrowingSite& g = r.growing[0];
  EXPECT_EQ(g.site, 1u);
  EXPECT_EQ(g.first, 4 * kMiB);
  EXPECT_EQ(g.last, size / 1.5);
  EXPECT_EQ(g.blocks, 1u);
  EXPECT_EQ(g.large_blocks, 1u);
  EXPECT_FALSE(g.reason.empty());
}

// Every growing site is kept (a caller's group may take some), the outputs show three.
TEST(LeakFinder, ShowsAtMostThreeGrowingSites) {
  std::vector<SnapshotSummary> snapshots;
  for (int k = 0; k <= 12; ++k) snapshots.push_back(summary(5 * k + 1, 0, 0, 1));
  ProcessHistory h = history(std::move(snapshots));
  for (int b = 0; b < 4; ++b) {
    SiteHistory buffer;
    double size = (4 + b) * kMiB;
    for (uint32_t k = 0; k <= 12; k += 2, size *= 1.5) {
      buffer.samples.push_back({uint64_t(5e9) * k + 1, size, 1.0, k, std::min(k + 1, 12u)});
    }
    h.sites.push_back(buffer);
  }
  std::vector<ProcessLeaks> r = {find_leaks(h, LeakCriteria{})};
  EXPECT_EQ(r[0].growing.size(), 4u);
  EXPECT_EQ(leaks_json(r, FrameTable{}, 10)["growing_not_leaks"].size(), ProcessLeaks::kMaxGrowing);
}

// A leak whose stack changed half-way (a JIT recompiled its caller): two sites that
// read the same. The text says the one that stopped growing is the suspect's other path.
TEST(LeakFinder, SaysWhichGrowingSiteIsASuspectsOtherCallPath) {
  std::vector<SnapshotSummary> snapshots;
  for (int k = 0; k <= 12; ++k) snapshots.push_back(summary(5 * k + 1, 0, 0, 1));
  ProcessHistory h = history(std::move(snapshots));
  FrameTable table;
  auto frame = [&](const char* function, const char* file, uint32_t line) {
    Frame f;
    f.function = function, f.signature = function, f.file = file, f.line = line, f.module = "/bin/app";
    f.kind = FrameKind::kNative;
    return table.intern(f);
  };
  const FrameId leak = frame("remember", "app.c", 10);
  for (uint64_t from_s : {0, 30}) {  // the first path until 30 s, the second after
    SiteHistory site;
    site.frames = {leak, frame(from_s == 0 ? "interpreted" : "compiled", "", 0)};
    for (uint64_t ms = from_s * 1000 + 100; ms < (from_s + 30) * 1000; ms += 250) {
      uint32_t first = uint32_t((ms + 3999) / 5000);  // the first snapshot (at 5k + 1 s) after it
      if (first <= 12) site.samples.push_back({ms * 1000000, 65536, 8, first, 12});
    }
    h.sites.push_back(std::move(site));
  }
  std::vector<ProcessLeaks> r = {find_leaks(h, LeakCriteria{})};
  ASSERT_EQ(r[0].suspects.size(), 1u);
  EXPECT_EQ(r[0].suspects[0].site, 1u);
  ASSERT_EQ(r[0].growing.size(), 1u);
  EXPECT_EQ(r[0].growing[0].site, 0u);
  const std::string printed = leaks_text(r, table);
  EXPECT_NE(printed.find("remember  app.c:10  (another call path of #1)"), std::string::npos) << printed;
}

// Snapshots every 5 s to 20 s, then one at 21 s of the given trigger, by which the
// program freed everything (its teardown, for an exit snapshot).
ProcessLeaks leak_freed_at_the_end(format::Trigger last) {
  std::vector<SnapshotSummary> snapshots;
  for (int k = 0; k <= 4; ++k) snapshots.push_back(summary(k == 4 ? 21 : 5 * (k + 1), 0, 0, 1));
  snapshots.back().process.trigger = last;
  ProcessHistory h = history(std::move(snapshots));
  SiteHistory site;
  for (int i = 0; i < 80; ++i) {  // 4 a second, each live until the last snapshot before 21 s
    uint64_t birth = uint64_t(i * 1e9 / 4) + 1;
    site.samples.push_back({birth, 65536, 64, uint32_t((birth - 1) / uint64_t(5e9)), 3});
  }
  h.sites.push_back(site);
  return find_leaks(h, LeakCriteria{});
}

TEST(LeakFinder, LeavesOutTheExitSnapshotTakenAfterTheTeardown) {
  ProcessLeaks r = leak_freed_at_the_end(format::Trigger::kExit);
  EXPECT_EQ(r.judged_snapshots, 4u);
  ASSERT_EQ(r.suspects.size(), 1u);
  // Its estimates still cover the exit snapshot, where nothing of it is live.
  const Verdict& v = r.suspects[0].verdict;
  ASSERT_EQ(v.live.size(), 5u);
  EXPECT_EQ(v.live.back(), 0);
  EXPECT_GT(v.live[3], 0);
}

// The same fall in a periodic snapshot is what the program did while it ran.
TEST(LeakFinder, KeepsALastSnapshotThatIsNotTheExitOne) {
  ProcessLeaks r = leak_freed_at_the_end(format::Trigger::kPeriodic);
  EXPECT_EQ(r.judged_snapshots, 5u);
  EXPECT_TRUE(r.suspects.empty());
}

// A periodic snapshot at 20.5 s caught the teardown under way (CPython's finalization
// takes a while): half the leak freed by then, all of it by the exit snapshot at 21 s.
// `kept_at_20_5` is the share of the heap still live at 20.5 s.
ProcessLeaks teardown_caught_half_way(double kept_at_20_5) {
  const double leak_bytes = 80 * 65536 * 64.0;
  std::vector<SnapshotSummary> snapshots;
  for (int k = 0; k < 4; ++k) snapshots.push_back(summary(5 * (k + 1), 0, leak_bytes * (k + 1) / 4, 1));
  snapshots.push_back(summary(20.5, 0, leak_bytes * kept_at_20_5, 1));
  snapshots.push_back(summary(21, 0, 0, 1));
  snapshots.back().process.trigger = format::Trigger::kExit;
  ProcessHistory h = history(std::move(snapshots));
  SiteHistory site;
  for (int i = 0; i < 80; ++i) {
    uint64_t birth = uint64_t(i * 1e9 / 4) + 1;
    uint32_t last = i < 80 * kept_at_20_5 ? 4 : 3;
    site.samples.push_back({birth, 65536, 64, uint32_t((birth - 1) / uint64_t(5e9)), last});
  }
  h.sites.push_back(site);
  return find_leaks(h, LeakCriteria{});
}

TEST(LeakFinder, LeavesOutASnapshotThatCaughtTheTeardownUnderWay) {
  ProcessLeaks r = teardown_caught_half_way(0.5);
  EXPECT_EQ(r.judged_snapshots, 4u);
  ASSERT_EQ(r.suspects.size(), 1u);
  EXPECT_EQ(r.suspects[0].verdict.live.size(), 6u);
}

// A small fall before the exit is the program's own doing: judged, and it clears the site.
TEST(LeakFinder, JudgesALastSnapshotThatFellALittle) {
  ProcessLeaks r = teardown_caught_half_way(0.8);
  EXPECT_EQ(r.judged_snapshots, 5u);
}

}  // namespace
}  // namespace heapdrift
