# libFuzzer programs, one per parser that takes outside input (preset `fuzz`: clang 14, ASan +
# UBSan; the core is compiled with -fsanitize=fuzzer-no-link for coverage). Each program is
# tests/fuzz/<target>_fuzz.cpp; `ltv_fuzzers` builds them all. scripts/fuzz.sh runs them.
file(GLOB LTV_FUZZ_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/fuzz/*_fuzz.cpp)
add_custom_target(ltv_fuzzers)
foreach(source ${LTV_FUZZ_SOURCES})
  get_filename_component(name ${source} NAME_WE)
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE ltv::core)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests/fuzz)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  add_dependencies(ltv_fuzzers ${name})
endforeach()
