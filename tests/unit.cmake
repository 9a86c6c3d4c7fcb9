# C unit tests of the pure core: each tests/unit/test-NAME.c is one program
# linking the library it tests. Seconds in all: `ctest -L unit`.
# add_unit_test(NAME LIBRARY...): tests/unit/test-NAME.c as test unit-NAME.
function(add_unit_test name)
  add_executable(test-${name} ${CMAKE_CURRENT_SOURCE_DIR}/unit/test-${name}.c)
  target_include_directories(test-${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit)
  target_link_libraries(test-${name} PRIVATE ${ARGN})
  add_test(NAME unit-${name} COMMAND test-${name})
  mkvm_test_tier(unit-${name} unit)
endfunction()

add_unit_test(size mkvm_base)
add_unit_test(fs mkvm_fs)
add_unit_test(platform mkvm_platform)
add_unit_test(guid mkvm_base)
add_unit_test(layout mkvm_engine)
add_unit_test(plan mkvm_engine)
add_unit_test(gpt-read mkvm_base PkgConfig::ZLIB)
add_unit_test(fat-names mkvm_fs)
add_unit_test(loadopt mkvm_firmware)
add_unit_test(pe mkvm_esp)
