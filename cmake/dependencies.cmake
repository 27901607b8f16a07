# Every third-party library comes from Debian's packages (see README: the quick start).
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBGIT2 REQUIRED IMPORTED_TARGET libgit2)
# libgit2's GIT_*_OPTIONS_INIT macros name only the leading fields and leave the rest zeroed, as
# C intends; GCC does not warn inside a system header's macro, clang (-Wextra) does.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_options(PkgConfig::LIBGIT2 INTERFACE -Wno-missing-field-initializers)
endif()
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Poco REQUIRED COMPONENTS Foundation Net NetSSL Crypto Util)
# Only the client's TLS module links OpenSSL itself (libknot/CMakeLists.txt).
find_package(OpenSSL REQUIRED)
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)
if(KNOT_TESTS)
  find_package(Catch2 2 REQUIRED)
  include(Catch)
endif()
