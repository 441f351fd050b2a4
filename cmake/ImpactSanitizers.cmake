# Sanitizer and libFuzzer instrumentation for the whole build, driven by two cache options.
#
#   IMPACT_SANITIZERS  "" (default: none) or a -fsanitize= list such as "address,undefined".
#                      Applied to every target of the build (host, plugins, tests), at compile
#                      AND link time: impact_add_plugin() links plugins with -z defs, so a
#                      plugin must link the sanitizer runtime to resolve its __asan_*/__ubsan_*
#                      references. Any error aborts (-fno-sanitize-recover=all). Also turns on
#                      libstdc++'s precondition checks (_GLIBCXX_ASSERTIONS): *empty optional,
#                      vector[out of range], front() of an empty string abort instead of reading
#                      whatever is there, which no sanitizer sees.
#   IMPACT_FUZZ        ON: compile everything with -fsanitize=fuzzer-no-link (coverage for
#                      libFuzzer) and build the libFuzzer targets of tests/fuzz. Clang only.
#
# Presets `asan` (g++) and `fuzz` (clang) set these; see README.md, "Sanitizers and fuzzing".
include_guard(GLOBAL)

set(IMPACT_SANITIZERS "" CACHE STRING "Sanitizers for -fsanitize= on every target (e.g. address,undefined); empty for none")
option(IMPACT_FUZZ "Instrument for libFuzzer and build the fuzz targets in tests/fuzz (clang)" OFF)

set(_impact_sanitize_compile)
set(_impact_sanitize_link)

if(IMPACT_SANITIZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "IMPACT_SANITIZERS needs g++ or clang++, not ${CMAKE_CXX_COMPILER_ID}")
  endif()
  list(APPEND _impact_sanitize_compile
    "-fsanitize=${IMPACT_SANITIZERS}" -fno-sanitize-recover=all -fno-omit-frame-pointer -D_GLIBCXX_ASSERTIONS)
  list(APPEND _impact_sanitize_link "-fsanitize=${IMPACT_SANITIZERS}")
endif()

if(IMPACT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "IMPACT_FUZZ needs clang++ (libFuzzer); this build uses ${CMAKE_CXX_COMPILER_ID}. "
                        "Use the `fuzz` preset.")
  endif()
  list(APPEND _impact_sanitize_compile -fsanitize=fuzzer-no-link)
  list(APPEND _impact_sanitize_link -fsanitize=fuzzer-no-link)
endif()

if(_impact_sanitize_compile AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # g++ links its sanitizer runtimes as shared libraries into executables and shared objects
  # alike. Clang links a static runtime into executables only, which leaves a plugin's
  # references unresolved under -z defs: use the shared runtime everywhere instead, found at
  # run time through an rpath (clang 14 adds none). The shared ASan runtime also carries
  # UBSan and the default (weak) sanitizer-coverage hooks that libFuzzer overrides.
  list(APPEND _impact_sanitize_link -shared-libsan)
  execute_process(COMMAND "${CMAKE_CXX_COMPILER}" -print-file-name=libclang_rt.asan-x86_64.so
                  OUTPUT_VARIABLE _impact_asan_runtime OUTPUT_STRIP_TRAILING_WHITESPACE)
  get_filename_component(_impact_sanitizer_runtime_dir "${_impact_asan_runtime}" DIRECTORY)
  if(NOT IS_DIRECTORY "${_impact_sanitizer_runtime_dir}")
    message(FATAL_ERROR "cannot find clang's sanitizer runtimes (install libclang-rt-14-dev)")
  endif()
  list(APPEND _impact_sanitize_link "LINKER:-rpath,${_impact_sanitizer_runtime_dir}")
endif()

if(_impact_sanitize_compile)
  # Directory-wide, before any target exists: every target of the build gets them.
  add_compile_options(${_impact_sanitize_compile})
  add_link_options(${_impact_sanitize_link})
  string(JOIN " " _impact_sanitize_summary ${_impact_sanitize_compile})
  message(STATUS "Impact: instrumented build (${_impact_sanitize_summary})")
endif()
