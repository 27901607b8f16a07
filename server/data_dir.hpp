// The server's data directory: its lock, admin token, key, database path and server.json.
#pragma once

#include "libknot/protocol/identity.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace knot::server {

class DataDir {
public:
    // Creates `path` (mode 0700) when missing and takes an exclusive lock on <path>/knot.lock,
    // held until destruction. Throws knot::Error "another knot-server is using <dir> (pid N)"
    // when another process holds it, or a message naming the failing file otherwise.
    explicit DataDir(std::filesystem::path path);
    ~DataDir();
    DataDir(const DataDir&) = delete;
    DataDir& operator=(const DataDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path database_path() const { return m_path / "knot.db"; }

    // The admin token of <dir>/admin.token, created on first use: 64 random hex digits, mode
    // 0600, created exclusively so a token is never overwritten.
    std::string admin_token() const;
    // The server's key from <dir>/server.key, generated and saved on first use. Throws when the
    // file's permissions are looser than 0600.
    Identity server_identity() const;

    // Writes <dir>/server.json ({"pid", "url", "started"}) atomically: a temporary file renamed
    // over it.
    void write_server_json(const std::string& url, std::int64_t started) const;
    void remove_server_json() const;

    // What a server killed mid-write leaves in the rooms' repositories (<dir>/repos/*.git) and
    // the integration's scratch git directories (<dir>/scratch/*/git): quarantined and
    // temporary packs, and *.lock files, which would otherwise freeze a ref (every later push
    // refused stale_old) and fail git gc forever. Safe only because this server holds the data
    // directory's lock: it is the only writer, and it is not writing yet. Returns how many
    // files and directories it removed.
    std::size_t remove_crash_leftovers() const;

private:
    std::filesystem::path m_path;
    int m_lock_fd = -1;
};

} // namespace knot::server
