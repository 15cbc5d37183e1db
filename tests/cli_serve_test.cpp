// End-to-end test of the `tandem serve` binary on the seeded demo practice: it answers
// over real HTTP on 127.0.0.1, logs a therapist in, shows what they may see, and stops
// cleanly on SIGTERM.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "support/cli_runner.hpp"

namespace tandem {
namespace {

using testing::CliTest;

// curl may be missing on a fresh machine: talk HTTP/1.1 over a socket instead.
std::string http(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return {};
  }
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::write(fd, request.data() + sent, request.size() - sent);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string reply;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
    reply.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  return reply;
}

std::string body_of(const std::string& reply) {
  const auto split = reply.find("\r\n\r\n");
  return split == std::string::npos ? std::string() : reply.substr(split + 4);
}

TEST_F(CliTest, ServeAnswersOnTheDemoPracticeAndStopsOnSigterm) {
  const std::string db = "sqlite:" + (dir_ / "demo.db").string();
  ASSERT_EQ(run("demo --quiet --db " + db).exit_code, 0);
  // Above the kernel's ephemeral range and the test PostgreSQL cluster's ports.
  const int port = 61000 + static_cast<int>(::getpid() % 4000);
  const std::string key = (dir_ / "demo.db.key").string();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string listen = "127.0.0.1:" + std::to_string(port);
    const std::string expected =
        std::string("phq9=") + TANDEM_SOURCE_DIR + "/examples/phq9-expected-bands.csv";
    ::execl(TANDEM_EXE, TANDEM_EXE, "serve", "--db", db.c_str(), "--key-file", key.c_str(),
            "--listen", listen.c_str(), "--expected", expected.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::string health;
  for (int i = 0; i < 100 && health.find("200 OK") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    health = http(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  }
  ASSERT_NE(health.find("200 OK"), std::string::npos) << health;

  const std::string login_body = R"({"email":"therapist1@example.org","password":"tandem-demo"})";
  const std::string login =
      http(port,
           "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
           "Content-Type: application/json\r\nContent-Length: " +
               std::to_string(login_body.size()) + "\r\nConnection: close\r\n\r\n" + login_body);
  ASSERT_NE(login.find("200 OK"), std::string::npos) << login;
  const std::string token = nlohmann::json::parse(body_of(login))["token"];
  const std::string clients =
      http(port, "GET /api/v1/clients HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                     "\r\nConnection: close\r\n\r\n");
  ASSERT_NE(clients.find("200 OK"), std::string::npos) << clients;
  EXPECT_FALSE(nlohmann::json::parse(body_of(clients))["items"].empty());
  EXPECT_NE(clients.find("Content-Security-Policy"), std::string::npos);
  // The expected trajectories (--expected) judge episodes: some are not on track.
  const std::string me = http(port, "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                        token + "\r\nConnection: close\r\n\r\n");
  const int therapist = nlohmann::json::parse(body_of(me))["id"];
  const std::string caseload =
      http(port, "GET /api/v1/therapists/" + std::to_string(therapist) +
                     "/caseload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                     "\r\nConnection: close\r\n\r\n");
  EXPECT_NE(caseload.find("\"not-on-track\""), std::string::npos) << caseload.substr(0, 400);
  const std::string anonymous =
      http(port, "GET /api/v1/clients HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(anonymous.find("401"), std::string::npos) << anonymous;

  ::kill(child, SIGTERM);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status)) << "tandem serve did not exit on its own after SIGTERM";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(CliTest, ServeRefusesAnExpectedTrajectoryItCannotRead) {
  const std::string db = " --db sqlite:" + (dir_ / "e.db").string() + " --listen 127.0.0.1:0";
  const auto malformed = run("serve" + db + " --expected phq9");
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_NE(malformed.err.find("'phq9' is not INSTRUMENT=FILE"), std::string::npos)
      << malformed.err;
  const auto missing = run("serve" + db + " --expected phq9=" + (dir_ / "none.csv").string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("none.csv"), std::string::npos) << missing.err;
  const auto unknown = run("serve" + db + " --expected nosuch=" + (dir_ / "none.csv").string());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("nosuch"), std::string::npos) << unknown.err;
}

TEST_F(CliTest, ServeWantsBothTheTlsCertificateAndItsKey) {
  const auto half = run("serve --db sqlite:" + (dir_ / "t.db").string() +
                        " --listen 127.0.0.1:0 --tls-cert " + (dir_ / "cert.pem").string());
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_NE(half.err.find("give both the certificate (--tls-cert) and its private key"),
            std::string::npos)
      << half.err;
}

TEST_F(CliTest, ServeRefusesATrustedProxyThatIsNotAnAddress) {
  const auto flag = run("serve --db sqlite:" + (dir_ / "t.db").string() +
                        " --listen 127.0.0.1:0 --trusted-proxies 10.0.0.1,proxy.example.org");
  EXPECT_NE(flag.exit_code, 0);
  EXPECT_NE(flag.err.find("trusted_proxies: 'proxy.example.org' is not an IP address"),
            std::string::npos)
      << flag.err;
  ::setenv("TANDEM_TRUSTED_PROXIES", "10.0.0.0/8", 1);
  const auto env = run("serve --db sqlite:" + (dir_ / "t.db").string() + " --listen 127.0.0.1:0");
  ::unsetenv("TANDEM_TRUSTED_PROXIES");
  EXPECT_NE(env.exit_code, 0);
  EXPECT_NE(env.err.find("'10.0.0.0/8' is not an IP address"), std::string::npos) << env.err;
}

}  // namespace
}  // namespace tandem
