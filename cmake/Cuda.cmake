# IDML_CUDA=AUTO|ON|OFF. The CUDA backend lives in engine/cuda/; when it is
# built, IDML_WITH_CUDA is defined and the dispatch in engine/backend.cpp
# routes CUDA tensors to it. Without it, a CUDA device is a clear error.
#
# AUTO builds the backend when a CUDA compiler, cuBLAS and cuDNN are all
# found, and otherwise quietly builds the CPU backend alone; ON makes any
# missing piece a configuration error. cuBLAS and cuDNN are searched in the
# toolkit (/usr/local/cuda/{include,lib64}), under CUDNN_ROOT / CUDNN_PATH,
# and in the pip-wheel layout .../site-packages/nvidia/<lib>/{include,lib}
# (give its `nvidia` folder as IDML_CUDA_WHEEL_ROOT, or let the common
# site-packages folders be searched).
set(IDML_WITH_CUDA OFF)
set(IDML_CUDA_WHEEL_ROOT "" CACHE PATH "Folder `nvidia` of pip CUDA wheels (nvidia/cudnn, nvidia/cublas)")
set(_idml_cuda_missing "")

# The `nvidia` folders of pip wheels: the one given, then the usual site-packages.
function(_idml_wheel_roots out)
  set(roots "")
  if(IDML_CUDA_WHEEL_ROOT)
    list(APPEND roots ${IDML_CUDA_WHEEL_ROOT})
  endif()
  set(patterns "/usr/local/lib/python3*/dist-packages/nvidia" "/usr/lib/python3/dist-packages/nvidia"
               "/usr/local/lib/python3*/site-packages/nvidia")
  if(DEFINED ENV{VIRTUAL_ENV})
    list(APPEND patterns "$ENV{VIRTUAL_ENV}/lib/python3*/site-packages/nvidia")
  endif()
  if(DEFINED ENV{CONDA_PREFIX})
    list(APPEND patterns "$ENV{CONDA_PREFIX}/lib/python3*/site-packages/nvidia")
  endif()
  if(DEFINED ENV{HOME})
    list(APPEND patterns "$ENV{HOME}/.local/lib/python3*/site-packages/nvidia")
  endif()
  foreach(pattern ${patterns})
    file(GLOB found LIST_DIRECTORIES true ${pattern})
    list(APPEND roots ${found})
  endforeach()
  set(${out} ${roots} PARENT_SCOPE)
endfunction()

# Finds lib<name> and <header> in the toolkit, under the given roots and in
# the wheel folder nvidia/<wheel>; sets IDML_<VAR>_INCLUDE_DIR / IDML_<VAR>_LIBRARY.
function(_idml_find_cuda_library var name header wheel)
  _idml_wheel_roots(wheel_roots)
  set(hints ${CUDAToolkit_LIBRARY_ROOT} ${CUDAToolkit_TARGET_DIR} $ENV{CUDNN_ROOT} $ENV{CUDNN_PATH})
  foreach(root ${wheel_roots})
    list(APPEND hints ${root}/${wheel})
  endforeach()
  find_path(IDML_${var}_INCLUDE_DIR ${header} HINTS ${CUDAToolkit_INCLUDE_DIRS} ${hints}
            PATH_SUFFIXES include targets/x86_64-linux/include)
  # Wheels ship only versioned names such as libcudnn.so.9.
  find_library(IDML_${var}_LIBRARY NAMES ${name} lib${name}.so.9 lib${name}.so.13 lib${name}.so.12
               HINTS ${CUDAToolkit_LIBRARY_DIR} ${hints} PATH_SUFFIXES lib lib64 targets/x86_64-linux/lib)
endfunction()

if(NOT IDML_CUDA STREQUAL "OFF")
  if(NOT EXISTS ${CMAKE_SOURCE_DIR}/engine/cuda/CMakeLists.txt)
    set(_idml_cuda_missing "this tree has no CUDA backend (engine/cuda/)")
  else()
    include(CheckLanguage)
    check_language(CUDA)
    if(NOT CMAKE_CUDA_COMPILER)
      set(_idml_cuda_missing "no CUDA compiler (nvcc) found")
    else()
      find_package(CUDAToolkit QUIET)
      if(NOT CUDAToolkit_FOUND)
        set(_idml_cuda_missing "CUDA toolkit (cudart) not found")
      else()
        if(NOT TARGET CUDA::cublas)
          _idml_find_cuda_library(CUBLAS cublas cublas_v2.h cublas)
          if(IDML_CUBLAS_LIBRARY AND IDML_CUBLAS_INCLUDE_DIR)
            add_library(CUDA::cublas UNKNOWN IMPORTED)
            set_target_properties(CUDA::cublas PROPERTIES IMPORTED_LOCATION ${IDML_CUBLAS_LIBRARY}
                                  INTERFACE_INCLUDE_DIRECTORIES ${IDML_CUBLAS_INCLUDE_DIR})
          endif()
        endif()
        _idml_find_cuda_library(CUDNN cudnn cudnn.h cudnn)
        if(NOT TARGET CUDA::cublas)
          set(_idml_cuda_missing "cuBLAS not found")
        elseif(NOT IDML_CUDNN_LIBRARY OR NOT IDML_CUDNN_INCLUDE_DIR)
          set(_idml_cuda_missing "cuDNN not found (set CUDNN_ROOT or IDML_CUDA_WHEEL_ROOT)")
        else()
          set(IDML_WITH_CUDA ON)
        endif()
      endif()
    endif()
  endif()
  if(NOT IDML_WITH_CUDA AND IDML_CUDA STREQUAL "ON")
    message(FATAL_ERROR "IDML_CUDA=ON but the CUDA backend cannot be built: ${_idml_cuda_missing}")
  endif()
endif()

# The soname of a library file ("libcudnn.so.9"), which the loader looks for at run time.
# (readelf: CMake's file(READ_ELF) finds no SONAME in NVIDIA's libraries.)
function(_idml_soname out library)
  get_filename_component(real ${library} REALPATH)
  execute_process(COMMAND readelf -d ${real} OUTPUT_VARIABLE dynamic ERROR_QUIET)
  if(dynamic MATCHES "Library soname: \\[([^]]+)\\]")
    set(${out} ${CMAKE_MATCH_1} PARENT_SCOPE)
  else()
    get_filename_component(name ${real} NAME)
    set(${out} ${name} PARENT_SCOPE)
  endif()
endfunction()

if(IDML_WITH_CUDA)
  # Fat binary: SASS for A100 (sm_80) and H100/H200 (sm_90), plus sm_90 PTX
  # that newer GPUs JIT-compile (scripts/package.sh builds 90-real;90-virtual).
  # Override with -DCMAKE_CUDA_ARCHITECTURES=...
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES "80-real;90-real;90-virtual")
  endif()
  # One CUDA runtime per process: the shared libcudart that cuBLAS and cuDNN
  # also use (CMake's default would add the static one to every consumer).
  set(CMAKE_CUDA_RUNTIME_LIBRARY Shared)
  set(CMAKE_CUDA_STANDARD 17)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  enable_language(CUDA)
  add_library(idml_cudnn UNKNOWN IMPORTED)
  set_target_properties(idml_cudnn PROPERTIES IMPORTED_LOCATION ${IDML_CUDNN_LIBRARY}
                        INTERFACE_INCLUDE_DIRECTORIES ${IDML_CUDNN_INCLUDE_DIR})
  # What the plug-in needs at run time, in load order (engine/cuda/loader.cpp finds them).
  get_target_property(_cublas CUDA::cublas IMPORTED_LOCATION)
  if(NOT _cublas)
    set(_cublas ${CUDA_cublas_LIBRARY})
  endif()
  set(IDML_CUDA_SONAMES "")
  foreach(library ${CUDA_cudart_LIBRARY} ${CUDA_cublasLt_LIBRARY} ${_cublas} ${IDML_CUDNN_LIBRARY})
    _idml_soname(_idml_library_soname ${library})
    list(APPEND IDML_CUDA_SONAMES ${_idml_library_soname})
  endforeach()
  string(REPLACE ";" ":" IDML_CUDA_SONAMES "${IDML_CUDA_SONAMES}")  # one compile definition
  file(STRINGS ${IDML_CUDNN_INCLUDE_DIR}/cudnn_version.h _cudnn_lines REGEX "define CUDNN_(MAJOR|MINOR|PATCHLEVEL) ")
  string(REGEX REPLACE ".*CUDNN_MAJOR ([0-9]+).*CUDNN_MINOR ([0-9]+).*CUDNN_PATCHLEVEL ([0-9]+).*" "\\1.\\2.\\3"
         _cudnn_version "${_cudnn_lines}")
  string(REPLACE ";" " " _archs "${CMAKE_CUDA_ARCHITECTURES}")
  set(IDML_CUDA_BUILT_FOR "CUDA ${CUDAToolkit_VERSION}, cuDNN ${_cudnn_version}, GPU code for ${_archs}")
  message(STATUS "idml: backends: cpu, cuda (CUDA ${CUDAToolkit_VERSION}, archs ${CMAKE_CUDA_ARCHITECTURES}, "
                 "cuDNN ${IDML_CUDNN_LIBRARY}; plug-in needs ${IDML_CUDA_SONAMES})")
elseif(IDML_CUDA STREQUAL "OFF")
  message(STATUS "idml: backends: cpu (CUDA backend not built: IDML_CUDA=OFF)")
else()
  message(STATUS "idml: backends: cpu (CUDA backend not built: ${_idml_cuda_missing})")
endif()

# For scripts/package.sh: whether this build has the CUDA backend, and for which CUDA major version.
set(IDML_CUDA_BUILT ${IDML_WITH_CUDA} CACHE INTERNAL "the CUDA backend is built")
if(IDML_WITH_CUDA)
  set(IDML_CUDA_MAJOR ${CUDAToolkit_VERSION_MAJOR} CACHE INTERNAL "CUDA major version built for")
endif()

# NCCL (the collectives of CUDA tensors, engine/distributed/) ships with the
# toolkit here; it needs MPI for start-up. IDML_WITH_NCCL when both are found.
set(IDML_WITH_NCCL OFF)
if(IDML_WITH_CUDA AND IDML_WITH_MPI)
  _idml_find_cuda_library(NCCL nccl nccl.h nccl)
  if(IDML_NCCL_LIBRARY AND IDML_NCCL_INCLUDE_DIR)
    set(IDML_WITH_NCCL ON)
    add_library(idml_nccl_library UNKNOWN IMPORTED)
    set_target_properties(idml_nccl_library PROPERTIES IMPORTED_LOCATION ${IDML_NCCL_LIBRARY}
                          INTERFACE_INCLUDE_DIRECTORIES ${IDML_NCCL_INCLUDE_DIR})
    _idml_soname(IDML_NCCL_SONAME ${IDML_NCCL_LIBRARY})
    message(STATUS "idml: NCCL ${IDML_NCCL_LIBRARY} (${IDML_NCCL_SONAME})")
  else()
    message(STATUS "idml: NCCL not found: CUDA tensors are reduced through MPI on the host")
  endif()
endif()
