# SPDX-License-Identifier: Apache-2.0
# Compiler flags shared by every daxd target, carried by INTERFACE targets instead of global flags.

add_library(daxd_warnings INTERFACE)
add_library(daxd::warnings ALIAS daxd_warnings)
target_compile_options(daxd_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Werror)
target_compile_features(daxd_warnings INTERFACE cxx_std_20)

option(DAXD_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
if(DAXD_SANITIZE)
  target_compile_options(daxd_warnings INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(daxd_warnings INTERFACE -fsanitize=address,undefined)
endif()

# Named crash points (DAXD_CRASH_POINT) exist only in test builds.
option(DAXD_CRASH_POINTS "Compile named crash points for crash-injection tests" ON)
if(DAXD_CRASH_POINTS)
  target_compile_definitions(daxd_warnings INTERFACE DAXD_ENABLE_CRASH_POINTS=1)
endif()

# libFuzzer harnesses (tests/fuzz): clang only. Every daxd target gets coverage instrumentation;
# the harness executables link libFuzzer's main.
option(DAXD_FUZZ "Build the libFuzzer harnesses (clang)" OFF)
if(DAXD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "DAXD_FUZZ needs clang (CMAKE_CXX_COMPILER=clang++)")
  endif()
  target_compile_options(daxd_warnings INTERFACE -fsanitize=fuzzer-no-link)
endif()

# daxadm linked statically (glibc, libstdc++ and libgcc inside the binary, no dynamic loader, a
# fixed load address). A CLI is a new process per command: in the QEMU TCG guest of the vm tier
# and bench/vm.sh, dynamic loading dominated `daxadm list -RNu` (dynamic 223 ms, static 54 ms,
# static-pie 181 ms; an empty dynamic C program 42 ms, static 11 ms). ld.so, the libraries and a
# PIE land at new random addresses in every process, so TCG translates their code again each
# time: with randomize_va_space=0 the dynamic daxadm took 86 ms. Without emulation the gain is
# a few ms (on the dev VM against the sim daxd: dynamic 11.9 ms, static 6.5 ms). The price: no
# ASLR for daxadm's own image (stack, heap and mmaps are still randomized), and glibc functions
# that need NSS or dlopen at run time (getaddrinfo, getpwnam, iconv) would not work -- the link
# treats glibc's warning about them as an error (cli/CMakeLists.txt); and the first C++
# exception sorts the unwind tables (a usage error or --help: about 23 million instructions).
# Off with the sanitizers: the ASan/UBSan runtimes intercept libc through the dynamic loader
# and cannot be linked into a static executable, and libFuzzer's coverage hooks come from them.
if(DAXD_SANITIZE OR DAXD_FUZZ)
  set(daxd_static_cli_default OFF)
else()
  set(daxd_static_cli_default ON)
endif()
option(DAXD_STATIC_CLI "Link daxadm as a static executable (not with sanitizers)"
       ${daxd_static_cli_default})
if(DAXD_STATIC_CLI AND (DAXD_SANITIZE OR DAXD_FUZZ))
  message(FATAL_ERROR "DAXD_STATIC_CLI cannot be combined with DAXD_SANITIZE or DAXD_FUZZ: "
                      "the sanitizer runtimes need a dynamically linked daxadm")
endif()

# Precompiled third-party headers. A clean build parses nlohmann/json, Boost.Beast/Asio and
# GoogleTest again in every file (about a fifth of a file's compile time in the ci build); CI
# builds from scratch on two cores, so the ci and vm-guest presets turn this on. Off by default so
# that a missing #include still fails a dev build.
option(DAXD_PCH "Precompile the heavy third-party headers of each target" OFF)
set(DAXD_PCH_COMMON <nlohmann/json.hpp> <string> <string_view> <vector> <map> <optional>
                    <memory> <functional> <chrono> <cstdint>)
set(DAXD_PCH_BEAST <boost/asio.hpp> <boost/beast/core.hpp> <boost/beast/http.hpp>)
# daxd_precompile(TARGET [HEADER...]): the common set plus the given headers, when DAXD_PCH is on.
function(daxd_precompile target)
  if(DAXD_PCH)
    target_precompile_headers(${target} PRIVATE ${DAXD_PCH_COMMON} ${ARGN})
  endif()
endfunction()
