#include "demangle.h"

#include <gtest/gtest.h>

namespace heapdrift::symbolizer {
namespace {

TEST(Demangle, MethodWithoutAndWithParameters) {
  DemangledName n = demangle("_ZN2ns5Klass6methodEi");
  EXPECT_EQ(n.name, "ns::Klass::method");
  EXPECT_EQ(n.signature, "ns::Klass::method(int)");
}

TEST(Demangle, ConstMethodAndOperators) {
  EXPECT_EQ(demangle("_ZNK2ns1AclEv").name, "ns::A::operator()");
  EXPECT_EQ(demangle("_ZNK2ns1AclEv").signature, "ns::A::operator()() const");
  EXPECT_EQ(demangle("_ZN2ns1AltERKS0_").name, "ns::A::operator<");
  EXPECT_EQ(demangle("_ZnwmRKSt9nothrow_t").name, "operator new");
  EXPECT_EQ(demangle("_ZN2ns1AcviEv").name, "ns::A::operator int");
}

TEST(Demangle, TemplatesLambdasAnonymousNamespaces) {
  // A template function's return type goes with the parameters.
  EXPECT_EQ(demangle("_Z3fooIiEvT_").name, "foo<int>");
  EXPECT_EQ(demangle("_Z3fooIiEvT_").signature, "void foo<int>(int)");
  EXPECT_EQ(demangle("_ZNSt6vectorIiSaIiEE9push_backERKi").name,
            "std::vector<int, std::allocator<int> >::push_back");
  EXPECT_EQ(demangle("_ZZ4mainENKUlvE_clEv").name, "main::{lambda()#1}::operator()");
  EXPECT_EQ(demangle("_ZN12_GLOBAL__N_13barEv").name, "(anonymous namespace)::bar");
}

TEST(Demangle, CompilerClonesKeepTheirSuffixOnlyInTheSignature) {
  DemangledName n = demangle("_ZN2ns5Klass6methodEi.isra.0.cold");
  EXPECT_EQ(n.name, "ns::Klass::method");
  EXPECT_EQ(n.signature, "ns::Klass::method(int) [clone .isra.0] [clone .cold]");
}

TEST(Demangle, PlainNamesComeBackUnchanged) {
  EXPECT_EQ(demangle("malloc").name, "malloc");
  EXPECT_EQ(demangle("malloc").signature, "malloc");
  EXPECT_EQ(demangle("main").name, "main");
  // Not a valid mangling: kept as it is.
  EXPECT_EQ(demangle("_Znot_a_mangling").name, "_Znot_a_mangling");
  EXPECT_EQ(demangle(nullptr).name, "");
}

}  // namespace
}  // namespace heapdrift::symbolizer
