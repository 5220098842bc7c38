// Known code in the (PIE) test executable itself.
#ifndef HEAPDRIFT_TESTS_SYMBOLIZER_PIE_SITE_H
#define HEAPDRIFT_TESTS_SYMBOLIZER_PIE_SITE_H

#include "fixture/fixture_api.h"

namespace hdtest {
HdsymSite pie_call(int x);  // a call of a capture function, at a recorded line
}

#endif  // HEAPDRIFT_TESTS_SYMBOLIZER_PIE_SITE_H
