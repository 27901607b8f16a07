// A file descriptor closed when its owner goes, for pipes and files held across a child's life.
#pragma once

#include <unistd.h>

namespace knot {

// Owns a file descriptor (-1 when none); closes it on destruction. Movable, not copyable.
class OwnedFd {
public:
    explicit OwnedFd(int fd = -1)
        : m_fd(fd) {}
    ~OwnedFd() { close(); }
    OwnedFd(const OwnedFd&) = delete;
    OwnedFd& operator=(const OwnedFd&) = delete;
    OwnedFd(OwnedFd&& other) noexcept
        : m_fd(other.release()) {}
    OwnedFd& operator=(OwnedFd&& other) noexcept {
        if (this != &other)
            reset(other.release());
        return *this;
    }
    int get() const { return m_fd; }
    void reset(int fd) {
        close();
        m_fd = fd;
    }
    // Gives up ownership: the caller closes the descriptor returned.
    int release() {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }
    void close() {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd;
};

} // namespace knot
