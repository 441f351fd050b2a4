# Runs `impact` once and checks exit code, stdout against a golden file, and stderr.
#
#   cmake -DIMPACT=<exe> -DARGS=<|-list> -DEXPECT_EXIT=<n> [-DGOLDEN=<file>]
#         [-DSTDERR_CONTAINS=<text>] [-DREPORT_ON_FAILURE=1] [-DREPLACE_FROM=<|-list> -DREPLACE_TO=<|-list>] -P run_cli_case.cmake
#
# With IMPACT_UPDATE_GOLDEN=1 in the environment the golden file is rewritten instead of
# compared (review the diff before committing it).
cmake_minimum_required(VERSION 3.25)
unset(ENV{IMPACT_PLUGIN_PATH})  # only the bundled plugins, whatever the caller's environment
# A plugin cache of this case's own, never the user's ~/.cache: CACHE_DIR is a fresh folder per case.
unset(ENV{XDG_CACHE_HOME})
unset(ENV{IMPACT_NO_PLUGIN_CACHE})
set(ENV{IMPACT_CACHE_DIR} "${CACHE_DIR}")
# A fixed clock for the reports' "made at" (docs/reports.md): 2025-11-30T00:00:00Z.
set(ENV{SOURCE_DATE_EPOCH} 1764460800)
file(REMOVE_RECURSE "${CACHE_DIR}")
# Lists arrive '|'-separated (add_test would split them on ';').
foreach(list_var ARGS REPLACE_FROM REPLACE_TO)
  string(REPLACE "|" ";" ${list_var} "${${list_var}}")
endforeach()

execute_process(COMMAND "${IMPACT}" ${ARGS}
  RESULT_VARIABLE exit_code OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(shown "impact ${ARGS}")
string(REPLACE ";" " " shown "${shown}")

if(NOT exit_code STREQUAL "${EXPECT_EXIT}")
  message(FATAL_ERROR "${shown}\nexit code ${exit_code}, expected ${EXPECT_EXIT}\nstdout:\n${out}\nstderr:\n${err}")
endif()

# Paths differ between checkouts and build folders: replace them with placeholders.
list(LENGTH REPLACE_FROM n_replacements)
if(n_replacements GREATER 0)
  math(EXPR last "${n_replacements} - 1")
  foreach(i RANGE ${last})
    list(GET REPLACE_FROM ${i} from)
    list(GET REPLACE_TO ${i} to)
    string(REPLACE "${from}" "${to}" out "${out}")
    string(REPLACE "${from}" "${to}" err "${err}")
  endforeach()
endif()
# A plugin file's SHA-256 in a JSON report differs between builds (the asan preset's plugins are
# other files): a placeholder. The scenario's SHA-256 ("scenario_sha256") is kept.
string(REGEX REPLACE "\"sha256\": \"[0-9a-f]+\"" "\"sha256\": \"<plugin file's SHA-256>\"" out "${out}")
# The same in the text and Markdown provenance lines ("plugin fx.convert 1.1.0 ... SHA-256 <hex>").
string(REGEX REPLACE "([Pp]lugin [^\n]*SHA-256 )[0-9a-f]+" "\\1<plugin file's SHA-256>" out "${out}")

if(DEFINED GOLDEN)
  if("$ENV{IMPACT_UPDATE_GOLDEN}" STREQUAL "1")
    file(WRITE "${GOLDEN}" "${out}")
    message(STATUS "updated ${GOLDEN}")
  else()
    if(NOT EXISTS "${GOLDEN}")
      message(FATAL_ERROR "${shown}\nno golden file ${GOLDEN} (run with IMPACT_UPDATE_GOLDEN=1 to create it)\nstdout:\n${out}")
    endif()
    file(READ "${GOLDEN}" expected)
    if(NOT out STREQUAL expected)
      file(WRITE "${GOLDEN}.actual" "${out}")
      message(FATAL_ERROR "${shown}\nstdout differs from ${GOLDEN}\n--- expected\n${expected}\n--- actual (also in ${GOLDEN}.actual)\n${out}")
    endif()
  endif()
endif()

# Exit 4 (impact compare --tolerance exceeded) writes its report like a success.
if(EXPECT_EXIT STREQUAL "0" OR EXPECT_EXIT STREQUAL "4")
  return()
endif()
# run --keep-going: exit 3 with the report on stdout (checked above) and each failure on stderr.
if(REPORT_ON_FAILURE)
  if(DEFINED STDERR_CONTAINS)
    string(FIND "${err}" "${STDERR_CONTAINS}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${shown}\nstderr does not contain '${STDERR_CONTAINS}':\n${err}")
    endif()
  endif()
  return()
endif()
# A failure: nothing on stdout, exactly one line on stderr, saying what was wrong.
if(NOT out STREQUAL "")
  message(FATAL_ERROR "${shown}\nexpected empty stdout on failure, found:\n${out}")
endif()
string(REGEX MATCHALL "\n" newlines "${err}")
list(LENGTH newlines n_lines)
if(NOT n_lines EQUAL 1)
  message(FATAL_ERROR "${shown}\nexpected one line on stderr, found ${n_lines}:\n${err}")
endif()
if(DEFINED STDERR_CONTAINS)
  string(FIND "${err}" "${STDERR_CONTAINS}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${shown}\nstderr does not contain '${STDERR_CONTAINS}':\n${err}")
  endif()
endif()
