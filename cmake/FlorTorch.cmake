# LibTorch as the target `torch`. By default find_package(Torch): Debian's, or
# any TorchConfig.cmake that Torch_DIR or CMAKE_PREFIX_PATH names (a pip
# PyTorch's: python3 -c 'import torch; print(torch.utils.cmake_prefix_path)').
#
# A CUDA LibTorch's TorchConfig.cmake insists on the CUDA toolkit (nvcc and its
# headers), which a machine with a pip PyTorch and a driver often lacks; flor
# needs none of it (its few CUDA runtime calls are bound by name at run time,
# runtime/src/ckpt/cuda_rt.h), so FLOR_TORCH_ROOT (the `torch` folder of the
# install: include/, lib/) makes the target from the headers and libraries
# directly. FLOR_TORCH_CXX11_ABI (0 or 1: torch._C._GLIBCXX_USE_CXX11_ABI) is
# the std::string ABI it was built with; the rest of flor's C++ dependencies
# (Debian's) use 1, so 0 cannot link and is refused here. Used by scripts/gpu-check.
set(FLOR_TORCH_ROOT "" CACHE PATH "A LibTorch's root (include/, lib/) to use without its TorchConfig.cmake")
set(FLOR_TORCH_CXX11_ABI 1 CACHE STRING "The std::string ABI of FLOR_TORCH_ROOT's libraries (0 or 1)")

if(NOT FLOR_TORCH_ROOT)
  find_package(Torch REQUIRED)     # do not append TORCH_CXX_FLAGS (see docs)
  return()
endif()

if(NOT FLOR_TORCH_CXX11_ABI)
  message(FATAL_ERROR "FLOR_TORCH_ROOT=${FLOR_TORCH_ROOT} was built with the pre-C++11 std::string ABI "
          "(_GLIBCXX_USE_CXX11_ABI=0); flor's other C++ dependencies use the C++11 ABI, so they cannot link. "
          "Use a LibTorch built with the C++11 ABI (pip PyTorch 2.7 or later, or libtorch-cxx11-abi-*).")
endif()
set(_flor_torch_libs)
foreach(lib torch torch_cpu c10 torch_cuda c10_cuda)
  if(EXISTS ${FLOR_TORCH_ROOT}/lib/lib${lib}.so)
    list(APPEND _flor_torch_libs ${FLOR_TORCH_ROOT}/lib/lib${lib}.so)
  elseif(lib MATCHES "^(torch|torch_cpu|c10)$")
    message(FATAL_ERROR "FLOR_TORCH_ROOT=${FLOR_TORCH_ROOT}: lib/lib${lib}.so is missing (expected the `torch` "
            "folder of a PyTorch install, or an unpacked LibTorch)")
  endif()
endforeach()
add_library(torch INTERFACE IMPORTED GLOBAL)
target_include_directories(torch SYSTEM INTERFACE ${FLOR_TORCH_ROOT}/include
                           ${FLOR_TORCH_ROOT}/include/torch/csrc/api/include)
target_compile_definitions(torch INTERFACE _GLIBCXX_USE_CXX11_ABI=1)
# --no-as-needed: nothing references libtorch_cuda by name, yet its static
# initialisers register the CUDA kernels (as TorchConfig.cmake does it).
target_link_libraries(torch INTERFACE "-Wl,--no-as-needed" ${_flor_torch_libs} "-Wl,--as-needed")
target_link_options(torch INTERFACE "-Wl,-rpath,${FLOR_TORCH_ROOT}/lib")
message(STATUS "LibTorch from ${FLOR_TORCH_ROOT} (without its TorchConfig.cmake): ${_flor_torch_libs}")
