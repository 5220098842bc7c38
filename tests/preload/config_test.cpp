#include "config.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace heapdrift {
namespace {

TEST(ParseSize, AcceptsBytesAndBinarySuffixes) {
  uint64_t v = 0;
  EXPECT_TRUE(parse_size("1", &v));
  EXPECT_EQ(v, 1u);
  EXPECT_TRUE(parse_size("4096", &v));
  EXPECT_EQ(v, 4096u);
  EXPECT_TRUE(parse_size("100B", &v));
  EXPECT_EQ(v, 100u);
  EXPECT_TRUE(parse_size("64K", &v));
  EXPECT_EQ(v, 64u << 10);
  EXPECT_TRUE(parse_size("512KiB", &v));
  EXPECT_EQ(v, 512u << 10);
  EXPECT_TRUE(parse_size("2M", &v));
  EXPECT_EQ(v, 2u << 20);
  EXPECT_TRUE(parse_size("3MiB", &v));
  EXPECT_EQ(v, 3u << 20);
  EXPECT_TRUE(parse_size("1G", &v));
  EXPECT_EQ(v, 1u << 30);
}

TEST(ParseSize, RejectsMalformedZeroAndOverflow) {
  uint64_t v = 7;
  for (const char* bad : {"", "0", "12Q", "K", "-1", "1.5M", " 1", "1 ", "1KB", "99999999999999999999",
                          "17179869184G"}) {
    EXPECT_FALSE(parse_size(bad, &v)) << bad;
  }
  EXPECT_EQ(v, 7u);
}

TEST(ParseDuration, AcceptsUnits) {
  uint64_t v = 0;
  EXPECT_TRUE(parse_duration_ms("500ms", &v));
  EXPECT_EQ(v, 500u);
  EXPECT_TRUE(parse_duration_ms("2s", &v));
  EXPECT_EQ(v, 2000u);
  EXPECT_TRUE(parse_duration_ms("5m", &v));
  EXPECT_EQ(v, 300000u);
  EXPECT_TRUE(parse_duration_ms("1h", &v));
  EXPECT_EQ(v, 3600000u);
  EXPECT_TRUE(parse_duration_ms("3", &v));
  EXPECT_EQ(v, 3000u);
  EXPECT_TRUE(parse_duration_ms("0", &v));
  EXPECT_EQ(v, 0u);
}

TEST(ParseDuration, RejectsMalformed) {
  uint64_t v;
  for (const char* bad : {"", "s", "2x", "1.5s", "-2s", "2 s", "ms"}) EXPECT_FALSE(parse_duration_ms(bad, &v)) << bad;
}

struct Env {
  std::map<std::string, std::string> vars;
  static const char* get(const char* name, void* self) {
    auto& vars = static_cast<Env*>(self)->vars;
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  }
};

TEST(LoadConfig, DefaultsWhenNothingIsSet) {
  Env env;
  Config c;
  char error[256];
  ASSERT_TRUE(load_config(Env::get, &env, &c, error, sizeof(error)));
  EXPECT_EQ(c.sample_rate, 512u * 1024);
  EXPECT_EQ(c.interval_ms, 60000u);
  EXPECT_EQ(c.max_depth, 64u);
  EXPECT_FALSE(c.seed_set);
  EXPECT_EQ(c.max_snapshots, 0u);
  EXPECT_EQ(c.unwind, UnwindMode::kLibunwind);
  EXPECT_TRUE(c.compress);
  EXPECT_STREQ(c.output_dir, "");
}

TEST(LoadConfig, ReadsEveryVariable) {
  Env env{{{"HEAPDRIFT_OUTPUT", "/tmp/rec"},
           {"HEAPDRIFT_SAMPLE_RATE", "1"},
           {"HEAPDRIFT_INTERVAL", "250ms"},
           {"HEAPDRIFT_MAX_DEPTH", "12"},
           {"HEAPDRIFT_SEED", "42"},
           {"HEAPDRIFT_MAX_SNAPSHOTS", "10"},
           {"HEAPDRIFT_MAX_LIVE_SAMPLES", "1000"},
           {"HEAPDRIFT_MAX_STACKS", "500"},
           {"HEAPDRIFT_UNWIND", "fp"},
           {"HEAPDRIFT_COMPRESS", "0"}}};
  Config c;
  char error[256];
  ASSERT_TRUE(load_config(Env::get, &env, &c, error, sizeof(error))) << error;
  EXPECT_STREQ(c.output_dir, "/tmp/rec");
  EXPECT_EQ(c.sample_rate, 1u);
  EXPECT_EQ(c.interval_ms, 250u);
  EXPECT_EQ(c.max_depth, 12u);
  EXPECT_TRUE(c.seed_set);
  EXPECT_EQ(c.seed, 42u);
  EXPECT_EQ(c.max_snapshots, 10u);
  EXPECT_EQ(c.max_live_samples, 1000u);
  EXPECT_EQ(c.max_stacks, 500u);
  EXPECT_EQ(c.unwind, UnwindMode::kFramePointer);
  EXPECT_FALSE(c.compress);
}

TEST(LoadConfig, NamesTheBadVariableAndValue) {
  const std::map<std::string, std::string> bad = {
      {"HEAPDRIFT_SAMPLE_RATE", "12Q"}, {"HEAPDRIFT_INTERVAL", "soon"},  {"HEAPDRIFT_MAX_DEPTH", "0"},
      {"HEAPDRIFT_MAX_DEPTH", "1000"},  {"HEAPDRIFT_SEED", "-3"},        {"HEAPDRIFT_MAX_SNAPSHOTS", "2"},
      {"HEAPDRIFT_UNWIND", "magic"},    {"HEAPDRIFT_MAX_STACKS", "0"},   {"HEAPDRIFT_MAX_LIVE_SAMPLES", "x"},
      {"HEAPDRIFT_COMPRESS", "yes"}};
  for (const auto& [name, value] : bad) {
    Env env{{{name, value}}};
    Config c;
    char error[256];
    EXPECT_FALSE(load_config(Env::get, &env, &c, error, sizeof(error))) << name << "=" << value;
    EXPECT_NE(std::string(error).find(name + "='" + value + "'"), std::string::npos) << error;
  }
}

TEST(LoadConfig, ErrorFitsASmallBuffer) {
  Env env{{{"HEAPDRIFT_SAMPLE_RATE", std::string(300, '9') + "Q"}}};
  Config c;
  char error[32];
  EXPECT_FALSE(load_config(Env::get, &env, &c, error, sizeof(error)));
  EXPECT_EQ(std::string(error).size(), sizeof(error) - 1);
}

}  // namespace
}  // namespace heapdrift
