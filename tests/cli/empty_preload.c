/* A harmless shared library for LD_PRELOAD-ordering tests: the loader needs an
   existing file, and this one does nothing when loaded. */
int heapdrift_test_empty_preload(void) { return 0; }
