// Reading and writing whole files (see file.hpp).
#include "libknot/base/file.hpp"

#include "libknot/base/error.hpp"
#include "libknot/base/owned_fd.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace knot {
namespace {

// Writes `text` to the new file `fd`, sets `mode` and syncs it.
void fill(int fd, const std::string& text, unsigned mode, const std::filesystem::path& path) {
    write_all(fd, text, path);
    if (::fchmod(fd, static_cast<mode_t>(mode)) != 0 || ::fsync(fd) != 0)
        throw Error("cannot write " + path.string() + ": " + std::strerror(errno));
}

} // namespace

void write_file_atomic(const std::filesystem::path& path, const std::string& text, unsigned mode) {
    const std::string tmp = path.string() + ".tmp." + std::to_string(::getpid());
    OwnedFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (fd.get() < 0)
        throw Error("cannot write " + path.string() + ": " + std::strerror(errno));
    try {
        fill(fd.get(), text, mode, path);
        fd.close();
        if (::rename(tmp.c_str(), path.c_str()) != 0)
            throw Error("cannot write " + path.string() + ": " + std::strerror(errno));
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
}

bool write_new_file(const std::filesystem::path& path, const std::string& text, unsigned mode) {
    OwnedFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (fd.get() < 0 && errno == EEXIST)
        return false;
    if (fd.get() < 0)
        throw Error("cannot create " + path.string() + ": " + std::strerror(errno));
    try {
        fill(fd.get(), text, mode, path);
    } catch (...) {
        ::unlink(path.c_str());
        throw;
    }
    return true;
}

void write_all(int fd, std::string_view text, const std::filesystem::path& path) {
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw Error("cannot write " + path.string() + ": " +
                        std::strerror(n < 0 ? errno : EIO));
        done += static_cast<std::size_t>(n);
    }
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot read " + path.string());
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

} // namespace knot
