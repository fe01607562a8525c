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
