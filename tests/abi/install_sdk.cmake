# CTest fixture: installs the Impact build tree into a clean scratch prefix, as a plugin author's machine would have it.
#
#   cmake -DBUILD_DIR=<impact build> -DPREFIX=<scratch prefix> -DSOURCE_HEADER=<sdk impact_plugin.h>
#         -DLIBDIR=<CMAKE_INSTALL_LIBDIR> -DINCLUDEDIR=<CMAKE_INSTALL_INCLUDEDIR> -P install_sdk.cmake
cmake_minimum_required(VERSION 3.25)

foreach(var IN ITEMS BUILD_DIR PREFIX SOURCE_HEADER LIBDIR INCLUDEDIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "install_sdk.cmake: -D${var}=... is required")
  endif()
endforeach()

# A stale prefix could hide a missing file, so start from nothing.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(
  COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cmake --install ${BUILD_DIR} --prefix ${PREFIX} failed (${result}):\n${out}\n${err}")
endif()

# What find_package(ImpactSDK) and impact_add_plugin() need from an installed SDK.
set(sdk_cmake_dir "${PREFIX}/${LIBDIR}/cmake/ImpactSDK")
foreach(file IN ITEMS
    "${sdk_cmake_dir}/ImpactSDKConfig.cmake"
    "${sdk_cmake_dir}/ImpactSDKConfigVersion.cmake"
    "${sdk_cmake_dir}/ImpactSDKTargets.cmake"
    "${sdk_cmake_dir}/ImpactPlugin.cmake"
    "${sdk_cmake_dir}/impact-plugin.map"
    "${PREFIX}/${INCLUDEDIR}/impact/sdk/impact_plugin.h"
    "${PREFIX}/${INCLUDEDIR}/impact/sdk/plugin.hpp")
  if(NOT EXISTS "${file}")
    message(FATAL_ERROR "the install is missing ${file}")
  endif()
endforeach()

# The installed header must be this source tree's, not an older copy left somewhere.
file(SHA256 "${SOURCE_HEADER}" source_hash)
file(SHA256 "${PREFIX}/${INCLUDEDIR}/impact/sdk/impact_plugin.h" installed_hash)
if(NOT source_hash STREQUAL installed_hash)
  message(FATAL_ERROR "installed impact_plugin.h differs from ${SOURCE_HEADER}")
endif()
message(STATUS "Impact installed into ${PREFIX}")
