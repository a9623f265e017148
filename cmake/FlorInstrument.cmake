# flor_instrument(TARGET): hands-free flor for a plain LibTorch program.
# TARGET's C++ sources are compiled through flor-instrument in compiler-launcher
# mode: each TU with a training loop is instrumented on the fly (the source
# files never change; #line directives keep compiler errors on the user's own
# lines) and TARGET links flor::runtime. A TU without a training loop compiles
# untouched. An existing launcher (ccache) keeps working after flor-instrument.
#
#   find_package(flor REQUIRED)
#   add_executable(train train.cc)
#   flor_instrument(train)
#
# Or for a whole build, without this function:
#   cmake -DCMAKE_CXX_COMPILER_LAUNCHER=flor-instrument ...   (and link flor::runtime)
#
# FLOR_INSTRUMENT_EXECUTABLE overrides where the tool is found.

function(flor_instrument target)
  if(TARGET flor-instrument)  # inside flor's own build tree
    set(tool $<TARGET_FILE:flor-instrument>)
    add_dependencies(${target} flor-instrument)
  else()
    if(NOT FLOR_INSTRUMENT_EXECUTABLE)
      find_program(FLOR_INSTRUMENT_EXECUTABLE flor-instrument HINTS ${FLOR_INSTRUMENT_HINT} REQUIRED)
    endif()
    set(tool ${FLOR_INSTRUMENT_EXECUTABLE})
  endif()
  get_target_property(previous ${target} CXX_COMPILER_LAUNCHER)
  if(NOT previous)
    set(previous ${CMAKE_CXX_COMPILER_LAUNCHER})
  endif()
  set_property(TARGET ${target} PROPERTY CXX_COMPILER_LAUNCHER ${tool} ${previous})
  target_link_libraries(${target} PRIVATE flor::runtime)
endfunction()
