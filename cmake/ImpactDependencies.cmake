# Finds the Debian 12 packages Impact builds with; scripts/install-deps.sh installs them.
find_package(PkgConfig REQUIRED)
# Debian ships QuantLib with a pkg-config file but no CMake config.
pkg_check_modules(QuantLib REQUIRED IMPORTED_TARGET quantlib>=1.29)
find_package(fmt 9 REQUIRED)
find_package(CLI11 2.1 REQUIRED)
find_package(tomlplusplus 3 REQUIRED)
find_package(Boost 1.74 REQUIRED)  # headers only: Boost.DLL with std::filesystem
find_package(muparser 2.3 REQUIRED)  # formula steps (core/scenario/formula.cpp)
add_library(impact_boost_dll INTERFACE)
target_link_libraries(impact_boost_dll INTERFACE Boost::headers ${CMAKE_DL_LIBS})
target_compile_definitions(impact_boost_dll INTERFACE BOOST_DLL_USE_STD_FS)
find_package(OpenSSL REQUIRED)  # libcrypto's EVP SHA-256 for provenance hashes
find_package(nlohmann_json 3 REQUIRED)  # JSON reports, the plugin descriptor cache, and the tests that read JSON
find_package(mstch REQUIRED)  # Mustache templates of the Markdown and HTML reports (core/report/mustache.cpp)
# Excel reports (core/report/xlsx_report.cpp); Debian's libxlsxwriter-dev ships only a pkg-config file.
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)
