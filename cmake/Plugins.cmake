# Plug-ins (engine/plugins.h): the parts that need libraries a machine may lack
# (CUDA, NCCL, MPI) are shared libraries in ${IDML_PLUGIN_DIR} (the build
# tree's lib/), loaded on first use from there or from <program>/../lib of a
# release (scripts/package.sh). IDML_PLUGIN_BUILD_ID ties a plug-in to the
# programs of its build: the loader refuses one from another build.
set(IDML_PLUGIN_DIR ${CMAKE_BINARY_DIR}/lib)
set(IDML_PLUGIN_BUILD_ID "${PROJECT_VERSION}/${CMAKE_CXX_COMPILER_ID}-${CMAKE_CXX_COMPILER_VERSION}")

function(idml_plugin name)
  add_library(${name} SHARED ${ARGN})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE IDML_PLUGIN_BUILD_ID="${IDML_PLUGIN_BUILD_ID}")
  # Only the entry point is exported; everything else binds inside the plug-in.
  set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${IDML_PLUGIN_DIR}
                        CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON POSITION_INDEPENDENT_CODE ON)
  if(NOT IDML_SANITIZE)
    target_link_options(${name} PRIVATE -Wl,--no-undefined)  # self-contained: it sees none of the program's symbols
  endif()
endfunction()
