// Lets one more user create entries in a directory, through an entry of its POSIX
// access ACL. A daemon that leaves root keeps its own directory (given to its user),
// but the processes it then forks and execs (PostgreSQL's backends, a worker's CGI
// children) make theirs in the recording directory, which root made: the user needs
// write access there. An ACL grants it to that user alone, where a mode of 1777 would
// grant it to every user of the machine.
#ifndef HEAPDRIFT_PRELOAD_DIRECTORY_ACL_H
#define HEAPDRIFT_PRELOAD_DIRECTORY_ACL_H

#include <sys/types.h>

namespace heapdrift {

// Adds (or widens) `uid`'s entry in `dir`'s access ACL to rwx, and the mask to let it
// through, keeping the other entries; made from the mode bits when `dir` has no ACL.
// Takes the owner or CAP_FOWNER. False, with errno, when the file system keeps no ACLs
// (EOPNOTSUPP) or the ACL cannot be read or written.
bool allow_user_in(const char* dir, uid_t uid);

}  // namespace heapdrift

#endif  // HEAPDRIFT_PRELOAD_DIRECTORY_ACL_H
