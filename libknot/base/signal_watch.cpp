// Signals read as data (see signal_watch.hpp).
#include "libknot/base/signal_watch.hpp"

#include "libknot/base/error.hpp"

#include <cerrno>
#include <cstring>
#include <sys/signalfd.h>
#include <unistd.h>

namespace knot {

SignalWatch::SignalWatch(std::initializer_list<int> signals) {
    sigset_t set;
    sigemptyset(&set);
    for (const int signal : signals)
        sigaddset(&set, signal);
    if (::pthread_sigmask(SIG_BLOCK, &set, &m_old) != 0)
        throw Error("cannot block signals");
    m_fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (m_fd < 0) {
        const std::string why = std::strerror(errno);
        ::pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
        throw Error("cannot watch signals: " + why);
    }
}

SignalWatch::~SignalWatch() {
    while (take() != 0) {
    }
    ::close(m_fd);
    ::pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
}

int SignalWatch::take() {
    signalfd_siginfo info{};
    const ssize_t n = ::read(m_fd, &info, sizeof info);
    return n == static_cast<ssize_t>(sizeof info) ? static_cast<int>(info.ssi_signo) : 0;
}

} // namespace knot
