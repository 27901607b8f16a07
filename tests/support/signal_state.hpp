// Test support: a parent that blocks and ignores signals as knot-server does, and a shell command
// that prints the signal state a child starts with, to check that no child inherits it.
#pragma once

#include <csignal>
#include <pthread.h>

namespace knot::test {

// A shell command printing its own blocked and ignored signals ("SigBlk:\t<mask>" and
// "SigIgn:\t<mask>" lines of /proc/<pid>/status); its child inherits both from whoever started
// the shell.
inline constexpr const char* k_print_signal_state = "grep -E '^Sig(Blk|Ign):' /proc/self/status";
// What k_print_signal_state prints for a child that blocks and ignores nothing.
inline constexpr const char* k_clean_signal_state =
    "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n";

// While it lives, this thread blocks SIGINT, SIGTERM and SIGQUIT (as the server's threads do
// for its signal thread) and the process ignores SIGPIPE and SIGHUP; both restored after.
class BlockedSignals {
public:
    BlockedSignals() {
        sigset_t blocked;
        sigemptyset(&blocked);
        for (int signal : {SIGINT, SIGTERM, SIGQUIT})
            sigaddset(&blocked, signal);
        ::pthread_sigmask(SIG_BLOCK, &blocked, &m_mask);
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        ::sigaction(SIGPIPE, &ignore, &m_pipe);
        ::sigaction(SIGHUP, &ignore, &m_hangup);
    }
    ~BlockedSignals() {
        ::sigaction(SIGHUP, &m_hangup, nullptr);
        ::sigaction(SIGPIPE, &m_pipe, nullptr);
        ::pthread_sigmask(SIG_SETMASK, &m_mask, nullptr);
    }
    BlockedSignals(const BlockedSignals&) = delete;
    BlockedSignals& operator=(const BlockedSignals&) = delete;

private:
    sigset_t m_mask;
    struct sigaction m_pipe {};
    struct sigaction m_hangup {};
};

} // namespace knot::test
