// Owning handles for libgit2 objects and the few helpers every libgit2 caller in the server
// needs. Server-private; only .cpp files that talk to libgit2 include it.
#pragma once

#include <git2.h>

#include <array>
#include <memory>
#include <stdexcept>
#include <string>

namespace knot::server::git {

template <auto Free> struct Freer {
    template <class T> void operator()(T* pointer) const { Free(pointer); }
};
template <class T, auto Free> using Owned = std::unique_ptr<T, Freer<Free>>;
using Repository = Owned<git_repository, git_repository_free>;
using Commit = Owned<git_commit, git_commit_free>;
using Tree = Owned<git_tree, git_tree_free>;
using Blob = Owned<git_blob, git_blob_free>;
using Index = Owned<git_index, git_index_free>;
using Reference = Owned<git_reference, git_reference_free>;
using TreeBuilder = Owned<git_treebuilder, git_treebuilder_free>;
using Signature = Owned<git_signature, git_signature_free>;

inline void ensure_init() {
    static const int initialised = git_libgit2_init();
    (void)initialised;
}

inline std::string last_error() {
    const git_error* error = git_error_last();
    return error && error->message ? error->message : "unknown libgit2 error";
}

// Throws std::runtime_error when `code` is an error: an internal failure (disk, permissions),
// a 500 with a log line, not the client's fault.
inline void check(int code, const char* what) {
    if (code < 0)
        throw std::runtime_error(std::string(what) + ": " + last_error());
}

inline git_oid oid_of(const std::string& hex) {
    git_oid oid;
    check(git_oid_fromstrn(&oid, hex.data(), hex.size()), "oid");
    return oid;
}

inline std::string hex_of(const git_oid& oid) {
    std::array<char, GIT_OID_HEXSZ + 1> text{};
    git_oid_tostr(text.data(), text.size(), &oid);
    return text.data();
}

} // namespace knot::server::git
