# Sets IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR and IMPACT_ABI_VERSION from the C header, the one place the ABI version is written.
file(STRINGS "${CMAKE_CURRENT_LIST_DIR}/../include/impact/sdk/impact_plugin.h" _impact_abi_lines
     REGEX "^#define IMPACT_ABI_(MAJOR|MINOR) [0-9]+$")
string(REGEX REPLACE ".*MAJOR ([0-9]+).*" "\\1" IMPACT_ABI_MAJOR "${_impact_abi_lines}")
string(REGEX REPLACE ".*MINOR ([0-9]+).*" "\\1" IMPACT_ABI_MINOR "${_impact_abi_lines}")
if(NOT IMPACT_ABI_MAJOR MATCHES "^[0-9]+$" OR NOT IMPACT_ABI_MINOR MATCHES "^[0-9]+$")
  message(FATAL_ERROR "cannot read IMPACT_ABI_MAJOR and IMPACT_ABI_MINOR from impact_plugin.h")
endif()
set(IMPACT_ABI_VERSION "${IMPACT_ABI_MAJOR}.${IMPACT_ABI_MINOR}")
unset(_impact_abi_lines)
