// allow_user_in: a user who could not create entries in a directory root made can,
// once granted, and so can each user granted before; the mode's own entries are kept.
#include "directory_acl.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;

class DirectoryAcl : public testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "creating as another user takes root";
    char tmpl[] = "/tmp/heapdrift-acl-XXXXXX";  // /tmp: other users may pass it
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
    if (getxattr(dir_.c_str(), "system.posix_acl_access", nullptr, 0) < 0 && errno == EOPNOTSUPP) {
      GTEST_SKIP() << "/tmp keeps no ACLs here";
    }
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // What mkdir in the directory gives, as `uid` (and group 65534): 0 or the errno.
  int mkdir_as(uid_t uid, const std::string& name) {
    pid_t child = fork();
    if (child == 0) {
      if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(uid) != 0) _exit(254);
      _exit(mkdir((dir_ + "/" + name).c_str(), 0755) == 0 ? 0 : errno);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
  }

  std::string dir_;
};

TEST_F(DirectoryAcl, TheUserGrantedMayCreateThereAndNoOtherUser) {
  EXPECT_EQ(mkdir_as(65534, "before"), EACCES);
  ASSERT_TRUE(heapdrift::allow_user_in(dir_.c_str(), 65534)) << strerror(errno);
  EXPECT_EQ(mkdir_as(65534, "after"), 0);
  EXPECT_EQ(mkdir_as(65533, "other"), EACCES);
  struct stat st;
  ASSERT_EQ(stat((dir_ + "/after").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 65534u);
}

TEST_F(DirectoryAcl, EachUserGrantedKeepsAccessAndTheModeStands) {
  ASSERT_TRUE(heapdrift::allow_user_in(dir_.c_str(), 65534));
  ASSERT_TRUE(heapdrift::allow_user_in(dir_.c_str(), 65533));
  ASSERT_TRUE(heapdrift::allow_user_in(dir_.c_str(), 65534));  // again: one entry still
  EXPECT_EQ(mkdir_as(65534, "first"), 0);
  EXPECT_EQ(mkdir_as(65533, "second"), 0);
  EXPECT_EQ(mkdir_as(65532, "third"), EACCES);
  // The owner's, the group's (the mask, rwx, is what the group bits show now) and
  // other users' entries as chmod left them.
  struct stat st;
  ASSERT_EQ(stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0775u);
  // user::rwx, user:65533, user:65534, group::r-x, mask::rwx, other::r-x
  EXPECT_EQ(getxattr(dir_.c_str(), "system.posix_acl_access", nullptr, 0), 4 + 6 * 8);
}

TEST_F(DirectoryAcl, AMissingDirectoryIsAnError) {
  EXPECT_FALSE(heapdrift::allow_user_in((dir_ + "/missing").c_str(), 65534));
  EXPECT_EQ(errno, ENOENT);
}

}  // namespace
