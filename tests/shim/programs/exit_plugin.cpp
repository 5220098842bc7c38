// A library whose constructor ends the process (dlopen_each_program): exit() runs
// inside dlopen, holding the loader's lock, and waits for the shim's exit snapshot,
// which must therefore never wait for that lock.
#include <stdlib.h>

__attribute__((constructor)) static void exit_at_once() { exit(0); }
