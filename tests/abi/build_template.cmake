# Builds a plugin out of tree with a given compiler, against the INSTALLED SDK or the SDK's source folder, then loads it with `impact`.
#
#   cmake -DSOURCE_DIR=<project> -DWORK_DIR=<scratch folder> -DCXX_COMPILER=<g++|clang++> -DEXPECT_COMPILER_ID=<GNU|Clang>
#         -DGENERATOR=<cmake generator> [-DMAKE_PROGRAM=<ninja>] -DIMPACT_EXE=<impact> -DABI_MAJOR=<n> -DABI_MINOR=<n>
#         -DBUILD_TYPE=<Debug|Release|...|DEFAULT>
#         and either -DPREFIX=<installed SDK> -DSDK_CMAKE_DIR=<PREFIX/lib/cmake/ImpactSDK>   (find_package)
#         or -DSDK_SOURCE_DIR=<sdk> -DTEMPLATE_SOURCE=<template_model.cpp>                  (add_subdirectory)
#         -P build_template.cmake
#
# Proves what a plugin author relies on: find_package(ImpactSDK) finds the installed package
# (not the source tree), or add_subdirectory(sdk) works without any install; impact_add_plugin()
# works from either; the result is built by the requested compiler, with the requested build
# type, and with BUILD_TYPE=DEFAULT (none given) the template's own default, Release, at -O3;
# and the host built by the project's compiler loads it at ABI ABI_MAJOR.ABI_MINOR with
# nothing rejected. WORK_DIR/plugins/template-model.so is left for check_plugin_exports.cmake.
cmake_minimum_required(VERSION 3.25)

# `impact` keeps its plugin cache in the work folder, never in the user's ~/.cache.
set(ENV{IMPACT_CACHE_DIR} "${WORK_DIR}/impact-cache")
unset(ENV{IMPACT_NO_PLUGIN_CACHE})
if(SDK_SOURCE_DIR)
  set(sdk_vars SDK_SOURCE_DIR TEMPLATE_SOURCE)
else()
  set(sdk_vars PREFIX SDK_CMAKE_DIR)
endif()
foreach(var IN ITEMS SOURCE_DIR WORK_DIR CXX_COMPILER EXPECT_COMPILER_ID GENERATOR IMPACT_EXE ABI_MAJOR ABI_MINOR
                     BUILD_TYPE ${sdk_vars})
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "build_template.cmake: -D${var}=... is required")
  endif()
endforeach()

# The caller's environment must not choose the SDK, the flags or the plugins for us.
foreach(env IN ITEMS IMPACT_PLUGIN_PATH CMAKE_PREFIX_PATH ImpactSDK_DIR ImpactSDK_ROOT CXXFLAGS LDFLAGS
                     CMAKE_BUILD_TYPE CMAKE_GENERATOR CMAKE_TOOLCHAIN_FILE)
  unset(ENV{${env}})
endforeach()

# Runs a command in WORK_DIR and fails the test with its output when it fails.
function(run_checked out_var)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY "${WORK_DIR}"
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "`${command}` failed (${result}):\n${out}\n${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${out_var}_STDERR "${err}" PARENT_SCOPE)
endfunction()

# string(JSON GET) that fails the test, naming the path, when the member is absent.
function(json_get out_var json)
  string(JSON value ERROR_VARIABLE error GET "${json}" ${ARGN})
  if(NOT error STREQUAL "NOTFOUND")
    message(FATAL_ERROR "JSON has no ${ARGN}: ${error}\n${json}")
  endif()
  set(${out_var} "${value}" PARENT_SCOPE)
endfunction()

function(json_length out_var json)
  string(JSON value ERROR_VARIABLE error LENGTH "${json}" ${ARGN})
  if(NOT error STREQUAL "NOTFOUND")
    message(FATAL_ERROR "JSON has no array ${ARGN}: ${error}\n${json}")
  endif()
  set(${out_var} "${value}" PARENT_SCOPE)
endfunction()

function(expect_equal what actual expected)
  if(NOT "${actual}" STREQUAL "${expected}")
    message(FATAL_ERROR "${what}: expected '${expected}', found '${actual}'")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(build_dir "${WORK_DIR}/build")
set(plugin_dir "${WORK_DIR}/plugins")

# ---- Configure and build out of tree -----------------------------------------------------
set(make_program_arg)
if(MAKE_PROGRAM)
  set(make_program_arg "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(SDK_SOURCE_DIR)
  set(sdk_args "-DIMPACT_SDK_SOURCE_DIR=${SDK_SOURCE_DIR}" "-DIMPACT_TEMPLATE_SOURCE=${TEMPLATE_SOURCE}")
else()
  # Only the prefix we installed may satisfy find_package.
  set(sdk_args "-DCMAKE_PREFIX_PATH=${PREFIX}"
               -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
endif()
if(BUILD_TYPE STREQUAL "DEFAULT")
  set(build_type_arg)
  set(expected_build_type Release)
else()
  set(build_type_arg "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}")
  set(expected_build_type "${BUILD_TYPE}")
endif()
run_checked(configure_output
  "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${build_dir}" -G "${GENERATOR}" ${make_program_arg}
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  ${build_type_arg}
  "-DCMAKE_LIBRARY_OUTPUT_DIRECTORY=${plugin_dir}"
  ${sdk_args})

string(FIND "${configure_output}" "The CXX compiler identification is ${EXPECT_COMPILER_ID} " found_compiler)
if(found_compiler EQUAL -1)
  message(FATAL_ERROR "the template was not configured with a ${EXPECT_COMPILER_ID} compiler:\n${configure_output}")
endif()

if(NOT SDK_SOURCE_DIR)
  file(STRINGS "${build_dir}/CMakeCache.txt" sdk_dir_line REGEX "^ImpactSDK_DIR:PATH=")
  string(REGEX REPLACE "^ImpactSDK_DIR:PATH=" "" found_sdk_dir "${sdk_dir_line}")
  file(REAL_PATH "${found_sdk_dir}" found_sdk_dir)
  file(REAL_PATH "${SDK_CMAKE_DIR}" expected_sdk_dir)
  expect_equal("find_package(ImpactSDK) location" "${found_sdk_dir}" "${expected_sdk_dir}")
endif()

file(STRINGS "${build_dir}/CMakeCache.txt" build_type_line REGEX "^CMAKE_BUILD_TYPE:")
string(REGEX REPLACE "^CMAKE_BUILD_TYPE:[A-Z]+=" "" found_build_type "${build_type_line}")
expect_equal("CMAKE_BUILD_TYPE in ${build_dir}/CMakeCache.txt (BUILD_TYPE=${BUILD_TYPE})" "${found_build_type}"
             "${expected_build_type}")

run_checked(build_output "${CMAKE_COMMAND}" --build "${build_dir}" --verbose)
# The compile command itself, so a build type that sets no optimisation flags cannot pass.
if(expected_build_type STREQUAL "Release" AND NOT build_output MATCHES "template_model\\.cpp[^\n]*-O[23]|-O[23][^\n]*template_model\\.cpp")
  message(FATAL_ERROR "a Release build of the template compiled template_model.cpp without -O2 or -O3:\n${build_output}")
endif()
set(plugin_file "${plugin_dir}/template-model.so")
if(NOT EXISTS "${plugin_file}")
  message(FATAL_ERROR "the template build made no ${plugin_file}:\n${build_output}")
endif()
file(REAL_PATH "${plugin_file}" plugin_real)

# ---- describe: the model comes from this plugin, with its 1.1 field ------------------------
run_checked(describe_text "${IMPACT_EXE}" --plugin-dir "${plugin_dir}" describe template.percent_change)
string(FIND "${describe_text}" "template.percent_change" found_model)
string(FIND "${describe_text}" "org.example.template" found_plugin)
if(found_model EQUAL -1 OR found_plugin EQUAL -1)
  message(FATAL_ERROR "`impact describe template.percent_change` does not show the model:\n${describe_text}")
endif()
if(describe_text_STDERR MATCHES "warning")
  message(FATAL_ERROR "`impact describe` warned:\n${describe_text_STDERR}")
endif()

run_checked(describe_json "${IMPACT_EXE}" --plugin-dir "${plugin_dir}" describe template.percent_change --json)
json_get(id "${describe_json}" id)
expect_equal("describe --json id" "${id}" "template.percent_change")
json_get(described_file "${describe_json}" plugin file)
file(REAL_PATH "${described_file}" described_file)
expect_equal("describe --json plugin.file" "${described_file}" "${plugin_real}")
json_get(references "${describe_json}" references)
if(references STREQUAL "")
  message(FATAL_ERROR "references is empty: the 1.1 descriptor field did not reach the host\n${describe_json}")
endif()
json_length(input_count "${describe_json}" inputs)
expect_equal("number of inputs" "${input_count}" 2)
json_get(first_input "${describe_json}" inputs 0 key)
json_get(second_input "${describe_json}" inputs 1 key)
expect_equal("input keys" "${first_input},${second_input}" "before,after")
json_length(output_count "${describe_json}" outputs)
expect_equal("number of outputs" "${output_count}" 2)

# ---- plugins: listed at the SDK's ABI, nothing rejected or shadowed -------------------------
run_checked(plugins_json "${IMPACT_EXE}" --plugin-dir "${plugin_dir}" plugins --json)
json_length(rejected_count "${plugins_json}" rejected)
if(NOT rejected_count EQUAL 0)
  json_get(rejected "${plugins_json}" rejected)
  message(FATAL_ERROR "impact rejected plugin files:\n${rejected}")
endif()
json_length(shadowed_count "${plugins_json}" shadowed)
if(NOT shadowed_count EQUAL 0)
  json_get(shadowed "${plugins_json}" shadowed)
  message(FATAL_ERROR "a model is shadowed, so this plugin is not what runs:\n${shadowed}")
endif()

json_length(plugin_count "${plugins_json}" plugins)
set(template_index -1)
if(plugin_count GREATER 0)
  math(EXPR last "${plugin_count} - 1")
  foreach(i RANGE ${last})
    json_get(plugin_id "${plugins_json}" plugins ${i} id)
    if(plugin_id STREQUAL "org.example.template")
      if(NOT template_index EQUAL -1)
        message(FATAL_ERROR "org.example.template is listed twice:\n${plugins_json}")
      endif()
      set(template_index ${i})
    endif()
  endforeach()
endif()
if(template_index EQUAL -1)
  message(FATAL_ERROR "`impact plugins --json` does not list org.example.template:\n${plugins_json}")
endif()
json_get(listed_file "${plugins_json}" plugins ${template_index} file)
file(REAL_PATH "${listed_file}" listed_file)
expect_equal("plugins --json file" "${listed_file}" "${plugin_real}")
json_get(abi_major "${plugins_json}" plugins ${template_index} abi major)
json_get(abi_minor "${plugins_json}" plugins ${template_index} abi minor)
expect_equal("plugin ABI" "${abi_major}.${abi_minor}" "${ABI_MAJOR}.${ABI_MINOR}")
json_length(model_count "${plugins_json}" plugins ${template_index} models)
expect_equal("number of models in the template plugin" "${model_count}" 1)
json_get(model_id "${plugins_json}" plugins ${template_index} models 0 id)
expect_equal("template model id" "${model_id}" "template.percent_change")

message(STATUS "${EXPECT_COMPILER_ID}-built template plugin ${plugin_file} loads at ABI ${abi_major}.${abi_minor}")
