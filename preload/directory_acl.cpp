#include "directory_acl.h"

#include <endian.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "file_status.h"

namespace heapdrift {
namespace {

// The kernel's form of an access ACL (linux/posix_acl_xattr.h): a version word, then
// entries sorted by tag and, within ACL_USER and ACL_GROUP, by id; little-endian.
constexpr char kAccessAcl[] = "system.posix_acl_access";
constexpr uint32_t kVersion = 2;
enum Tag : uint16_t { kUserObj = 0x01, kUser = 0x02, kGroupObj = 0x04, kGroup = 0x08, kMask = 0x10, kOther = 0x20 };
constexpr uint32_t kNoId = UINT32_MAX;
constexpr int kMaxEntries = 64;  // more than a directory made by the shim will carry

struct Entry {
  uint16_t tag, perm;
  uint32_t id;
};

}  // namespace

bool allow_user_in(const char* dir, uid_t uid) {
  unsigned char buf[4 + kMaxEntries * 8];
  Entry entries[kMaxEntries + 2];
  int n = 0;
  ssize_t size = getxattr(dir, kAccessAcl, buf, sizeof(buf));
  if (size < 0) {
    if (errno != ENODATA) return false;
    struct stat st;  // no ACL yet: the one the mode bits stand for
    if (file_status(dir, &st) != 0) return false;
    entries[n++] = {kUserObj, static_cast<uint16_t>((st.st_mode >> 6) & 7), kNoId};
    entries[n++] = {kGroupObj, static_cast<uint16_t>((st.st_mode >> 3) & 7), kNoId};
    entries[n++] = {kOther, static_cast<uint16_t>(st.st_mode & 7), kNoId};
  } else {
    uint32_t version = 0;
    if (size >= 4) memcpy(&version, buf, 4);
    if (le32toh(version) != kVersion || (size - 4) % 8 != 0) return errno = EINVAL, false;
    for (ssize_t at = 4; at < size; at += 8) {
      uint16_t tag, perm;
      uint32_t id;
      memcpy(&tag, buf + at, 2);
      memcpy(&perm, buf + at + 2, 2);
      memcpy(&id, buf + at + 4, 4);
      entries[n++] = {le16toh(tag), le16toh(perm), le32toh(id)};
    }
  }
  Entry* mine = std::find_if(entries, entries + n, [&](const Entry& e) { return e.tag == kUser && e.id == uid; });
  if (mine == entries + n) entries[n++] = {kUser, 0, static_cast<uint32_t>(uid)};
  mine->perm = 7;
  // The mask bounds every entry of the group class; named entries need one.
  uint16_t mask = 0;
  for (int i = 0; i < n; ++i) {
    if (entries[i].tag == kGroupObj || entries[i].tag == kUser || entries[i].tag == kGroup) mask |= entries[i].perm;
  }
  Entry* mask_entry = std::find_if(entries, entries + n, [](const Entry& e) { return e.tag == kMask; });
  if (mask_entry == entries + n) entries[n++] = {kMask, 0, kNoId};
  mask_entry->perm = mask;
  std::sort(entries, entries + n, [](const Entry& a, const Entry& b) {
    return a.tag != b.tag ? a.tag < b.tag : a.id < b.id;
  });
  if (n > kMaxEntries) return errno = E2BIG, false;
  const uint32_t version = htole32(kVersion);
  memcpy(buf, &version, 4);
  for (int i = 0; i < n; ++i) {
    const uint16_t tag = htole16(entries[i].tag), perm = htole16(entries[i].perm);
    const uint32_t id = htole32(entries[i].id);
    memcpy(buf + 4 + i * 8, &tag, 2);
    memcpy(buf + 4 + i * 8 + 2, &perm, 2);
    memcpy(buf + 4 + i * 8 + 4, &id, 4);
  }
  return setxattr(dir, kAccessAcl, buf, 4 + static_cast<size_t>(n) * 8, 0) == 0;
}

}  // namespace heapdrift
