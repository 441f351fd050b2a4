# Runs `impact` once and checks exit code, stdout against a golden file, and stderr.
#
#   cmake -DIMPACT=<exe> -DARGS=<|-list> -DEXPECT_EXIT=<n> [-DGOLDEN=<file>]
#         [-DSTDERR_CONTAINS=<text>] [-DREPORT_ON_FAILURE=1] [-DREPLACE_FROM=<|-list> -DREPLACE_TO=<|-list>]
#         [-DSTDERR_JSON=<|-list of member=value>] -P run_cli_case.cmake
#
# STDERR_JSON (--error-format json): the first stderr line must be an impact.error/1 object whose
# members have these values (a value "null" means JSON null; numbers compare as their text;
# member^=text: the value starts with text).
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
foreach(list_var ARGS REPLACE_FROM REPLACE_TO STDERR_JSON)
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
  # A golden file outside tests/golden is a source (a built-in template the program prints): an
  # update never writes it, since a stale binary would overwrite the edited source with old text.
  string(FIND "${GOLDEN}" "/tests/golden/" in_golden_dir)
  if("$ENV{IMPACT_UPDATE_GOLDEN}" STREQUAL "1" AND NOT in_golden_dir EQUAL -1)
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

if(NOT STDERR_JSON STREQUAL "")
  string(FIND "${err}" "\n" line_end)
  if(line_end EQUAL -1)
    message(FATAL_ERROR "${shown}\nexpected a JSON line on stderr, found:\n${err}")
  endif()
  string(SUBSTRING "${err}" 0 ${line_end} first_line)
  string(JSON schema ERROR_VARIABLE json_error GET "${first_line}" schema)
  if(json_error OR NOT schema STREQUAL "impact.error/1")
    message(FATAL_ERROR "${shown}\nthe first stderr line is not an impact.error/1 object (${json_error}):\n${err}")
  endif()
  foreach(expectation IN LISTS STDERR_JSON)
    string(FIND "${expectation}" "=" equals)
    string(SUBSTRING "${expectation}" 0 ${equals} member)
    math(EXPR value_start "${equals} + 1")
    string(SUBSTRING "${expectation}" ${value_start} -1 expected_value)
    set(prefix_only FALSE)
    if(member MATCHES "\\^$")
      set(prefix_only TRUE)
      string(REGEX REPLACE "\\^$" "" member "${member}")
    endif()
    string(JSON type ERROR_VARIABLE json_error TYPE "${first_line}" "${member}")
    if(json_error)
      message(FATAL_ERROR "${shown}\nno member '${member}' in the stderr object (${json_error}):\n${first_line}")
    endif()
    if(expected_value STREQUAL "null")
      if(NOT type STREQUAL "NULL")
        message(FATAL_ERROR "${shown}\nmember '${member}' is ${type}, expected null:\n${first_line}")
      endif()
    else()
      string(JSON value GET "${first_line}" "${member}")
      set(compared "${value}")
      if(prefix_only)
        string(LENGTH "${expected_value}" expected_length)
        string(SUBSTRING "${value}" 0 ${expected_length} compared)
      endif()
      if(type STREQUAL "NULL" OR NOT compared STREQUAL expected_value)
        message(FATAL_ERROR "${shown}\nmember '${member}' is '${value}' (${type}), expected '${expected_value}'${prefix_only}:\n${first_line}")
      endif()
    endif()
  endforeach()
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
