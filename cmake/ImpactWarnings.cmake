# impact_set_warnings(<target>): the project's warning set for its own targets.
function(impact_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
      -Wno-sign-conversion $<$<BOOL:${IMPACT_WERROR}>:-Werror>)
  endif()
endfunction()
