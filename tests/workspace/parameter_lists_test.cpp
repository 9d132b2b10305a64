// Repeated parameters (lists) and the defaults a job sets for another group's parameter.
#include <gtest/gtest.h>

#include "ltv/ltv.hpp"

namespace ltv {
namespace {

TEST(ParameterLists, RepeatedValuesRoundTripAndEachValueIsChecked) {
  Parameters p({"source", "periods", "output", "format", "cross_sell", "recommend"});
  // The table's default of a repeated parameter is a list too.
  EXPECT_EQ(p.list("k"), (std::vector<std::string>{"5", "10"}));
  EXPECT_TRUE(p.list("for").empty());
  const std::vector<std::string> ids{"c1", "c 2, with a comma"};
  p.set_list("for", ids);
  EXPECT_EQ(p.list("for"), ids);
  p.set_list("k", std::vector<std::string>{"3", "0"});
  try {
    p.validate();
    FAIL() << "k = 0 passed";
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.key(), "k");
    EXPECT_EQ(e.found(), "0");  // the bad value, not the whole list
  }
}

TEST(ParameterLists, CrossSellJobsDropReturnsByDefault) {
  const Parameters cross_sell({"source", "periods", "output", "format", "cross_sell", "basket"});
  EXPECT_EQ(cross_sell.choice("returns"), "drop");
  EXPECT_FALSE(cross_sell.given("returns"));
  const Parameters summary({"source", "periods", "output", "format"});
  EXPECT_EQ(summary.choice("returns"), "net");
  bool listed = false;
  for (const ParameterDefault& d : parameter_defaults()) {
    listed |= d.group == "cross_sell" && d.key == "returns" && d.value == "drop";
  }
  EXPECT_TRUE(listed);
}

}  // namespace
}  // namespace ltv
