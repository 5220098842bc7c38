// The analysis commands' heap on transparent huge pages. They build tables of hundreds
// of MiB (libdw's decompressed debug sections and line tables, the records of every
// snapshot read), and each 4 KiB page of them first costs a page fault: on a 2-core VM,
// 290,000 faults were a sixth of a JVM symbolization's time, 180,000 a third of `leaks`
// over 100 snapshots (docs/PERFORMANCE.md). glibc backs its heap with huge pages when
// its tunable glibc.malloc.hugetlb=1 is set (glibc 2.35 and later: it madvises the
// memory it maps), but reads tunables only at start-up; so the command re-executes
// itself once with it.
#ifndef HEAPDRIFT_ANALYZER_CLI_HUGE_PAGE_HEAP_H
#define HEAPDRIFT_ANALYZER_CLI_HUGE_PAGE_HEAP_H

namespace heapdrift::cli {

// Re-executes this program with the same arguments and the tunable added, when the
// kernel gives huge pages only to the memory that asks (THP mode "madvise"; with
// "always" the heap has them already, with "never" asking does nothing) and the
// environment does not set it. Returns only when it did not re-execute (then the
// environment is as it was). Not for `record`, whose command would inherit it.
void use_huge_page_heap(char** argv);

}  // namespace heapdrift::cli

#endif  // HEAPDRIFT_ANALYZER_CLI_HUGE_PAGE_HEAP_H
