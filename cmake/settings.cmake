# Project-wide settings and warnings, as two interface targets every target links.
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "" FORCE)
endif()

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  # Our own ccache namespace: renaming it makes every entry cached before unreachable, should a
  # compiler change ever need that. (It was renamed once while a path of CI's checkout was
  # blamed on a stale object; the path came from the ASan tree's UBSan check locations.)
  set(CMAKE_CXX_COMPILER_LAUNCHER env CCACHE_NAMESPACE=knot-2 ${CCACHE_PROGRAM})
endif()

# Where git-knot finds its data, relative to itself: ../share/knot in the usual layout. Relative,
# so an installed program carries no path of the build machine and a moved prefix still works;
# the build directory gets the same layout, its share/knot a link to the source tree's.
file(RELATIVE_PATH KNOT_SHARE_FROM_BIN ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_DATADIR}/knot)
get_filename_component(knot_build_share ${PROJECT_BINARY_DIR}/bin/${KNOT_SHARE_FROM_BIN} ABSOLUTE)
get_filename_component(knot_build_share_parent ${knot_build_share} DIRECTORY)
file(MAKE_DIRECTORY ${knot_build_share_parent})
file(CREATE_LINK ${PROJECT_SOURCE_DIR}/share/knot ${knot_build_share} SYMBOLIC)

add_library(knot_settings INTERFACE)
target_compile_definitions(knot_settings INTERFACE
  KNOT_VERSION="${PROJECT_VERSION}"
  KNOT_SHARE_FROM_BIN="${KNOT_SHARE_FROM_BIN}")
# Debug info and __FILE__ name sources relative to the checkout (libknot/..., build/...): an
# installed binary carries no path of the machine that built it, and ccache shares objects
# between checkouts without one checkout's path leaking into another's binary.
target_compile_options(knot_settings INTERFACE "-ffile-prefix-map=${PROJECT_SOURCE_DIR}/=")
# Sanitizers instrument every target, libraries included: a bug is found where it happens, not
# only where a test's own code trips over it.
if(KNOT_FUZZ AND KNOT_SANITIZE)
  message(FATAL_ERROR "KNOT_FUZZ brings its own sanitizers: leave KNOT_SANITIZE off")
endif()
if(KNOT_SANITIZE AND NOT KNOT_SANITIZE MATCHES "^(address|thread|ON|on|TRUE|true|YES|yes|1)$")
  message(FATAL_ERROR "KNOT_SANITIZE is OFF, ON, address or thread, not '${KNOT_SANITIZE}'")
endif()
if(KNOT_SANITIZE STREQUAL "thread")
  target_compile_options(knot_settings INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(knot_settings INTERFACE -fsanitize=thread)
elseif(KNOT_SANITIZE)
  target_compile_options(knot_settings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(knot_settings INTERFACE -fsanitize=address,undefined)
endif()
# GCC's -Wmaybe-uninitialized misfires on instrumented code (seen in libstdc++'s own <regex>
# under ASan at -O1); the uninstrumented builds keep it.
if(KNOT_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(knot_settings INTERFACE -Wno-maybe-uninitialized)
endif()
# A test's time limit (tests/CMakeLists.txt): sanitized programs start and run several times
# slower, and some tests start fifty of them at once.
if(KNOT_SANITIZE)
  set(KNOT_TEST_TIMEOUT 600)
else()
  set(KNOT_TEST_TIMEOUT 120)
endif()
# Fuzzing: the libraries get libFuzzer's coverage instrumentation without its main(), which only
# the harnesses link (fuzz/CMakeLists.txt). Undefined behaviour aborts rather than being printed
# and passed over, so that libFuzzer counts it as a crash and keeps the input.
if(KNOT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "KNOT_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  set(KNOT_FUZZ_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=all)
  target_compile_options(knot_settings INTERFACE -fsanitize=fuzzer-no-link ${KNOT_FUZZ_SANITIZERS}
    -fno-omit-frame-pointer)
  target_link_options(knot_settings INTERFACE ${KNOT_FUZZ_SANITIZERS})
endif()

# Only the shared libraries a program really uses are loaded: start-up time is spent in the
# dynamic loader, and hooks start git-knot on every commit.
target_link_options(knot_settings INTERFACE -Wl,--as-needed)

add_library(knot_warnings INTERFACE)
target_compile_options(knot_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wno-unused-parameter)
if(KNOT_WERROR)
  target_compile_options(knot_warnings INTERFACE -Werror)
endif()

# knot_lean_start(<target>): a program that starts often (git-knot on every command and hook,
# git-remote-knot on every fetch and push) links libstdc++ and libgcc statically: the dynamic
# libstdc++ costs each start about 0.4 ms of loading and relocation, half of `git --version`
# (bench/startup.sh). Only the plain builds: the sanitizers replace operator new and need the
# shared library. The TLS module keeps its own libstdc++; it meets the program through plain C
# types only (libknot/tls/tls_module.hpp).
function(knot_lean_start target)
  if(NOT KNOT_SANITIZE AND NOT KNOT_FUZZ)
    target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
  endif()
endfunction()
