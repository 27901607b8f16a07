// Signals read as data rather than caught by handlers: no global state, no work in a handler,
// and a signal wakes poll() like any other input.
#pragma once

#include <csignal>
#include <initializer_list>

namespace knot {

// While it lives, `signals` are blocked in the calling thread, and so in the threads it starts
// afterwards, and arrive on fd() (a non-blocking signalfd) instead. Destruction reads what is
// still pending, so that restoring the old mask cannot deliver it, then restores the mask.
class SignalWatch {
public:
    explicit SignalWatch(std::initializer_list<int> signals);
    ~SignalWatch();
    SignalWatch(const SignalWatch&) = delete;
    SignalWatch& operator=(const SignalWatch&) = delete;

    // Readable when a watched signal arrived.
    int fd() const { return m_fd; }
    // The next signal that arrived, or 0 when none is pending.
    int take();

private:
    sigset_t m_old{};
    int m_fd = -1;
};

} // namespace knot
