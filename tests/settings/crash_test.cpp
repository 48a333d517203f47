// Crash safety: a child process runs enable-SKS, disable-SKS or a key rotation and is killed
// with SIGKILL, at each durable step in turn and then at random instants; the parent then checks
// the folder as the crash left it and opens it. It must always open as the complete old or the
// complete new state, with no plaintext settings beside a committed SKS state, no leftover
// staged or temporary file, and no HSM key that is not the folder's own.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "datadir/step_hook.hpp"
#include "settings/folder_settings.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::settings {
namespace {

using test::FolderFixture;

enum class Op { Enable, Disable, Rotate };

std::atomic<int> g_kill_at{0};
std::atomic<int> g_steps{0};

void count_and_maybe_die(std::string_view) {
  int n = ++g_steps;
  if (n == g_kill_at.load()) ::raise(SIGKILL);
}

// The HSM is a separate process (the project's network HSM over SoftHSM2), as a real HSM is a
// separate machine: the SIGKILL hits SSO Connect, never the HSM. (SoftHSM2 in-process is not
// crash-safe itself: killed while rewriting its token file on C_Login it loses the token.)
class CrashSafety : public ::testing::Test {
 protected:
  FolderFixture fx{FolderFixture::Hsm::NetworkSoftHsm};
  std::string master_key = std::string(fx.shared_settings().get("master_key").value());

  // Runs `op` in a child killed at step `kill_at` (0: never by step) or after `delay_us`
  // (negative: never by time). Returns how many steps the child passed if it ran to the end.
  int run_child(Op op, int kill_at, long delay_us) {
    int pipe_fds[2];
    EXPECT_EQ(::pipe(pipe_fds), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(pipe_fds[0]);
      g_kill_at = kill_at;
      datadir::set_step_hook(&count_and_maybe_die);
      bool ok = false;
      switch (op) {
        case Op::Enable: ok = enable_sks(fx.data, fx.sks_config()).ok(); break;
        case Op::Disable: ok = disable_sks(fx.data, true).ok(); break;
        case Op::Rotate: ok = rotate_key(fx.data).ok(); break;
      }
      int steps = g_steps.load();
      [[maybe_unused]] auto written = ::write(pipe_fds[1], &steps, sizeof steps);
      ::_exit(ok ? 0 : 1);
    }
    ::close(pipe_fds[1]);
    if (delay_us >= 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
      ::kill(pid, SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    int steps = -1;
    if (::read(pipe_fds[0], &steps, sizeof steps) != sizeof steps) steps = -1;
    ::close(pipe_fds[0]);
    if (WIFEXITED(status)) {
      EXPECT_EQ(WEXITSTATUS(status), 0) << "the change failed on its own";
    }
    return steps;
  }

  bool present(std::string_view name) const { return fs::exists(fx.data / name); }

  // The labelled secret keys on the token. SoftHSM2 creates an object file before it writes
  // the object's attributes, so a process killed inside C_GenerateKey can leave an empty object
  // with no label, no id and no key value: a SoftHSM artifact (HSMs create objects
  // atomically), and not a key SSO Connect could have used or recorded.
  std::vector<std::string> keys_on_token() {
    sks::HsmConnection hsm = sks::HsmConnection::open(fx.sks_config(), false).value();
    CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
    CK_ATTRIBUTE query[] = {pkcs11::attr(CKA_CLASS, secret)};
    std::vector<std::string> labels;
    std::vector<CK_OBJECT_HANDLE> keys = hsm.session().find(query, 64).value();
    for (CK_OBJECT_HANDLE key : keys) {
      Bytes label = hsm.session().attribute(key, CKA_LABEL).value();
      if (!label.empty()) labels.emplace_back(label.begin(), label.end());
    }
    return labels;
  }

  // Checks the folder as the crash left it, opens it, checks the result; returns true if the
  // folder is now in the new state of `op`.
  bool check_after_crash(Op op, const std::string& old_label, const std::string& context) {
    SCOPED_TRACE(context);
    // As the crash left it: plaintext settings beside encrypted ones only while a change is
    // recorded in the journal (the next open finishes it).
    bool plaintext = present("instance.properties") || present("shared.properties");
    bool encrypted_committed = present("sks.properties");
    if (plaintext && encrypted_committed) {
      EXPECT_TRUE(present("transition.journal"));
    }

    auto opened = open_folder(fx.data);
    EXPECT_TRUE(opened.ok()) << opened.error().describe();
    if (!opened.ok()) return false;
    EXPECT_EQ(opened->shared.get("master_key").value_or(""), master_key);
    EXPECT_EQ(opened->instance.get("instance_id").value_or(""), test::kInstanceId);

    for (const auto& entry : fs::directory_iterator(fx.data)) {
      std::string name = entry.path().filename().string();
      EXPECT_FALSE(name.ends_with(".next")) << name;
      EXPECT_EQ(name.find(".tmp-"), std::string::npos) << name;
      EXPECT_NE(name, "transition.journal");
    }
    bool sks_on = opened->sks.has_value();
    if (sks_on) {
      EXPECT_FALSE(present("instance.properties") || present("shared.properties"));
      EXPECT_EQ(keys_on_token(), std::vector<std::string>{opened->sks->key.label});
    } else {
      EXPECT_FALSE(present("instance.encp") || present("shared.encp") || present("sks.properties"));
      EXPECT_TRUE(keys_on_token().empty());
    }
    switch (op) {
      case Op::Enable: return sks_on;
      case Op::Disable: return !sks_on;
      case Op::Rotate: EXPECT_TRUE(sks_on); return sks_on && opened->sks->key.label != old_label;
    }
    return false;
  }

  std::string current_label() {
    auto opened = open_folder(fx.data);
    return opened.ok() && opened->sks ? opened->sks->key.label : "";
  }

  // Puts the folder back in the state `op` starts from.
  void reset_for(Op op) {
    bool sks_on = present("sks.properties");
    if (op == Op::Enable && sks_on) {
      ASSERT_TRUE(disable_sks(fx.data, true).ok());
    }
    if (op != Op::Enable && !sks_on) {
      ASSERT_TRUE(enable_sks(fx.data, fx.sks_config()).ok());
    }
  }

  // Kills the change at every step, then at `timed_runs` random instants. Returns the runs made.
  int exercise(Op op, int timed_runs) {
    reset_for(op);
    auto started = std::chrono::steady_clock::now();
    int total_steps = run_child(op, 0, -1);
    auto duration = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    EXPECT_GT(total_steps, 5);
    check_after_crash(op, "", "uninterrupted");
    int runs = 1, new_states = 1;
    for (int step = 1; step <= total_steps; ++step) {
      reset_for(op);
      std::string old_label = current_label();
      run_child(op, step, -1);
      new_states += check_after_crash(op, old_label, "killed at step " + std::to_string(step));
      ++runs;
    }
    std::mt19937 random(12345 + static_cast<int>(op));
    std::uniform_int_distribution<long> delay(0, duration);
    for (int i = 0; i < timed_runs; ++i) {
      reset_for(op);
      std::string old_label = current_label();
      long us = delay(random);
      run_child(op, 0, us);
      new_states += check_after_crash(op, old_label, "killed after " + std::to_string(us) + " us");
      ++runs;
    }
    std::printf(
        "%d runs: %d durable steps killed one by one, %d random kills; %d ended in the "
        "new state, %d in the old\n",
        runs, total_steps, timed_runs, new_states, runs - new_states);
    // Both outcomes must have been seen, or the kills did not land inside the change.
    EXPECT_GT(new_states, 0);
    EXPECT_LT(new_states, runs);
    return runs;
  }
};

TEST_F(CrashSafety, EnableSksSurvivesSigkillAnywhere) {
  EXPECT_GE(exercise(Op::Enable, 100), 100);
}

TEST_F(CrashSafety, DisableSksSurvivesSigkillAnywhere) {
  EXPECT_GE(exercise(Op::Disable, 100), 100);
}

TEST_F(CrashSafety, KeyRotationSurvivesSigkillAnywhere) {
  EXPECT_GE(exercise(Op::Rotate, 100), 100);
}

TEST_F(CrashSafety, ACrashDuringRecoveryIsRecoveredToo) {
  reset_for(Op::Rotate);
  int total = run_child(Op::Rotate, 0, -1);
  ASSERT_GT(total, 5);
  for (int step = 2; step < total; step += 3) {
    std::string old_label = current_label();
    run_child(Op::Rotate, step, -1);
    // Recover in a child that is itself killed at its first durable step.
    pid_t pid = ::fork();
    if (pid == 0) {
      g_kill_at = 1;
      datadir::set_step_hook(&count_and_maybe_die);
      (void)open_folder(fx.data);
      ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    check_after_crash(Op::Rotate, old_label,
                      "recovery killed, change killed at " + std::to_string(step));
  }
}

}  // namespace
}  // namespace ssoc::settings
