# CTest helper: runs the benchmark briefly with JSON output, then compare.py on it.
# Checks that the two work together; says nothing about speed (--no-fail).
#   cmake -DBENCH=<exe> -DPYTHON=<python3> -DCOMPARE=<compare.py> -DOUT=<json> -P smoke_compare.cmake
execute_process(
  COMMAND "${BENCH}" --benchmark_min_time=0.01 "--benchmark_filter=/rows:(1|4096)$"
          --benchmark_repetitions=2 --benchmark_out=${OUT} --benchmark_out_format=json
  OUTPUT_QUIET
  RESULT_VARIABLE bench_result)
if(NOT bench_result EQUAL 0)
  message(FATAL_ERROR "${BENCH} failed: ${bench_result}")
endif()
execute_process(COMMAND "${PYTHON}" "${COMPARE}" --no-fail "${OUT}" RESULT_VARIABLE compare_result)
if(NOT compare_result EQUAL 0)
  message(FATAL_ERROR "compare.py failed: ${compare_result}")
endif()
