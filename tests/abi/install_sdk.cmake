# CTest fixture: configures sdk/ as a project of its own and installs it into a clean scratch prefix, as a plugin author would.
#
#   cmake -DSDK_SOURCE_DIR=<sdk> -DBUILD_DIR=<scratch build> -DPREFIX=<scratch prefix> -DGENERATOR=<generator>
#         [-DMAKE_PROGRAM=<ninja>] -DLIBDIR=<CMAKE_INSTALL_LIBDIR> -DINCLUDEDIR=<CMAKE_INSTALL_INCLUDEDIR>
#         -P install_sdk.cmake
#
# Proves that the SDK installs without the host: nothing but the SDK lands in PREFIX, and no
# installed header includes QuantLib or Boost and no installed CMake file looks for them, so a
# plugin author needs neither.
cmake_minimum_required(VERSION 3.25)

foreach(var IN ITEMS SDK_SOURCE_DIR BUILD_DIR PREFIX GENERATOR LIBDIR INCLUDEDIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "install_sdk.cmake: -D${var}=... is required")
  endif()
endforeach()

# The caller's environment must not choose the flags or the install for us.
foreach(env IN ITEMS CMAKE_PREFIX_PATH CXXFLAGS LDFLAGS CMAKE_BUILD_TYPE CMAKE_GENERATOR CMAKE_TOOLCHAIN_FILE
                     CMAKE_INSTALL_PREFIX DESTDIR)
  unset(ENV{${env}})
endforeach()

function(run_checked)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "`${command}` failed (${result}):\n${out}\n${err}")
  endif()
endfunction()

# A stale build or prefix could hide a missing file, so start from nothing.
file(REMOVE_RECURSE "${BUILD_DIR}" "${PREFIX}")
set(make_program_arg)
if(MAKE_PROGRAM)
  set(make_program_arg "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
run_checked("${CMAKE_COMMAND}" -S "${SDK_SOURCE_DIR}" -B "${BUILD_DIR}" -G "${GENERATOR}" ${make_program_arg}
            "-DCMAKE_INSTALL_LIBDIR=${LIBDIR}" "-DCMAKE_INSTALL_INCLUDEDIR=${INCLUDEDIR}")
run_checked("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}")

# What find_package(ImpactSDK) and impact_add_plugin() need from an installed SDK.
set(sdk_cmake_dir "${PREFIX}/${LIBDIR}/cmake/ImpactSDK")
foreach(file IN ITEMS
    "${sdk_cmake_dir}/ImpactSDKConfig.cmake"
    "${sdk_cmake_dir}/ImpactSDKConfigVersion.cmake"
    "${sdk_cmake_dir}/ImpactSDKTargets.cmake"
    "${sdk_cmake_dir}/ImpactPlugin.cmake"
    "${sdk_cmake_dir}/impact-plugin.map"
    "${PREFIX}/${INCLUDEDIR}/impact/sdk/impact_plugin.h"
    "${PREFIX}/${INCLUDEDIR}/impact/sdk/plugin.hpp"
    "${PREFIX}/${INCLUDEDIR}/impact/sdk/errors.hpp"
    "${PREFIX}/${INCLUDEDIR}/impact/sdk/date.hpp"
    "${PREFIX}/${INCLUDEDIR}/impact/sdk/currencies.hpp")
  if(NOT EXISTS "${file}")
    message(FATAL_ERROR "the SDK install is missing ${file}")
  endif()
endforeach()

# Only the SDK: no host, no plugins, and nothing that needs QuantLib or Boost.
file(GLOB_RECURSE installed RELATIVE "${PREFIX}" "${PREFIX}/*")
foreach(file IN LISTS installed)
  if(NOT file MATCHES "^(${LIBDIR}/cmake/ImpactSDK|${INCLUDEDIR}/impact/sdk)/")
    message(FATAL_ERROR "the SDK install holds ${file}, which is not part of the SDK")
  endif()
  # An include of ql/ or boost/, or a CMake search for either (a comment may name them).
  file(STRINGS "${PREFIX}/${file}" needs REGEX "#[ \t]*include[ \t]*[<\"](ql|boost)/|find_package\\([ \t]*(QuantLib|Boost)|pkg_check_modules")
  if(needs)
    message(FATAL_ERROR "${file} in the SDK install needs QuantLib or Boost:\n${needs}")
  endif()
endforeach()

# The installed header must be this source tree's, not an older copy left somewhere.
file(SHA256 "${SDK_SOURCE_DIR}/include/impact/sdk/impact_plugin.h" source_hash)
file(SHA256 "${PREFIX}/${INCLUDEDIR}/impact/sdk/impact_plugin.h" installed_hash)
if(NOT source_hash STREQUAL installed_hash)
  message(FATAL_ERROR "installed impact_plugin.h differs from ${SDK_SOURCE_DIR}/include/impact/sdk/impact_plugin.h")
endif()
message(STATUS "Impact SDK installed on its own into ${PREFIX}")
