# impact_set_warnings(<target>): the project's warning set for its own targets.
function(impact_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
      -Wno-sign-conversion $<$<BOOL:${IMPACT_WERROR}>:-Werror>)
  endif()
  # g++ 12 at -O3 (the release preset) reports -Wrestrict inside std::string's own copy for
  # `"'" + std::string` and string assignment (GCC bug 105329): keep it a warning, not an error.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE $<$<BOOL:${IMPACT_WERROR}>:-Wno-error=restrict>)
  endif()
endfunction()
