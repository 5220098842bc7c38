#include "thread_state.h"

namespace heapdrift {

__thread ThreadState t_state __attribute__((tls_model("initial-exec"))) = {};

}  // namespace heapdrift
