// End-to-end tests of the record-of-care commands on real SQLite files: demo seeding,
// migrate, keygen and key rotation.
#include <gtest/gtest.h>

#include <string>

#include "support/cli_runner.hpp"

namespace tandem {
namespace {

using testing::CliTest;
using testing::Outcome;

TEST_F(CliTest, DemoSeedsOncePrintsLoginsAndCaseloadsThenRefusesASecondSeed) {
  const std::string db = "sqlite:" + (dir_ / "demo.db").string();
  const Outcome first = run("demo --db " + db);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("40 clients"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("client1@example.org"), std::string::npos);
  EXPECT_NE(first.out.find("Caseload of"), std::string::npos);
  EXPECT_NE(first.out.find("crisis (session"), std::string::npos) << "the crisis client is shown";
  EXPECT_TRUE(std::filesystem::exists(dir_ / "demo.db.key"));
  const Outcome second = run("demo --db " + db);
  EXPECT_EQ(second.exit_code, 2);
  EXPECT_NE(second.err.find("tandem:"), std::string::npos);
}

TEST_F(CliTest, InitCreatesTheOrganisationAndItsFirstAdminOnce) {
  const std::string db = "sqlite:" + (dir_ / "init.db").string();
  const std::string key = (dir_ / "init.key").string();
  ASSERT_EQ(run("keygen --key-file " + key).exit_code, 0);
  const std::string init = "init --db " + db + " --key-file " + key +
                           " --organisation 'Test Practice (fictional)'"
                           " --admin-email first.admin@example.org --admin-name 'Ada Admin'";
  ::unsetenv("TANDEM_ADMIN_PASSWORD");
  const Outcome no_password = run(init);  // standard input is empty
  EXPECT_EQ(no_password.exit_code, 2);
  EXPECT_NE(no_password.err.find("password"), std::string::npos) << no_password.err;

  ::setenv("TANDEM_ADMIN_PASSWORD", "short", 1);
  const Outcome too_short = run(init);
  EXPECT_EQ(too_short.exit_code, 2);
  EXPECT_NE(too_short.err.find("at least 8"), std::string::npos) << too_short.err;

  ::setenv("TANDEM_ADMIN_PASSWORD", "a long enough test password", 1);
  const Outcome made = run(init);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_NE(made.out.find("first admin"), std::string::npos) << made.out;
  EXPECT_NE(made.out.find("crisis text"), std::string::npos) << "reminds to set the crisis text";
  // The admin exists: they can search the audit log, which names the creation.
  const Outcome audit =
      run("audit --db " + db + " --key-file " + key + " --as first.admin@example.org");
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_NE(audit.out.find("organisation.create"), std::string::npos) << audit.out;
  const Outcome again = run(init);  // the e-mail is taken: nothing new is written
  EXPECT_NE(again.exit_code, 0);
  ::unsetenv("TANDEM_ADMIN_PASSWORD");
}

TEST_F(CliTest, MigrateReportsTheSchemaVersionAndRejectsUnknownUrls) {
  const Outcome ok = run("migrate --db sqlite:" + (dir_ / "m.db").string());
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("schema version"), std::string::npos);
  const Outcome bad = run("migrate --db mysql://localhost/x");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("not a store URL"), std::string::npos) << bad.err;
}

TEST_F(CliTest, KeygenNeverOverwritesAKey) {
  const std::string key = (dir_ / "k.key").string();
  ASSERT_EQ(run("keygen --key-file " + key).exit_code, 0);
  const Outcome again = run("keygen --key-file " + key);
  EXPECT_NE(again.exit_code, 0);
}

TEST_F(CliTest, RotateKeyReencryptsEveryFieldAndCanDropTheOldKey) {
  const std::string db = "sqlite:" + (dir_ / "r.db").string();
  const std::string key = (dir_ / "r.key").string();
  ASSERT_EQ(run("keygen --key-file " + key).exit_code, 0);
  ASSERT_EQ(run("demo --quiet --db " + db + " --key-file " + key).exit_code, 0);
  const Outcome rotated = run("rotate-key --db " + db + " --key-file " + key + " --drop-old");
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_NE(rotated.out.find("re-encrypted"), std::string::npos);
  EXPECT_EQ(rotated.out.find("re-encrypted 0 fields"), std::string::npos) << rotated.out;
  EXPECT_NE(rotated.out.find("dropped 1 old key"), std::string::npos) << rotated.out;
  // The free text is readable with the new key alone: rotating again re-seals it all.
  const Outcome again = run("rotate-key --db " + db + " --key-file " + key);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out.find("re-encrypted 0 fields"), std::string::npos) << again.out;
}

TEST_F(CliTest, AuditSearchIsForAdminsFiltersByActionAndIsItselfAudited) {
  const std::string db = "sqlite:" + (dir_ / "a.db").string();
  ASSERT_EQ(run("demo --quiet --db " + db).exit_code, 0);
  const std::string key = " --key-file " + (dir_ / "a.db.key").string();
  const Outcome all = run("audit --db " + db + key + " --as admin@example.org --limit 5");
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out.rfind("id,at,actor,action,record_type,record_id,outcome\n", 0), 0u) << all.out;
  const Outcome episodes =
      run("audit --db " + db + key + " --as admin@example.org --action episode. --limit 1000");
  ASSERT_EQ(episodes.exit_code, 0) << episodes.err;
  std::size_t lines = 0;
  for (std::size_t pos = episodes.out.find('\n'); pos != std::string::npos;
       pos = episodes.out.find('\n', pos + 1)) {
    ++lines;
  }
  EXPECT_GT(lines, 1u);
  EXPECT_EQ(episodes.out.find(",session."), std::string::npos) << "only episode.* actions";
  const Outcome searches =
      run("audit --db " + db + key + " --as admin@example.org --action audit.");
  EXPECT_NE(searches.out.find("audit."), std::string::npos) << "the earlier searches are logged";
  const Outcome therapist = run("audit --db " + db + key + " --as therapist1@example.org");
  EXPECT_EQ(therapist.exit_code, 2);
  EXPECT_NE(therapist.err.find("not an admin"), std::string::npos);
}

}  // namespace
}  // namespace tandem
