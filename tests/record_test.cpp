#include "core/record.hpp"

#include <gtest/gtest.h>

namespace tandem::core {
namespace {

TEST(Dates, ParseAndFormatRoundTripAcrossLeapYearsAndTheEpoch) {
  EXPECT_EQ(parse_date("1970-01-01"), 0);
  EXPECT_EQ(parse_date("1970-01-02"), 1);
  EXPECT_EQ(parse_date("1969-12-31"), -1);
  EXPECT_EQ(parse_date("2000-03-01").value() - parse_date("2000-02-28").value(),
            2);  // 2000 is leap
  EXPECT_EQ(parse_date("1900-03-01").value() - parse_date("1900-02-28").value(), 1);  // 1900 is not
  for (const char* text : {"2026-11-26", "2024-02-29", "1999-12-31", "2100-01-01"}) {
    EXPECT_EQ(format_date(parse_date(text).value()), text);
  }
}

TEST(Dates, ImpossibleOrMalformedDatesAreRejected) {
  for (const char* text : {"2026-02-30", "2023-02-29", "2026-13-01", "2026-00-10", "2026-1-01",
                           "26-11-2026", "2026/11/26", "", "2026-11-26T10:00"}) {
    EXPECT_FALSE(parse_date(text).has_value()) << text;
  }
}

TEST(Timestamps, FormatAsUtcIsoWithMilliseconds) {
  EXPECT_EQ(format_timestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_timestamp(1795718096123), "2026-11-26T18:34:56.123Z");
  EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59.999Z");
}

TEST(Roles, SpellingsRoundTrip) {
  for (Role role : {Role::kClient, Role::kTherapist, Role::kSupervisor, Role::kAdmin}) {
    EXPECT_EQ(parse_role(to_string(role)), role);
  }
  EXPECT_FALSE(parse_role("root").has_value());
  EXPECT_EQ(parse_close_reason("dropped-out"), CloseReason::kDroppedOut);
}

TEST(Validation, UserNeedsALowerCaseEmailAndClientsTheirRecord) {
  User user;
  user.email = "Therapist1@example.org";
  user.display_name = "Test Therapist (demo)";
  EXPECT_EQ(validate(user).field(), "email");
  user.email = "therapist1@example.org";
  EXPECT_TRUE(validate(user).is_ok());
  user.role = Role::kClient;
  EXPECT_EQ(validate(user).field(), "client_id");
  user.client_id = 7;
  EXPECT_TRUE(validate(user).is_ok());
  user.trainee = true;
  EXPECT_EQ(validate(user).field(), "trainee");
}

TEST(Validation, ProgressDefinitionNamesTheFaultyGoalField) {
  ProgressDefinition definition;
  EXPECT_EQ(validate(definition).field(), "goals");
  GoalDefinition goal;
  goal.key = "g1";
  goal.text = "Sleep through most nights";
  definition.goals.push_back(goal);
  EXPECT_TRUE(validate(definition).is_ok());
  definition.goals.push_back(goal);
  EXPECT_EQ(validate(definition).field(), "goals[1].key");
  definition.goals[1].key = "g2";
  definition.goals[1].scale = GoalScale::kGas;
  EXPECT_EQ(validate(definition).field(), "goals[1].gas_levels[0]");
}

TEST(Validation, RatingsStayOnTheirScales) {
  GoalRatingRecord rating;
  rating.value = 10;
  EXPECT_TRUE(validate(rating, GoalScale::kGbo).is_ok());
  rating.value = 10.5;
  EXPECT_FALSE(validate(rating, GoalScale::kGbo).is_ok());
  rating.value = 1.5;
  EXPECT_FALSE(validate(rating, GoalScale::kGas).is_ok());
  rating.value = -2;
  EXPECT_TRUE(validate(rating, GoalScale::kGas).is_ok());
  AllianceRating alliance;
  alliance.value = 11;
  EXPECT_EQ(validate(alliance).field(), "value");
}

}  // namespace
}  // namespace tandem::core
