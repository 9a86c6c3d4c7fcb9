# Compiler flags of a fuzz build (-DMKVM_FUZZ=ON), included by the top
# CMakeLists.txt before any library is defined: every library is then
# instrumented for libFuzzer's coverage feedback and built with
# AddressSanitizer + UndefinedBehaviorSanitizer, so a bug deep in a parser
# stops the run where it happens. The fuzz targets themselves add
# -fsanitize=fuzzer (libFuzzer's main) in fuzz/CMakeLists.txt.
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "MKVM_FUZZ=ON needs clang (libFuzzer is part of clang), "
    "but the C compiler is ${CMAKE_C_COMPILER_ID} (${CMAKE_C_COMPILER}): "
    "configure a fresh build directory with -DCMAKE_C_COMPILER=clang, or use scripts/fuzz")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
  -fno-omit-frame-pointer -g)
add_link_options(-fsanitize=address,undefined)
