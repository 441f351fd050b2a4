# impact_add_plugin(): builds an Impact model plugin the one correct way.
#
#   impact_add_plugin(<target> SOURCES <src>... [OUTPUT_DIRECTORY <dir>])
#
# Makes a MODULE library named <target>.so that links ImpactSDK::sdk, compiles with
# hidden visibility, exports only the entry symbol (linker version script) and links
# with -z defs so that an unresolved symbol fails the build, not the host at load time.
include_guard(GLOBAL)

set(IMPACT_PLUGIN_VERSION_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/impact-plugin.map"
    CACHE INTERNAL "Linker version script that exports only the Impact plugin entry")

function(impact_add_plugin target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "OUTPUT_DIRECTORY" "SOURCES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "impact_add_plugin(${target}): SOURCES is required")
  endif()
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ImpactSDK::sdk)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS "${IMPACT_PLUGIN_VERSION_SCRIPT}")
  if(NOT APPLE AND NOT WIN32)
    target_link_options(${target} PRIVATE
      "LINKER:--version-script=${IMPACT_PLUGIN_VERSION_SCRIPT}"
      "LINKER:-z,defs")
  endif()
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}")
  endif()
endfunction()
