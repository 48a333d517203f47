// XML signature wrapping: responses whose original signature still verifies over the element
// it references, with an evil assertion placed where a careless SP would read it (the forge's
// layouts 1-11, after SAML Raider's XSW1-8 and three more), and duplicated IDs. Every one is
// refused, and neither the evil user nor the original one is created.
#include <gtest/gtest.h>

#include "service/service_fixture.hpp"

namespace ssoc::test {
namespace {

constexpr const char* kEvil = "admin@example.test";

class Wrapping : public ::testing::TestWithParam<int> {};

TEST_P(Wrapping, IsRefused) {
  int layout = GetParam();
  LoginFixture fx;
  auto b = fx.begin();
  forge::ResponseSpec spec = fx.spec(b);
  // Layouts 1, 2 and 9 wrap a signed Response; the others a signed Assertion.
  bool response_layout = layout == 1 || layout == 2 || layout == 9;
  spec.sign_response = response_layout;
  spec.sign_assertion = !response_layout;
  std::string original = forge::make_response(spec);
  std::string wrapped = forge::xsw(original, layout, kEvil);
  // The precondition of the attack: the original signature is still there and, where the
  // layout allows it, still valid over the original element.
  auto signatures = forge::check_signatures(wrapped, fx.idp.cert_pem_file);
  ASSERT_FALSE(signatures.empty());
  if (layout != 1 && layout != 6 && layout != 8) {
    bool one_valid = false;
    for (const auto& s : signatures) one_valid = one_valid || s.valid;
    EXPECT_TRUE(one_valid) << "layout " << layout << " lost its valid signature";
  }
  EXPECT_REFUSED(fx, fx.post(wrapped, b), 400);
  EXPECT_FALSE(fx.store->find_user(kEvil).value());
}

INSTANTIATE_TEST_SUITE_P(Layouts, Wrapping, ::testing::Range(1, 12));

TEST(WrappingById, ADuplicatedAssertionIdIsRefusedWhereverItSits) {
  for (auto place :
       {forge::DuplicatePlace::after_original, forge::DuplicatePlace::before_original}) {
    LoginFixture fx;
    auto b = fx.begin();
    forge::ResponseSpec spec = fx.spec(b);
    spec.sign_response = false;
    std::string wrapped = forge::duplicate_assertion_id(forge::make_response(spec), kEvil, place);
    EXPECT_REFUSED(fx, fx.post(wrapped, b), 400);
  }
}

}  // namespace
}  // namespace ssoc::test
