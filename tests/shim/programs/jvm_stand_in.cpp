// Built as a libjvm.so (tests/shim/CMakeLists.txt) and nothing more. Snapshots look for
// HotSpot's table in a libjvm.so they have not seen before (java_heap.cpp); with this
// one loaded, a test chooses the snapshot that does, which a real JVM does not allow
// (its first snapshot does it).
extern "C" __attribute__((visibility("default"))) int heapdrift_jvm_stand_in = 1;
