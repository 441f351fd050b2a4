# Checks that every plugin exports exactly one defined dynamic symbol: the SDK's entry.
#
#   cmake -DNM=<nm> -DENTRY_SYMBOL=<impact_plugin_entry_v1> -DBUNDLED_DIR=<IMPACT_PLUGIN_OUTPUT_DIR>
#         -DPLUGIN_FILES=<file>|<file>... -P check_plugin_exports.cmake
#
# BUNDLED_DIR is searched the way the host searches it (*.so and */*.so) and must hold at
# least one plugin: an empty folder would make this test pass while checking nothing.
# PLUGIN_FILES ('|'-separated, since ';' would split the ctest argument) must all exist.
# Every defined symbol counts; nothing is filtered, so an extra symbol of any kind (a
# leaked C++ symbol, _init/_fini, or an absolute version-node symbol such as "A IMPACT_1")
# fails and is named in the message.
cmake_minimum_required(VERSION 3.25)

foreach(var IN ITEMS NM ENTRY_SYMBOL BUNDLED_DIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_plugin_exports.cmake: -D${var}=... is required")
  endif()
endforeach()

file(GLOB bundled LIST_DIRECTORIES false "${BUNDLED_DIR}/*.so" "${BUNDLED_DIR}/*/*.so")
if(NOT bundled)
  message(FATAL_ERROR "no plugin in the bundled folder ${BUNDLED_DIR}: build first, or the bundled plugins moved")
endif()
string(REPLACE "|" ";" extra "${PLUGIN_FILES}")
set(files ${bundled})
foreach(file IN LISTS extra)
  if(NOT EXISTS "${file}")
    message(FATAL_ERROR "plugin ${file} does not exist: the test or fixture that builds it did not run or failed")
  endif()
  list(APPEND files "${file}")
endforeach()

set(failures "")
foreach(file IN LISTS files)
  execute_process(COMMAND "${NM}" -D --defined-only "${file}"
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    string(APPEND failures "\n${file}: ${NM} failed (${result}): ${err}")
    continue()
  endif()
  # One line per symbol: "<address> <type> <name>" (nm may append @VERSION to the name).
  string(REGEX REPLACE "\n$" "" out "${out}")
  string(REPLACE "\n" ";" lines "${out}")
  set(names "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^[0-9a-fA-F]* *[A-Za-z] (.+)$")
      list(APPEND names "${CMAKE_MATCH_1}")
    elseif(NOT line STREQUAL "")
      string(APPEND failures "\n${file}: unexpected nm line '${line}'")
    endif()
  endforeach()
  if(NOT names STREQUAL ENTRY_SYMBOL)
    string(APPEND failures "\n${file}: exports [${names}], expected exactly [${ENTRY_SYMBOL}]; nm says:\n${out}")
  endif()
endforeach()

if(failures)
  message(FATAL_ERROR "plugins exporting more or other than ${ENTRY_SYMBOL}:${failures}")
endif()
list(LENGTH files count)
message(STATUS "${count} plugins export exactly ${ENTRY_SYMBOL}:")
foreach(file IN LISTS files)
  message(STATUS "  ${file}")
endforeach()
